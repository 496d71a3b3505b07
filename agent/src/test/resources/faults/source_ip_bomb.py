"""HTTP requests to one server from many loopback source addresses: `bomb HOST PORT CLIENTS PATHS`.

Client i binds 127.80.(i // 250).(i % 250 + 1) and sends PATHS keep-alive requests (GET /p0, /p1, ...)
on one connection. Prints the number of requests answered.
"""
import socket
import sys

host, port, clients, paths = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
answered = 0
for i in range(clients):
    s = socket.create_connection((host, port), timeout=5, source_address=("127.80.%d.%d" % (i // 250, i % 250 + 1), 0))
    f = s.makefile("rb")
    for p in range(paths):
        s.sendall(b"GET /p%d HTTP/1.1\r\nHost: bomb\r\nUser-Agent: bomb\r\n\r\n" % p)
        status = f.readline()
        length = 0
        while True:
            line = f.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        f.read(length)
        if status.startswith(b"HTTP/1.1 2"):
            answered += 1
    s.close()
print(answered)
