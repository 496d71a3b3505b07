"""bin/node-sim's model of the simulated node and its checks (run with Debian's /usr/bin/python3 + PyYAML).

One place describes the pods and Services; the network namespaces, the kube-proxy rules, the agent's
MAPPING_FILE, the clients' targets and the expected counters are all derived from it, and the podman
arguments are derived from deploy/daemonset.yaml. Subcommands are listed at the bottom.
"""
import json
import os
import re
import subprocess
import sys
import time

import yaml

PREFIX = "nodesim"
NODE_NS = PREFIX + "-node"
SINK_NS = PREFIX + "-sink"
PORT = 80          # Service port
TARGET_PORT = 8080  # where each pod's http.server listens
# Each pod is the backend of some Services and the client of the other pod's (a pod reaching its own
# Service needs kube-proxy's hairpin masquerade, which this node leaves out).
PODS = {
    "a": {"ns": "shop", "name": "web-0", "v4": "10.244.1.10", "v6": "fd00:244:1::10",
          "node_v4": "10.244.1.1", "node_v6": "fd00:244:1::1"},
    "b": {"ns": "billing", "name": "api-0", "v4": "10.244.2.10", "v6": "fd00:244:2::10",
          "node_v4": "10.244.2.1", "node_v6": "fd00:244:2::1"},
}
SERVICES = [
    {"ns": "shop", "name": "web", "ips": ["10.96.0.10"], "backend": "a"},
    {"ns": "shop", "name": "dual", "ips": ["10.96.0.40", "fd00:96::40"], "backend": "a"},  # dual-stack
    {"ns": "billing", "name": "api", "ips": ["10.96.0.20"], "backend": "b"},
    {"ns": "billing", "name": "api6", "ips": ["fd00:96::20"], "backend": "b"},            # IPv6 only
    {"ns": "billing", "name": "empty", "ips": ["10.96.0.30"], "backend": None},           # zero endpoints
]
# Pod-IP connects: each address belongs to exactly one EndpointSlice, so its mapping is unambiguous.
POD_IP_TARGETS = {"a": [("b", "v4")], "b": [("a", "v6")]}
CLIENTS = ["curl", "python3", "java"]
CLUSTER_V4, CLUSTER_V6 = "10.96.0.0/16", "fd00:96::/64"
POD_V4, POD_V6 = "10.244.0.0/16", "fd00:244::/32"


def v6(ip):
    return ":" in ip


def netns(pod):
    return f"{PREFIX}-p{pod}"


def die(message):
    print(f"node-sim: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


# --- the manifest ----------------------------------------------------------------------------------
def daemonset(path):
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    sets = [d for d in docs if d.get("kind") == "DaemonSet"]
    if len(sets) != 1:
        die(f"{path}: expected one DaemonSet, found {len(sets)}")
    spec = sets[0]["spec"]["template"]["spec"]
    if len(spec["containers"]) != 1:
        die(f"{path}: expected one container")
    return spec, spec["containers"][0]


def memory_bytes(quantity):
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 10**3, "M": 10**6, "G": 10**9}
    m = re.fullmatch(r"(\d+)([KMG]i?|k)?", str(quantity))
    if not m:
        die(f"memory quantity {quantity!r} not understood")
    return int(m.group(1)) * units.get(m.group(2) or "", 1)


