#!/usr/bin/env python3
"""L7 benchmark: wrk -> nginx (keep-alive, loopback) with the L7 hooks attached and without, in
alternating runs. "On" is bench/l7/L7Runner.java (the l7 package alone, polling like the agent), or with
--agent the agent jar itself (MODE=local, ENABLE_L7_HTTP=true, ENABLE_L4=false, counts read from /metrics). Prints CPU (nginx + wrk +
L7 runner) per 100k requests, the median requests/s ratio, whether every request was counted
(counted == wrk's total, nginx's access log, lost events), and the collateral cost on a process that
makes no socket reads (dd bs=64) with the hooks on and off.
The default workload, varied, sends requests that all differ the way service traffic does
(bench/l7/varied.lua: ids, queries, a fresh traceparent, 5-10 headers, a quarter POSTs), --workload=short
the same with one request per connection, --workload=replay one byte-identical request again and again;
--workload=tls and tls-short are varied and short over TLS: nothing is counted as a request, and the
handshakes counted are shown beside wrk's requests (tls-short: one handshake per request). --responses follows
responses too (ENABLE_L7_RESPONSES=true); the responses counted are shown beside the requests.
--control runs the "on" side without hooks as well: its ratios are what the method cannot resolve.
Run as root from the repository root after `./mvnw -DskipTests package`:
    bench/l7/run.py [--agent] [--pin] [--control] [--responses] [--workload=varied|short|replay|tls|tls-short] [pairs] [seconds] [connections] [poll_ms]"""
import os, re, statistics, subprocess, sys, tempfile, time, urllib.request
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from proc import java_home, cpu_seconds, children_cpu, context_switches  # noqa: E402
from nginx import IP, PORT, WORKLOADS, Nginx, wrk_command  # noqa: E402
import l7runner  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AGENT = "--agent" in sys.argv
if AGENT:
    sys.argv.remove("--agent")
# --pin: nginx on CPU 0 and wrk on CPU 1 in every run (the agent floats), so that where the scheduler
# happens to put the two does not decide the throughput (unpinned, "off" runs alone vary by 25%)
PIN = "--pin" in sys.argv
if PIN:
    sys.argv.remove("--pin")
CONTROL = "--control" in sys.argv
if CONTROL:
    sys.argv.remove("--control")
RESPONSES = "--responses" in sys.argv
if RESPONSES:
    sys.argv.remove("--responses")
WORKLOAD = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--workload=")), "varied")
sys.argv = [a for a in sys.argv if not a.startswith("--workload=")]
if WORKLOAD not in WORKLOADS:
    sys.exit(f"--workload: one of {', '.join(WORKLOADS)}")
METRICS = "127.0.0.1:19103"
PAIRS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
CONNECTIONS = int(sys.argv[3]) if len(sys.argv) > 3 else 8
POLL_MS = sys.argv[4] if len(sys.argv) > 4 else "100"
DD = ["dd", "if=/dev/zero", "of=/dev/null", "bs=64", "count=3000000"]

class Runner:
    """The L7 hooks attached by a JVM that polls every 100 ms."""
    def __init__(self):
        self.p = l7runner.start(POLL_MS)
        if RESPONSES:
            for command in ("off", "on responses"):
                self.p.stdin.write(command + "\n")
                self.p.stdin.flush()
                if self.p.stdout.readline().strip() != command:
                    sys.exit(f"L7 runner did not switch {command}")
        time.sleep(1)  # let the JVM settle (startup JIT is not the hooks' cost)

    def counts(self):
        self.p.stdin.write("count\n")
        self.p.stdin.flush()
        return [int(x) for x in self.p.stdout.readline().split()]

    def cpu(self):
        return cpu_seconds(self.p.pid)

    def stop(self):
        self.p.stdin.close()
        self.p.wait()

