"""The gRPC workload for the L7 benchmarks (bench/l7/GrpcLoad.java): a grpc-java server on nginx.IP:PORT
that logs a line per call, as nginx does, and the closed-loop client that loads it."""
import os, socket, subprocess, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from proc import ROOT, java_home  # noqa: E402
from nginx import IP, PORT, pinned  # noqa: E402

SOURCE = os.path.join(ROOT, "bench", "l7", "GrpcLoad.java")
# calls in flight on each connection: services multiplex, they do not wait for one call before the next
IN_FLIGHT = 4

def java(mode, *args):
    return [f"{java_home()}/bin/java", "-cp", f"{ROOT}/agent/target/classes:{ROOT}/agent/target/lib/*", SOURCE, mode, IP, str(PORT),
            *map(str, args)]

def client_command(pin, connections, seconds):
    """The client on `connections` connections for `seconds`; on CPU 1 if pin."""
    return pinned(pin, 1, java("client", connections, IN_FLIGHT, seconds))

class GrpcServer:
    def __init__(self, tmp, pin):
        self.log = os.path.join(tmp, "grpc-access.log")
        open(self.log, "w").close()
        self.p = subprocess.Popen(pinned(pin, 0, java("server", self.log)), stdout=subprocess.PIPE, text=True)
        if self.p.stdout.readline().strip() != "ready":
            sys.exit("gRPC server did not start")
        socket.create_connection((IP, PORT), timeout=1).close()
        self.worker = self.p.pid

    def stop(self):
        self.p.terminate()
        self.p.wait()