def podman_args(args):
    """`podman run` arguments for the manifest's container, one per line (NUL-separated on stdout)."""
    spec, c = daemonset(args.manifest)
    sc = c.get("securityContext", {})
    out = ["--name", args.name, "--detach", "--cgroupns=private", "--pids-limit=-1", "--systemd=false"]
    notes = []
    if spec.get("hostNetwork") is not True:
        die("the DaemonSet does not set hostNetwork: true; this simulation joins the node's network namespace")
    out.append(f"--network=ns:{args.netns}")
    if sc.get("privileged"):
        out.append("--privileged")
    if sc.get("allowPrivilegeEscalation") is False:
        out += ["--security-opt", "no-new-privileges"]
    if sc.get("readOnlyRootFilesystem"):
        out += ["--read-only", "--read-only-tmpfs=false"]  # podman would add tmpfs /tmp /run /var/tmp; Kubernetes does not
    if "runAsUser" in sc:
        out += ["--user", str(sc["runAsUser"])]
    caps = sc.get("capabilities", {})
    for cap in caps.get("drop", []):
        out.append("--cap-drop=" + ("all" if cap == "ALL" else "CAP_" + cap))
    for cap in caps.get("add", []):
        out.append("--cap-add=CAP_" + cap)
    seccomp = sc.get("seccompProfile", {}).get("type", "RuntimeDefault")
    if args.seccomp:
        out += ["--security-opt", f"seccomp={args.seccomp}"]
        notes.append(f"seccompProfile {seccomp} replaced by Localhost {args.seccomp}")
    elif seccomp == "Unconfined":
        out += ["--security-opt", "seccomp=unconfined"]
    elif seccomp != "RuntimeDefault":
        die(f"seccompProfile {seccomp}: pass the profile file to node-sim")
    limits = c.get("resources", {}).get("limits", {})
    if args.limits:
        if "memory" in limits:
            out.append(f"--memory={memory_bytes(limits['memory'])}")
        if "cpu" in limits:
            out.append(f"--cpus={limits['cpu']}")
    elif limits:
        notes.append(f"limits {limits} not applied (no cgroup-v2 controllers on this simulated host)")
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for m in c.get("volumeMounts", []):
        v = volumes[m["name"]]
        if "hostPath" in v:
            host = v["hostPath"]["path"]
            if host in args.without:
                notes.append(f"hostPath {host} left out")
                continue
            if v["hostPath"].get("type") == "Directory" and not os.path.isdir(host):
                die(f"hostPath {host} (type Directory) does not exist here")
            out += ["--volume", f"{host}:{m['mountPath']}:{'ro' if m.get('readOnly') else 'rw'},rbind"]
        elif "emptyDir" in v:
            ed = v["emptyDir"]
            if ed.get("medium") != "Memory":
                die(f"emptyDir {m['name']} is not medium: Memory")
            size = f",size={memory_bytes(ed['sizeLimit'])}" if "sizeLimit" in ed else ""
            # exec: podman's tmpfs default is noexec, a kubelet's emptyDir is not (the agent dlopens its libbpf from /tmp)
            out += ["--tmpfs", f"{m['mountPath']}:rw,exec,nosuid,nodev{size}"]
        else:
            die(f"volume {m['name']}: only hostPath and emptyDir are simulated")
    env = {e["name"]: e.get("value", "") for e in c.get("env", [])}
    for pair in args.env:
        key, value = pair.split("=", 1)
        if env.get(key) != value:
            notes.append(f"{key}={value} (manifest: {env.get(key, 'unset')!r})")
        env[key] = value
    for key, value in env.items():
        out += ["--env", f"{key}={value}"]
    for extra in args.mount:
        out += ["--volume", extra]
    out.append(args.image)
    print("node-sim: from the manifest: " + " ".join(a if " " not in a else repr(a) for a in out), file=sys.stderr)
    for note in notes:
        print(f"node-sim:   differs: {note}", file=sys.stderr)
    sys.stdout.write("\0".join(out) + "\0")


def manifest_value(args):
    spec, c = daemonset(args.manifest)
    if args.what == "grace":
        print(spec.get("terminationGracePeriodSeconds", 30))
    elif args.what == "image":
        print(c["image"])
    elif args.what == "metrics-port":
        print(next(p["containerPort"] for p in c.get("ports", []) if p.get("name") == "metrics"))
    elif args.what == "readiness-path":
        print(c["readinessProbe"]["httpGet"]["path"])
    elif args.what == "env":
        for e in c.get("env", []):
            print(f"{e['name']}={e.get('value', '')}")


# --- the node --------------------------------------------------------------------------------------
def setup_script(args):
    """Shell commands building the node and pod namespaces (no default route anywhere)."""
    lines = [f"ip netns add {NODE_NS}", f"ip -n {NODE_NS} link set lo up",
             # Forwarding inside the node namespace only (per-namespace sysctls).
             f"ip netns exec {NODE_NS} sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1",
             # ClusterIPs route into a sink namespace (no dummy module here): a packet no DNAT rewrote
             # reaches FORWARD, where a zero-endpoint Service is rejected; anything else dies in the sink,
             # which has no address, no route and no forwarding.
             f"ip netns add {SINK_NS}",
             f"ip -n {NODE_NS} link add kube-svc0 type veth peer name sink0 netns {SINK_NS}",
             f"ip -n {NODE_NS} link set kube-svc0 up", f"ip -n {SINK_NS} link set sink0 up",
             f"ip -n {NODE_NS} route add {CLUSTER_V4} dev kube-svc0",
             f"ip -n {NODE_NS} route add {CLUSTER_V6} dev kube-svc0"]
    for pod, p in PODS.items():
        ns, host_if = netns(pod), f"veth-{pod}"
        lines += [f"ip netns add {ns}", f"ip -n {ns} link set lo up",
                  f"ip -n {NODE_NS} link add {host_if} type veth peer name eth0 netns {ns}",
                  f"ip -n {NODE_NS} addr add {p['node_v4']}/24 dev {host_if}",
                  f"ip -n {NODE_NS} addr add {p['node_v6']}/64 dev {host_if} nodad",
                  f"ip -n {NODE_NS} link set {host_if} up",
                  f"ip -n {ns} addr add {p['v4']}/24 dev eth0",
                  f"ip -n {ns} addr add {p['v6']}/64 dev eth0 nodad",
                  f"ip -n {ns} link set eth0 up"]
        for net in (CLUSTER_V4, POD_V4):
            lines.append(f"ip -n {ns} route add {net} via {p['node_v4']}")
        for net in (CLUSTER_V6, POD_V6):
            lines.append(f"ip -n {ns} route add {net} via {p['node_v6']}")
    print("\n".join(lines))


