#!/usr/bin/env python3
"""L7 benchmark in windows: wrk -> nginx (keep-alive, loopback) runs without a break while
bench/l7/L7Runner.java attaches and detaches the HTTP hooks, so that "on" and "off" are measured
seconds apart on the same connections. run.py's alternating runs cannot resolve a few percent here:
"off" runs alone differ by up to 25% (BENCHMARKS.md). Each pair is an "off" and an "on" window
(order alternating, so a drift favours neither); the first half second after each switch is not
measured. Per window: requests (nginx's access log), CPU of nginx + wrk + the runner (/proc). Prints
the median of the per-pair ratios, the ratio of the totals, and each process's CPU per request.
--control never attaches: both windows are "off", which shows what the method itself scatters. --workload as in run.py (default varied),
or grpc: bench/l7/GrpcLoad.java's client -> its grpc-java server instead of wrk -> nginx (unary calls, cleartext HTTP/2).
--compare=tls: "off" windows attach the hooks too, with TLS handshakes not captured (ENABLE_L7_TLS=false), "on" windows
with them captured: the ratio is what capturing TLS handshakes adds to the L7 hooks. --compare=responses: "off" windows
attach the hooks without responses, "on" windows with them (ENABLE_L7_RESPONSES=true). --compare=all: "off" windows
detach the hooks, "on" windows attach them with responses: the whole cost of requests and responses. --control:
every window is "off".
Run as root from the repository root after `./mvnw -DskipTests package`:
    bench/l7/windows.py [--control] [--pin] [--workload=varied|short|replay|tls|tls-short|grpc] [--compare=hooks|tls|responses|all] [runs] [pairs] [window_seconds] [connections]"""
import os, statistics, subprocess, sys, tempfile, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from proc import cpu_seconds  # noqa: E402
from nginx import WORKLOADS, Nginx, wrk_command  # noqa: E402
import grpcload  # noqa: E402
import l7runner  # noqa: E402

CONTROL = "--control" in sys.argv
PIN = "--pin" in sys.argv
WORKLOAD = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--workload=")), "varied")
GRPC = WORKLOAD == "grpc"
if WORKLOAD not in WORKLOADS and not GRPC:
    sys.exit(f"--workload: one of {', '.join(WORKLOADS)}, grpc")
# the runner's commands for the two states compared
COMPARE = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--compare=")), "hooks")
STATES = {"hooks": ("off", "on"), "tls": ("on no-tls", "on"), "responses": ("on", "on responses"), "all": ("off", "on responses")}
if COMPARE not in STATES:
    sys.exit(f"--compare: one of {', '.join(STATES)}")
OFF, ON = STATES[COMPARE]
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
RUNS = int(ARGS[0]) if len(ARGS) > 0 else 3
PAIRS = int(ARGS[1]) if len(ARGS) > 1 else 12
WINDOW = float(ARGS[2]) if len(ARGS) > 2 else 3.0
CONNECTIONS = int(ARGS[3]) if len(ARGS) > 3 else 8
SETTLE = 0.5
# the gRPC server's and client's JIT: their CPU per call halves over the first ~15 s
WARM_UP = 20 if GRPC else 0
PROCESSES = ("server", "client", "runner") if GRPC else ("nginx", "wrk", "runner")  # the order of window()'s pids

class Runner:
    """L7Runner: the l7 package alone, polling every 100 ms like the agent; "on"/"off" on stdin."""
    def __init__(self):
        self.p = l7runner.start(100)
        self.state = "on"

    def switch(self, state):
        if state == self.state:
            return
        # from one attached state to the other the hooks are detached first
        if self.state != "off" and state != "off":
            self.command("off")
        self.command(state)
        self.state = state

    def command(self, command):
        self.p.stdin.write(command + "\n")
        self.p.stdin.flush()
        if self.p.stdout.readline().strip() != command:
            sys.exit(f"L7 runner did not switch {command}")

    def stop(self):
        self.p.stdin.close()
        self.p.wait()

class LogCounter:
    """Lines the server (nginx, or the gRPC server) has appended to its access log so far: one per request."""
    def __init__(self, path):
        self.f = open(path, "rb")
        self.f.seek(0, os.SEEK_END)
        self.lines = 0

    def count(self):
        while chunk := self.f.read(1 << 20):
            self.lines += chunk.count(b"\n")
        return self.lines

