# One connection read through two descriptors of the same socket, as a server that hands a connection
# from one process or descriptor to another does. Usage: python3 -c <this> ADDRESS SWITCH_AT. Prints its
# port once listening; reads with recv() on the accepted descriptor, except read number SWITCH_AT, which
# is a read() on a dup of it. Answers 200 "ok" after every read but a POST head (its body comes next).
import os, socket, sys

server = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
server.bind((sys.argv[1], 0))
server.listen(1)
print(server.getsockname()[1], flush=True)
conn, _ = server.accept()
other = os.dup(conn.fileno())
switch_at = int(sys.argv[2])
reads = 0
while True:
    reads += 1
    data = os.read(other, 4096) if reads == switch_at else conn.recv(4096)
    if not data:
        break
    if not data.startswith(b"POST"):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