def chain_id(svc):
    return f"{svc['ns']}-{svc['name']}".upper().replace("-", "_")[:20]


def rules(args):
    """kube-proxy's rules for SERVICES, in its iptables mode (iptables-restore input per family) or
    its nftables mode (one nft script). Shapes follow kube-proxy: KUBE-SERVICES → KUBE-SVC → KUBE-SEP
    DNAT in nat, zero-endpoint Services REJECTed in filter; nftables: service-ips / no-endpoint-services
    verdict maps, numgen over endpoints, a reject chain."""
    family = args.family
    fam_services = [(s, ip) for s in SERVICES for ip in s["ips"] if v6(ip) == (family == "6")]
    if args.mode == "iptables":
        reject = "icmp-port-unreachable" if family == "4" else "icmp6-port-unreachable"
        nat = ["*nat", ":KUBE-SERVICES - [0:0]",
               "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
               "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES"]
        flt = ["*filter", ":KUBE-SERVICES - [0:0]"]
        for hook in ("INPUT", "FORWARD", "OUTPUT"):
            flt.append(f"-A {hook} -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES")
        for svc, ip in fam_services:
            mask = "128" if family == "6" else "32"
            comment = f"{svc['ns']}/{svc['name']}:http"
            if svc["backend"] is None:
                flt.append(f"-A KUBE-SERVICES -d {ip}/{mask} -p tcp -m comment --comment \"{comment} has no endpoints\""
                           f" -m tcp --dport {PORT} -j REJECT --reject-with {reject}")
                continue
            pod = PODS[svc["backend"]]
            ep = pod["v6"] if family == "6" else pod["v4"]
            dest = f"[{ep}]:{TARGET_PORT}" if family == "6" else f"{ep}:{TARGET_PORT}"
            svc_chain, sep_chain = "KUBE-SVC-" + chain_id(svc), "KUBE-SEP-" + chain_id(svc)
            nat += [f":{svc_chain} - [0:0]", f":{sep_chain} - [0:0]",
                    f"-A KUBE-SERVICES -d {ip}/{mask} -p tcp -m comment --comment \"{comment} cluster IP\" -m tcp --dport {PORT} -j {svc_chain}",
                    f"-A {svc_chain} -m comment --comment \"{comment} -> {dest}\" -j {sep_chain}",
                    f"-A {sep_chain} -p tcp -m comment --comment \"{comment}\" -m tcp -j DNAT --to-destination {dest}"]
        print("\n".join(nat + ["COMMIT"] + flt + ["COMMIT"]))
        return
    table = "ip" if family == "4" else "ip6"
    addr = "ip daddr" if family == "4" else "ip6 daddr"
    key = "ipv4_addr" if family == "4" else "ipv6_addr"
    svc_elems, noep_elems, chains = [], [], []
    for svc, ip in fam_services:
        name = f"service-{chain_id(svc)}-tcp"
        if svc["backend"] is None:
            noep_elems.append(f"{ip} . tcp . {PORT} : goto reject-chain")
            continue
        pod = PODS[svc["backend"]]
        ep = pod["v6"] if family == "6" else pod["v4"]
        dest = f"[{ep}]:{TARGET_PORT}" if family == "6" else f"{ep}:{TARGET_PORT}"
        svc_elems.append(f"{ip} . tcp . {PORT} : goto {name}")
        chains.append(f"  chain {name} {{ numgen random mod 1 vmap {{ 0 : goto endpoint-{chain_id(svc)} }}; }}")
        chains.append(f"  chain endpoint-{chain_id(svc)} {{ meta l4proto tcp dnat to {dest}; }}")

    def vmap(name, elems):
        body = f" elements = {{ {', '.join(elems)} }}" if elems else ""
        return f"  map {name} {{ type {key} . inet_proto . inet_service : verdict ;{body} }}"

    print("\n".join([
        f"table {table} kube-proxy {{",
        vmap("service-ips", svc_elems), vmap("no-endpoint-services", noep_elems),
        "  chain reject-chain { reject; }",
        f"  chain services {{ {addr} . meta l4proto . th dport vmap @service-ips; }}",
        f"  chain service-endpoints-check {{ {addr} . meta l4proto . th dport vmap @no-endpoint-services; }}",
        "  chain filter-input { type filter hook input priority -110; ct state new jump service-endpoints-check; }",
        "  chain filter-forward { type filter hook forward priority -110; ct state new jump service-endpoints-check; }",
        "  chain filter-output { type filter hook output priority -110; ct state new jump service-endpoints-check; }",
        "  chain nat-prerouting { type nat hook prerouting priority -100; jump services; }",
        "  chain nat-output { type nat hook output priority -100; jump services; }",
        *chains, "}"]))