def window(state, runner, log, pids, client):
    runner.switch(OFF if CONTROL or state == "off" else ON)
    if GRPC:
        # new connections in every window: hooks attached afresh never see an HTTP/2 connection's preface
        # again, and would find nothing to capture on the old ones
        client.stdin.write("reconnect\n")
        client.stdin.flush()
    time.sleep(SETTLE)
    requests, before, start = log.count(), [cpu_seconds(p) for p in pids], time.monotonic()
    time.sleep(WINDOW)
    requests, seconds = log.count() - requests, time.monotonic() - start
    each = [cpu_seconds(p) - b for p, b in zip(pids, before)]
    cpu = sum(each)
    return {"rps": requests / seconds, "cpu_per_request": cpu / requests, "requests": requests, "cpu": cpu,
            **dict(zip(PROCESSES, each))}

def run(server):
    runner = Runner()
    log = LogCounter(server.log)
    duration = int(PAIRS * 2 * (WINDOW + SETTLE + 0.3) + 10 + WARM_UP)
    load = grpcload.client_command(PIN, CONNECTIONS, duration) if GRPC else wrk_command(PIN, CONNECTIONS, duration, WORKLOAD)
    client = subprocess.Popen(load, stdout=subprocess.DEVNULL, stdin=subprocess.PIPE if GRPC else None, text=True)
    pairs = []
    try:
        pids = [server.worker, client.pid, runner.p.pid]
        # the client may take seconds to start (GrpcLoad.java is compiled first): wait for its first request
        for _ in range(600):
            if log.count() > 0:
                break
            time.sleep(0.1)
        else:
            sys.exit("the client sent no request in 60 s")
        time.sleep(WARM_UP)
        window("on", runner, log, pids, client)  # warm-up: the runner's JIT, wrk's connections
        for i in range(PAIRS):
            order = ("off", "on") if i % 2 == 0 else ("on", "off")
            measured = {state: window(state, runner, log, pids, client) for state in order}
            pairs.append(measured)
            print(f"pair {i + 1}: off {measured['off']['rps']:.0f} req/s {measured['off']['cpu_per_request'] * 1e6:.2f} µs"
                  f" | on {measured['on']['rps']:.0f} req/s {measured['on']['cpu_per_request'] * 1e6:.2f} µs", flush=True)
    finally:
        client.terminate()
        client.wait()
        runner.stop()
    return pairs

def main():
    if os.geteuid() != 0:
        sys.exit("run as root (BPF)")
    pairs = []
    with tempfile.TemporaryDirectory() as tmp:
        server = grpcload.GrpcServer(tmp, PIN) if GRPC else Nginx(tmp, PIN, WORKLOAD)
        try:
            for r in range(RUNS):
                print(f"run {r + 1} (fresh client connections)", flush=True)
                pairs += run(server)
        finally:
            server.stop()
    rps = [p["on"]["rps"] / p["off"]["rps"] for p in pairs]
    cpu = [p["on"]["cpu_per_request"] / p["off"]["cpu_per_request"] for p in pairs]
    total = lambda state, key: sum(p[state][key] for p in pairs)
    load = f"GrpcLoad client, {CONNECTIONS} connections x {grpcload.IN_FLIGHT} calls in flight -> grpc-java server" if GRPC else \
        f"wrk -t1 -c{CONNECTIONS}, workload {WORKLOAD} -> nginx (1 worker)"
    print(f"\n{load}{', pinned to CPUs 1 and 0' if PIN else ''}; {RUNS} runs x {PAIRS} pairs of"
          f" {WINDOW:g} s windows; " + ("CONTROL: " if CONTROL else "")
          + f"L7 runner, windows '{OFF}' and '{CONTROL and OFF or ON}'")
    print(f"per-pair ratios on/off, median [quartiles]: CPU per request {statistics.median(cpu):.3f} "
          f"[{statistics.quantiles(cpu)[0]:.3f}, {statistics.quantiles(cpu)[2]:.3f}] (limit 1.05)"
          f"   requests/s {statistics.median(rps):.3f} [{statistics.quantiles(rps)[0]:.3f}, {statistics.quantiles(rps)[2]:.3f}] (limit >= 0.95)")
    print(f"totals: CPU per request off {total('off', 'cpu') / total('off', 'requests') * 1e6:.2f} µs"
          f"  on {total('on', 'cpu') / total('on', 'requests') * 1e6:.2f} µs"
          f"  ratio {(total('on', 'cpu') / total('on', 'requests')) / (total('off', 'cpu') / total('off', 'requests')):.3f}")
    # where the difference goes: each process's CPU per request (totals), off -> on
    print("per process, µs per request off -> on (totals): " + ", ".join(
        f"{name} {total('off', name) / total('off', 'requests') * 1e6:.2f} -> {total('on', name) / total('on', 'requests') * 1e6:.2f}"
        for name in PROCESSES))

if __name__ == "__main__":
    main()
