"""nginx for the L7 benchmarks: one worker on IP:PORT, 200 "ok" for everything, keep-alive without limit,
its own config, pid and logs in a temp dir (for the TLS workloads also a self-signed certificate made
with openssl); and the wrk command that loads it."""
import os, socket, subprocess, sys, time

IP, PORT = "127.0.0.88", 18088

def pinned(pin, cpu, command):
    """command on CPU cpu if pin."""
    return ["taskset", "-c", str(cpu)] + command if pin else command

VARIED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "varied.lua")
# replay: one byte-identical request again and again; varied: every request differs (varied.lua);
# short: varied, one request per connection; tls, tls-short: varied and short over TLS (nginx's defaults:
# TLS 1.3, session tickets, so a reconnecting wrk may resume)
WORKLOADS = ("replay", "varied", "short", "tls", "tls-short")

def tls(workload):
    return workload.startswith("tls")

def wrk_command(pin, connections, seconds, workload):
    """wrk, one thread, on `connections` connections for `seconds`; on CPU 1 if pin."""
    script = [] if workload == "replay" else ["-s", VARIED]
    scheme = "https" if tls(workload) else "http"
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", *script, f"{scheme}://{IP}:{PORT}/bench/42?n=1"]
    if workload in ("short", "tls-short"):
        command = ["env", "WRK_SHORT=1", *command]
    return pinned(pin, 1, command)

class Nginx:
    def __init__(self, tmp, pin, workload):
        self.dir = tmp
        conf = os.path.join(tmp, "nginx.conf")
        listen = f"{IP}:{PORT}"
        if tls(workload):
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                            "-subj", "/CN=orders.shop.svc.cluster.local", "-days", "1",
                            "-keyout", f"{tmp}/key.pem", "-out", f"{tmp}/cert.pem"], check=True, capture_output=True)
            listen += f" ssl; ssl_certificate {tmp}/cert.pem; ssl_certificate_key {tmp}/key.pem"
        self.log = os.path.join(tmp, "access.log")
        with open(conf, "w") as f:
            f.write(f"""daemon off; user root; worker_processes 1;
pid {tmp}/nginx.pid; error_log {tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log {self.log};
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  keepalive_requests 100000000;
  server {{ listen {listen}; location / {{ return 200 "ok\\n"; }} }}
}}
""")
        self.p = subprocess.Popen(pinned(pin, 0, ["/usr/sbin/nginx", "-p", tmp, "-c", conf, "-e", f"{tmp}/error.log"]))
        for _ in range(200):
            try:
                socket.create_connection((IP, PORT), timeout=1).close()  # TCP only: no request in the log
                break
            except OSError:
                time.sleep(0.05)
        else:
            sys.exit("nginx did not start: " + open(f"{tmp}/error.log").read())
        self.worker = int(subprocess.run(["pgrep", "-P", str(self.p.pid)], capture_output=True, text=True).stdout.split()[0])

    def logged(self):
        with open(self.log, "rb") as f:
            return sum(1 for _ in f)

    def stop(self):
        self.p.terminate()
        self.p.wait()