def mapping(args):
    """The agent's MAPPING_FILE: the Services and EndpointSlices as `kubectl get svc,endpointslices -A -o yaml`."""
    items = []
    for svc in SERVICES:
        families = ["IPv6" if v6(ip) else "IPv4" for ip in svc["ips"]]
        items.append({"apiVersion": "v1", "kind": "Service",
                      "metadata": {"namespace": svc["ns"], "name": svc["name"]},
                      "spec": {"clusterIP": svc["ips"][0], "clusterIPs": svc["ips"], "ipFamilies": families,
                               "ipFamilyPolicy": "RequireDualStack" if len(families) > 1 else "SingleStack",
                               "ports": [{"name": "http", "port": PORT, "targetPort": TARGET_PORT}]}})
        if svc["backend"] is None:
            continue
        pod = PODS[svc["backend"]]
        for family in families:
            items.append({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                          "metadata": {"namespace": svc["ns"], "name": f"{svc['name']}-{family.lower()}",
                                       "labels": {"kubernetes.io/service-name": svc["name"]}},
                          "addressType": family,
                          "endpoints": [{"addresses": [pod["v6" if family == "IPv6" else "v4"]],
                                         "targetRef": {"kind": "Pod", "namespace": pod["ns"], "name": pod["name"]}}],
                          "ports": [{"name": "http", "port": TARGET_PORT}]})
    print(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items}, sort_keys=False))


# --- clients and counters --------------------------------------------------------------------------
def targets(pod):
    """(ip, port, namespace, service, destination_pod, expect) the pod's clients connect to."""
    out = []
    for svc in SERVICES:
        if svc["backend"] == pod:
            continue
        for ip in svc["ips"]:
            out.append((ip, PORT, svc["ns"], svc["name"], "", "refused" if svc["backend"] is None else "ok"))
    for other, family in POD_IP_TARGETS[pod]:
        p = PODS[other]
        ip = p[family]
        svc = next(s for s in SERVICES if s["backend"] == other and any(v6(x) == (family == "v6") for x in s["ips"]))
        out.append((ip, TARGET_PORT, svc["ns"], svc["name"], p["name"], "ok"))
    return out


def in_pod(pod, cgroup_root, argv):
    """Runs argv in the pod's network namespace and cgroup2 directory; returns (exit status, output)."""
    cg = os.path.join(cgroup_root, PREFIX, f"pod-{pod}", "cgroup.procs")

    def enter():
        with open(cg, "w") as f:
            f.write(str(os.getpid()))
    r = subprocess.run(["ip", "netns", "exec", netns(pod)] + argv, preexec_fn=enter, capture_output=True,
                       text=True, timeout=60)
    return r.returncode, r.stdout + r.stderr


def url(ip, port, path="/"):
    return f"http://[{ip}]:{port}{path}" if v6(ip) else f"http://{ip}:{port}{path}"


PY_CLIENT = """
import socket, sys
for target in sys.argv[1:]:
    ip, port = target.rsplit(",", 1)
    s = socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET)
    s.settimeout(3)
    try:
        s.connect((ip, int(port))); print("ok")
    except ConnectionRefusedError:
        print("refused")
    except OSError as e:
        print("error:" + str(e))
    s.close()
"""


