#!/usr/bin/env python3
"""Scrape burst: N scrapers hit /metrics at the same instant, as Prometheus HA pairs and vmagent shards
starting their scrape loops together do (issue 17, item 6).

Usage: bench/http/burst.py [--jar JAR] [--rounds 10] [--scrapers 200] [--services 2000] [--tls] [--heap 230m]

Starts the agent jar (MODE=local, ENABLE_L4=false: no root or BPF needed) with a mapping file of
--services Services (one activation series each, so a scrape body of realistic size), waits until it
answers, then runs --rounds bursts one second apart. In each burst every scraper thread opens its own
connection once a barrier releases them all, sends one GET /metrics and reads the whole response.
Latency = connect start to last byte. Prints p50/p99/max over all requests, the slowest burst's wall
time, the machine's TcpExt ListenDrops meanwhile (SYNs dropped because an accept queue was full: the
client retries them after 1 s, 3 s, ...), failures, the agent's CPU per scrape and its peak RSS. --tls: WEB_CONFIG_FILE with TLS (a fresh EC certificate) and
basic auth (bcrypt cost 10), so each request also makes a full handshake and sends credentials.
--heap: -Xmx after agent/jvm.options' 32 MiB (230m: what the DaemonSet's MaxRAMPercentage=60 of its 384 MiB
limit gives). Compare only runs made on an idle machine."""
import argparse, base64, os, socket, ssl, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from proc import ROOT, cpu_seconds, java_home

# htpasswd -nbBC 10 "" bench-password
BENCH_HASH = "$2y$10$IxLZbyYWHdLxpuC3YYByuemeSbnWGQehqo45bK4d4BpUPVV/zSZqS"


def mapping_file(path, services):
    with open(path, "w") as f:
        f.write("apiVersion: v1\nkind: List\nitems:\n")
        for i in range(services):
            f.write(f"- apiVersion: v1\n  kind: Service\n  metadata: {{name: svc-{i}, namespace: bench}}\n"
                    f"  spec: {{clusterIP: 10.{96 + i // 65536}.{i // 256 % 256}.{i % 256}}}\n")


def web_config(directory):
    key, cert = os.path.join(directory, "server.key"), os.path.join(directory, "server.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    path = os.path.join(directory, "web.yml")
    with open(path, "w") as f:
        f.write(f"tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\nbasic_auth_users:\n  bench: {BENCH_HASH}\n")
    return path


def listen_drops():
    """TcpExt ListenDrops of the whole machine: connections dropped because an accept queue was full."""
    with open("/proc/net/netstat") as f:
        lines = [line.split() for line in f if line.startswith("TcpExt:")]
    return int(lines[1][lines[0].index("ListenDrops")])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(port, tls, headers):
    raw = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock = tls.wrap_socket(raw, server_hostname="127.0.0.1") if tls else raw
    try:
        sock.sendall(f"GET /metrics HTTP/1.1\r\nHost: agent\r\nConnection: close\r\n{headers}\r\n".encode())
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
        return b"".join(chunks)
    finally:
        sock.close()


def burst(port, scrapers, tls, headers):
    barrier = threading.Barrier(scrapers)
    latencies, failures = [], []
    lock = threading.Lock()

    def one():
        barrier.wait()
        start = time.perf_counter()
        try:
            response = scrape(port, tls, headers)
            ok = response.startswith(b"HTTP/1.1 200") and b"internal_tcp_service_attempts_total" in response
            error = None if ok else response[:40]
        except OSError as e:
            error = repr(e)
        elapsed = time.perf_counter() - start
        with lock:
            (failures if error else latencies).append(error or elapsed)

    threads = [threading.Thread(target=one) for _ in range(scrapers)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, failures, time.perf_counter() - t0


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jar", default=os.path.join(ROOT, "agent/target/agent-0.1.0-SNAPSHOT.jar"))
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--scrapers", type=int, default=200)
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--tls", action="store_true")
    parser.add_argument("--heap")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="burst-")
    mapping = os.path.join(work, "mapping.yaml")
    mapping_file(mapping, args.services)
    port = free_port()
    env = dict(os.environ, MODE="local", ENABLE_L4="false", MAPPING_FILE=mapping, METRICS_ADDR=f"127.0.0.1:{port}", LOG_LEVEL="warn")
    tls, headers = None, ""
    if args.tls:
        env["WEB_CONFIG_FILE"] = web_config(work)
        tls = ssl.create_default_context()
        tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE
        headers = "Authorization: Basic " + base64.b64encode(b"bench:bench-password").decode() + "\r\n"
    heap = [f"-Xmx{args.heap}"] if args.heap else []
    agent = subprocess.Popen([f"{java_home()}/bin/java", f"@{ROOT}/agent/jvm.options", *heap, "-jar", args.jar], env=env)
    try:
        deadline = time.time() + 60
        while True:
            try:
                scrape(port, tls, headers)
                break
            except OSError:
                if time.time() > deadline or agent.poll() is not None:
                    sys.exit("the agent did not start")
                time.sleep(0.2)
        body = scrape(port, tls, headers)
        burst(port, 20, tls, headers)  # warm-up (JIT), not measured
        time.sleep(1)
        all_latencies, all_failures, walls = [], [], []
        cpu_before, drops_before = cpu_seconds(agent.pid), listen_drops()
        for _ in range(args.rounds):
            latencies, failures, wall = burst(port, args.scrapers, tls, headers)
            all_latencies += latencies
            all_failures += failures
            walls.append(wall)
            time.sleep(1)
        agent_cpu, drops = cpu_seconds(agent.pid) - cpu_before, listen_drops() - drops_before
        with open(f"/proc/{agent.pid}/status") as f:
            hwm = next(line.split()[1] for line in f if line.startswith("VmHWM"))
    finally:
        agent.terminate()
        agent.wait()
    values = sorted(all_latencies)
    print(f"jar {args.jar}{' (TLS + basic auth)' if args.tls else ''}{' -Xmx' + args.heap if args.heap else ''}: {args.rounds} bursts of {args.scrapers} scrapes,"
          f" body {len(body) // 1024} KiB")
    if values:
        print(f"latency p50 {percentile(values, 50) * 1000:.1f} ms, p99 {percentile(values, 99) * 1000:.1f} ms,"
              f" max {values[-1] * 1000:.1f} ms; slowest burst {max(walls) * 1000:.0f} ms; listen drops {drops}")
    print(f"failed {len(all_failures)} of {args.rounds * args.scrapers}{': ' + str(all_failures[:3]) if all_failures else ''};"
          f" agent CPU {agent_cpu / (args.rounds * args.scrapers) * 1000:.1f} ms per scrape; peak RSS {int(hwm) / 1024:.1f} MB")


if __name__ == "__main__":
    main()