class Agent:
    """The agent jar with L7 only, nginx's address mapped to pod bench/nginx-0 of Service bench/nginx."""
    def __init__(self, tmp):
        mapping = os.path.join(tmp, "mapping.yaml")
        with open(mapping, "w") as f:
            f.write(f"""apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {{name: nginx, namespace: bench}}
  spec: {{clusterIP: 10.96.0.88, clusterIPs: [10.96.0.88], ports: [{{port: {PORT}}}]}}
- apiVersion: discovery.k8s.io/v1
  kind: EndpointSlice
  metadata: {{name: nginx-1, namespace: bench, labels: {{kubernetes.io/service-name: nginx}}}}
  addressType: IPv4
  endpoints: [{{addresses: [{IP}], targetRef: {{kind: Pod, name: nginx-0, namespace: bench}}}}]
""")
        env = dict(os.environ, MODE="local", METRICS_ADDR=METRICS, MAPPING_FILE=mapping, LOG_LEVEL="warn",
                   ENABLE_L4="false", ENABLE_L7_HTTP="true", ENABLE_L7_RESPONSES=str(RESPONSES).lower())
        self.p = subprocess.Popen([f"{java_home()}/bin/java", f"@{ROOT}/agent/jvm.options",
                                   "-jar", f"{ROOT}/agent/target/agent-0.1.0-SNAPSHOT.jar"], env=env)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://{METRICS}/readyz", timeout=1) as r:
                    if r.status == 200:
                        return
            except Exception:
                time.sleep(0.1)
        sys.exit("agent did not become ready in 30 s")

    def counts(self):
        time.sleep(0.25)  # one 100 ms poll after the last request, with margin
        with urllib.request.urlopen(f"http://{METRICS}/metrics", timeout=5) as r:
            text = r.read().decode()
        def total(name, *labels):
            return int(sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                           if line.startswith(name) and all(label in line for label in labels)))
        return [total("internal_http_requests_total{", 'destination_service="nginx"', 'destination_pod="nginx-0"'),
                total("internal_http_filtered_requests_total"), total("internal_http_lost_events_total"),
                total("internal_tls_handshakes_total{", 'destination_service="nginx"', 'destination_pod="nginx-0"'),
                total("internal_http_responses_total{", 'destination_service="nginx"', 'destination_pod="nginx-0"')]

    def cpu(self):
        return cpu_seconds(self.p.pid)

    def stop(self):
        self.p.terminate()
        self.p.wait(timeout=15)

def wrk(seconds):
    return subprocess.run(wrk_command(PIN, CONNECTIONS, seconds, WORKLOAD), capture_output=True, text=True, check=True).stdout

def wrk_run(nginx, runner):
    l7_before = runner.cpu() if runner else 0
    wrk_before, nginx_before = children_cpu(), cpu_seconds(nginx.worker)
    before_log = nginx.logged()
    before_count = runner.counts() if runner else None
    switches = context_switches()
    out = wrk(SECONDS)
    switches = context_switches() - switches
    time.sleep(0.3)  # nginx finishes logging; the runner polls
    after_count = runner.counts() if runner else None
    wrk_cpu, nginx_cpu = children_cpu() - wrk_before, cpu_seconds(nginx.worker) - nginx_before
    cpu = wrk_cpu + nginx_cpu + (runner.cpu() - l7_before if runner else 0)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    # system-wide: the slow mode of this workload shows as many more switches (BENCHMARKS.md)
    run = {"wrk_total": total, "rps": rps, "cpu": cpu, "nginx_cpu": nginx_cpu, "wrk_cpu": wrk_cpu,
           "logged": nginx.logged() - before_log,
           "ctxsw_per_s": round(switches / SECONDS)}
    if runner:
        run["counted"] = after_count[0] - before_count[0]
        run["lost"] = after_count[2] - before_count[2]
        run["handshakes"] = after_count[3] - before_count[3]
        run["responses"] = after_count[4] - before_count[4]
        run["l7_cpu"] = runner.cpu() - l7_before
    return run

def bpf_cost(nginx):
    """Kernel time in the HTTP programs per request (kernel.bpf_stats_enabled, which itself adds a little)."""
    runner = Agent(nginx.dir) if AGENT else Runner()
    try:
        wrk(5)
        subprocess.run(["sysctl", "-qw", "kernel.bpf_stats_enabled=1"], check=True)
        try:
            before = prog_stats()
            total = int(re.search(r"(\d+) requests in", wrk(SECONDS)).group(1))
            after = prog_stats()
        finally:
            subprocess.run(["sysctl", "-qw", "kernel.bpf_stats_enabled=0"], check=True)
    finally:
        runner.stop()
    return {name: ((after[name][0] - before.get(name, (0, 0))[0]) / total, after[name][1] - before.get(name, (0, 0))[1])
            for name in after}, total

def prog_stats():
    import json
    progs = json.loads(subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True, check=True).stdout)
    return {p["name"]: (p.get("run_time_ns", 0), p.get("run_cnt", 0)) for p in progs
            if p.get("name") in HTTP_PROGRAMS}

# the programs of every L7 hook tier (bpf/http.bpf.c)
HTTP_PROGRAMS = {"raw_sock_recv_length", "raw_sock_send_length", "raw_inet_sock_set_state"} | {
    f"{kind}_{function}" for kind in ("fexit", "kprobe", "kretprobe") for function in ("inet_recvmsg", "inet6_recvmsg")} | {
    f"{kind}_{function}" for kind in ("fentry", "kprobe") for function in ("inet_sendmsg", "inet6_sendmsg")} | {
    f"tp_sys_{side}_{call}" for side in ("enter", "exit") for call in ("read", "readv", "recvfrom", "recvmsg")} | {
    f"tp_sys_enter_{call}" for call in ("write", "writev", "sendto", "sendmsg")}