def run_clients(args):
    """Each client connects once to each target from the pod; outcomes are checked; the ledger gets
    one line per connect() made (what the agent must count)."""
    ledger = []
    ts = targets(args.pod)
    for client in CLIENTS:
        if client == "curl":
            results = []
            for ip, port, *_ in ts:
                status, output = in_pod(args.pod, args.cgroup_root,
                                        ["curl", "-sS", "-o", "/dev/null", "--connect-timeout", "3", "-m", "5", url(ip, port)])
                # curl's 7 is "Couldn't connect" (ECONNREFUSED among others; a timeout is 28)
                results.append("ok" if status == 0 else "refused" if status == 7 else f"error:{status} {output.strip()}")
        elif client == "python3":
            status, output = in_pod(args.pod, args.cgroup_root, ["/usr/bin/python3", "-c", PY_CLIENT] + [f"{t[0]},{t[1]}" for t in ts])
            results = output.split()
        else:
            status, output = in_pod(args.pod, args.cgroup_root, [os.path.join(args.java_home, "bin", "java"),
                                    "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", args.java_classes, "Connect"]
                                    + [f"{t[0]},{t[1]}" for t in ts])
            results = output.split()
        if len(results) != len(ts):
            die(f"pod {args.pod} {client}: {len(ts)} targets, output {output!r}")
        for (ip, port, ns, svc, dpod, expect), got in zip(ts, results):
            if got != expect:
                die(f"pod {args.pod} {client} → {ip}:{port} ({ns}/{svc}): {got}, expected {expect}")
            ledger.append({"kind": "tcp", "ns": ns, "svc": svc, "pod": dpod, "comm": client})
    with open(args.ledger, "a") as f:
        for entry in ledger:
            f.write(json.dumps(entry) + "\n")
    print(f"node-sim:   pod {args.pod} ({PODS[args.pod]['ns']}/{PODS[args.pod]['name']}): "
          f"{len(ledger)} connects ({len(ts)} targets × {', '.join(CLIENTS)}), outcomes as expected", file=sys.stderr)


def run_l7(args):
    """HTTP requests from pod a's curl to billing/api's ClusterIP, served by pod b's http.server."""
    svc = next(s for s in SERVICES if s["name"] == "api")
    server = PODS[svc["backend"]]
    ledger = []
    for method, path, times in (("GET", "/orders", 3), ("POST", "/orders", 2), ("GET", "/cart", 1)):
        for _ in range(times):
            status, output = in_pod(args.pod, args.cgroup_root, ["curl", "-sS", "-o", "/dev/null", "-X", method,
                                    "--connect-timeout", "3", "-m", "5", url(svc["ips"][0], PORT, path)])
            if status != 0:
                die(f"L7 {method} {path}: curl {status} {output}")
            ledger.append({"kind": "tcp", "ns": svc["ns"], "svc": svc["name"], "pod": "", "comm": "curl"})
            ledger.append({"kind": "http", "source_ip": PODS[args.pod]["v4"], "ns": server["ns"], "svc": svc["name"],
                           "pod": server["name"], "method": method, "path": path, "comm": "python3"})
    with open(args.ledger, "a") as f:
        for entry in ledger:
            f.write(json.dumps(entry) + "\n")
    print(f"node-sim:   L7: {sum(e['kind'] == 'http' for e in ledger)} HTTP requests pod a → {svc['ns']}/{svc['name']}", file=sys.stderr)


SERIES = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    out = {}
    for line in text.splitlines():
        m = SERIES.match(line)
        if m and not line.startswith("#"):
            labels = tuple(sorted(LABEL.findall(m.group(2) or "")))
            out[(m.group(1), labels)] = float(m.group(3))
    return out


def expected(ledger_path):
    want = {}
    with open(ledger_path) as f:
        for line in f:
            e = json.loads(line)
            if e["kind"] == "tcp":
                keys = [("internal_tcp_attempts_total", (("destination_namespace", e["ns"]), ("destination_pod", e["pod"]),
                                                         ("destination_service", e["svc"]), ("process_comm", e["comm"]))),
                        ("internal_tcp_service_attempts_total", (("destination_namespace", e["ns"]), ("destination_service", e["svc"])))]
            else:
                keys = [("internal_http_requests_total", tuple(sorted({
                    "source_ip": e["source_ip"], "destination_namespace": e["ns"], "destination_service": e["svc"],
                    "destination_pod": e["pod"], "method": e["method"], "path": e["path"], "process_comm": e["comm"]}.items())))]
            for k in keys:
                want[k] = want.get(k, 0) + 1
    return want


