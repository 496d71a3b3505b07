# The HTTP/1.1 test server over TLS: Python's ssl (OpenSSL), which reads a TLS record's 5-byte header
# by itself and then its body. Usage: python3 -c <this> ADDRESS CERT_PEM KEY_PEM. Prints its port once
# listening. Offers ALPN http/1.1; a handshake that fails (a crafted hello) is logged by nobody.
import socket, ssl, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET

    def get_request(self):
        conn, addr = self.socket.accept()
        return context.wrap_socket(conn, server_side=True, do_handshake_on_connect=False), addr

    def finish_request(self, request, client_address):
        try:
            request.do_handshake()
        except (ssl.SSLError, OSError):
            return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        pass


context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[2], sys.argv[3])
context.set_alpn_protocols(["http/1.1"])
server = Server((sys.argv[1], 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