def dd_run():
    """The median CPU time of three dd runs: one run moves by +-5% on its own, more than the 2% limit.
    After a second's rest, so that the agent's JIT work after the last scrape is not on the clock."""
    time.sleep(1)
    times = []
    for _ in range(3):
        before = children_cpu()
        subprocess.run(DD, stderr=subprocess.DEVNULL, check=True)
        times.append(children_cpu() - before)
    return statistics.median(times)

def main():
    if os.geteuid() != 0:
        sys.exit("run as root (BPF)")
    with tempfile.TemporaryDirectory() as tmp:
        nginx = Nginx(tmp, PIN, WORKLOAD)
        off, on, dd_off, dd_on = [], [], [], []
        try:
            wrk_run(nginx, None)  # warm-up
            for i in range(PAIRS):
                off.append(wrk_run(nginx, None))
                dd_off.append(dd_run())
                runner = None if CONTROL else Agent(tmp) if AGENT else Runner()
                try:
                    # steady state, not measured: the JIT compiles the event path (~1.5 s CPU), then the first scrape
                    # deoptimises shared JDK code, which is compiled again before the measured run starts
                    wrk(5)
                    if runner:
                        runner.counts()
                    wrk(3)
                    on.append(wrk_run(nginx, runner))
                    dd_on.append(dd_run())
                finally:
                    if runner:
                        runner.stop()
                print(f"pair {i + 1}: off {off[-1]}\n        on  {on[-1]}\n        dd off {dd_off[-1]:.2f}s on {dd_on[-1]:.2f}s", flush=True)
            stats, requests = ({}, 0) if CONTROL else bpf_cost(nginx)
        finally:
            nginx.stop()
    per100k = lambda runs: [r["cpu"] / r["wrk_total"] * 100_000 for r in runs]
    cpu_off, cpu_on = statistics.median(per100k(off)), statistics.median(per100k(on))
    rps_off, rps_on = statistics.median(r["rps"] for r in off), statistics.median(r["rps"] for r in on)
    print(f"\nwrk -t1 -c{CONNECTIONS} -d{SECONDS}s, workload {WORKLOAD} -> nginx (1 worker){', pinned to CPUs 1 and 0' if PIN else ''}, {PAIRS} alternating pairs, "
          + ("CONTROL: no hooks on either side" if CONTROL else "agent jar (ENABLE_L7_HTTP=true, ENABLE_L4=false)" if AGENT
             else f"L7 runner polling every {POLL_MS} ms"))
    print(f"CPU s per 100k requests (nginx+wrk[+L7 runner]), median: off {cpu_off:.3f}  on {cpu_on:.3f}  ratio {cpu_on / cpu_off:.3f} (limit 1.05)")
    print(f"requests/s, median: off {rps_off:.0f}  on {rps_on:.0f}  ratio {rps_on / rps_off:.3f} (limit >= 0.95)")
    print(f"median of the per-pair ratios: CPU {statistics.median(b / a for a, b in zip(per100k(off), per100k(on))):.3f}"
          f"  requests/s {statistics.median(b['rps'] / a['rps'] for a, b in zip(off, on)):.3f}")
    for who in ("nginx", "wrk"):
        per_request = lambda runs: statistics.median(r[f"{who}_cpu"] / r["wrk_total"] * 1e6 for r in runs)
        print(f"{who} CPU per request, median: off {per_request(off):.2f} µs  on {per_request(on):.2f} µs")
    if not CONTROL:
        print(f"L7 process CPU per request, median: {statistics.median(r['l7_cpu'] / r['wrk_total'] * 1e6 for r in on):.3f} µs")
        for r in on:
            print(f"  on-run: wrk total {r['wrk_total']}  nginx logged {r['logged']}  L7 counted {r['counted']}  lost {r['lost']}"
                  f"  counted-wrk {r['counted'] - r['wrk_total']}  counted-logged {r['counted'] - r['logged']}  TLS handshakes {r['handshakes']}  responses {r['responses']}")
    for name, (ns_per_request, runs) in stats.items():
        print(f"BPF {name}: {ns_per_request:.0f} ns per request ({runs} runs for {requests} requests)")
    print(f"dd bs=64 count=3M CPU s, median: off {statistics.median(dd_off):.3f}  on {statistics.median(dd_on):.3f}"
          f"  ratio {statistics.median(dd_on) / statistics.median(dd_off):.3f} (limit 1.02)")

if __name__ == "__main__":
    main()