def observed(metrics, families):
    """The mapped series of the counted families (unmapped ones, destination_namespace="", are the rest of
    this machine's traffic and are not ours to predict)."""
    return {k: v for k, v in metrics.items() if k[0] in families and dict(k[1]).get("destination_namespace", "")}


def check(args):
    """Polls /metrics until the mapped counters equal the ledger exactly (bounded), then checks that
    they stay there; also that every Service's activation series exists."""
    want = expected(args.ledger)
    families = {"internal_tcp_attempts_total", "internal_tcp_service_attempts_total", "internal_http_requests_total"}
    deadline = time.monotonic() + args.timeout
    while True:
        got = observed(parse_metrics(fetch(args.url)), families)
        # A Service's activation series exists at 0 before its first attempt: zero entries are expected too.
        nonzero = {k: v for k, v in got.items() if v != 0}
        if nonzero == want or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    time.sleep(0.5)
    metrics = parse_metrics(fetch(args.url))
    got = observed(metrics, families)
    nonzero = {k: v for k, v in got.items() if v != 0}
    problems = []
    for k in sorted(set(want) | set(nonzero)):
        if want.get(k, 0) != nonzero.get(k, 0):
            problems.append(f"{k[0]}{{{', '.join(f'{a}={b}' for a, b in k[1])}}}: got {nonzero.get(k, 0):g}, want {want.get(k, 0)}")
    for svc in SERVICES:
        key = ("internal_tcp_service_attempts_total", (("destination_namespace", svc["ns"]), ("destination_service", svc["name"])))
        if key not in metrics:
            problems.append(f"activation series of {svc['ns']}/{svc['name']} missing")
    if problems:
        die("counters differ from the connects made:\n  " + "\n  ".join(problems))
    tcp = sum(v for k, v in want.items() if k[0] == "internal_tcp_attempts_total")
    http = sum(v for k, v in want.items() if k[0] == "internal_http_requests_total")
    print(f"node-sim:   /metrics exact: {tcp} attempts in {sum(1 for k in want if k[0] == 'internal_tcp_attempts_total')} series, "
          f"activation {sorted((dict(k[1])['destination_namespace'] + '/' + dict(k[1])['destination_service'], int(v)) for k, v in metrics.items() if k[0] == 'internal_tcp_service_attempts_total')}"
          + (f", {http} HTTP requests" if http else ""), file=sys.stderr)


def fetch(url):
    r = subprocess.run(["ip", "netns", "exec", NODE_NS, "curl", "-sf", "-m", "5", url], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        die(f"GET {url} in {NODE_NS}: curl {r.returncode} {r.stderr.strip()}")
    return r.stdout


def main():
    import argparse
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("podman-args")
    a.add_argument("--manifest", required=True)
    a.add_argument("--name", required=True)
    a.add_argument("--netns", required=True)
    a.add_argument("--image", required=True)
    a.add_argument("--seccomp")
    a.add_argument("--no-limits", dest="limits", action="store_false")
    a.add_argument("--without", action="append", default=[], help="a hostPath to leave out")
    a.add_argument("--env", action="append", default=[])
    a.add_argument("--mount", action="append", default=[])
    a.set_defaults(fn=podman_args)
    a = sub.add_parser("manifest")
    a.add_argument("--manifest", required=True)
    a.add_argument("what", choices=["grace", "image", "metrics-port", "readiness-path", "env"])
    a.set_defaults(fn=manifest_value)
    sub.add_parser("setup-script").set_defaults(fn=setup_script)
    a = sub.add_parser("rules")
    a.add_argument("mode", choices=["iptables", "nftables"])
    a.add_argument("family", choices=["4", "6"])
    a.set_defaults(fn=rules)
    sub.add_parser("mapping").set_defaults(fn=mapping)
    for name, fn in (("clients", run_clients), ("l7", run_l7)):
        a = sub.add_parser(name)
        a.add_argument("pod", choices=list(PODS))
        a.add_argument("--cgroup-root", required=True)
        a.add_argument("--ledger", required=True)
        a.add_argument("--java-home", default=os.environ.get("JAVA_HOME", ""))
        a.add_argument("--java-classes", default="")
        a.set_defaults(fn=fn)
    a = sub.add_parser("check")
    a.add_argument("--url", required=True)
    a.add_argument("--ledger", required=True)
    a.add_argument("--timeout", type=float, default=15)
    a.set_defaults(fn=check)
    args = p.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
