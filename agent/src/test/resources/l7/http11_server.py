# HTTP/1.1 keep-alive test server: answers every method with 200 "ok" (/status/NNN: status NNN; /close:
# closes the connection without an answer), reading request bodies by Content-Length (after a 100 Continue
# if the client expects one). Usage: python3 -c <this> ADDRESS. Prints its port once listening.
import socket, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path == "/close":
            self.close_connection = True
            return
        self.send_response(int(self.path[len("/status/"):]) if self.path.startswith("/status/") else 200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(b"ok")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = answer

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET


server = Server((sys.argv[1], 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
