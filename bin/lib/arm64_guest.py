"""bin/image-check's arm64 steps that need more than a chroot (run with Debian's /usr/bin/python3 + PyYAML).

  binfmt                  registers QEMU's aarch64 user-mode handler with binfmt_misc if it is not yet
  boot --image D --root R boots Debian trixie's arm64 kernel (bin/kernel-matrix's arm64-6.12: its package
                          fetch, initramfs and QEMU command) with R, the arm64 image's unpacked layers, as
                          the guest's whole root, runs the image's entrypoint there (its config in the skopeo
                          dir D, the env of deploy/daemonset.yaml, MODE=local with a mapping file), connects
                          to a mapped loopback address and asserts the counters read back from /metrics.

Exit 3 with one line when the arm64 machinery cannot be set up (no binfmt_misc, kernel not fetchable),
1 when a check fails, 2 on bad arguments.
"""
import argparse
import importlib.machinery
import importlib.util
import json
import shlex
import shutil
import sys
from pathlib import Path

LIB = Path(__file__).resolve().parent
REPO = LIB.parent.parent
sys.path.insert(0, str(LIB))
import nodesim  # noqa: E402  (parse_metrics, the manifest)


def kernel_matrix():
    """bin/kernel-matrix as a module (the file has no .py suffix)."""
    loader = importlib.machinery.SourceFileLoader("kernel_matrix", str(REPO / "bin/kernel-matrix"))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("kernel_matrix", loader))
    sys.modules["kernel_matrix"] = module  # dataclasses look their module up here
    loader.exec_module(module)
    return module


km = kernel_matrix()
KERNEL = next(k for k in km.KERNELS if k.name == "arm64-6.12")
SERVICE_IP = "127.0.0.9"  # a loopback address: the connects stay in the guest, which has no network anyway
CONNECTS = 3
GUEST_TIMEOUT = 600
MAPPING = nodesim.yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "v1", "kind": "Service", "metadata": {"namespace": "arm64", "name": "web"}, "spec": {"clusterIP": SERVICE_IP}}]})

# Runs in the guest under the job's busybox (the image has no shell): the DaemonSet's mounts that the
# cgroup tier needs, the image's entrypoint in the background, then connects and /metrics read back.
RUN_SH = r"""set -u
say() { echo "kernel-matrix-guest: $*"; }
# each applet by its own name: a process's comm, and so the agent's process_comm, is the name it ran by (nc)
mkdir -p /.busybox
for applet in env mount ip wget nc seq sleep kill grep; do ln -s /job/busybox /.busybox/$applet; done
export PATH=/.busybox
mount -t tmpfs -o mode=1777 tmpfs /tmp  # the DaemonSet's memory emptyDir (exec, as a kubelet's)
mount -t cgroup2 cgroup2 /sys/fs/cgroup  # the hostPath: a node's cgroup2 root
ip link set lo up
say "ready $(uname -r) $(uname -m)"
say "agent start"
cd /
env -i @ENV@ @ENTRYPOINT@ > /job/agent.log 2>&1 &
agent=$!
up=down
for _ in $(seq 1200); do
  wget -q -O /job/metrics-first.txt http://127.0.0.1:9102/metrics 2>/dev/null && { up=up; break; }
  kill -0 $agent 2>/dev/null || break
  sleep 0.5
done
say "metrics $up"
if [ $up = up ]; then
  for _ in $(seq @CONNECTS@); do nc @IP@ 80 </dev/null 2>/dev/null; done  # refused: nothing listens there
  say "connects made"
  # An emulated CPU running a barely compiled JVM can take seconds from ring to counter: read /metrics
  # until the service series shows every connect (or 60 s pass, and the host reports what it saw).
  for _ in $(seq 120); do
    wget -q -O /job/metrics.txt http://127.0.0.1:9102/metrics
    grep -q '^internal_tcp_service_attempts_total{destination_namespace="arm64",destination_service="web"} @CONNECTS@' /job/metrics.txt && break
    sleep 0.5
  done
  say "connects read back"
fi
kill -TERM $agent
wait $agent
echo $? > /job/agent.status
say "done"
"""


def die(code, message):
    print(f"image-check: {message}", file=sys.stderr)
    sys.exit(code)


def binfmt(_args):
    try:
        km.ensure_binfmt_arm64()
    except (OSError, km.subprocess.CalledProcessError) as e:
        die(3, f"cannot register QEMU's aarch64 binfmt_misc handler ({e}): apt-get install qemu-user-static")
    entry = Path("/proc/sys/fs/binfmt_misc/qemu-aarch64").read_text()
    if not entry.startswith("enabled") or "flags: " not in entry or "F" not in entry.split("flags: ")[1].split()[0]:
        # F (fix binary): the interpreter is opened at registration, so it also runs arm64 programs in a chroot
        die(3, f"the qemu-aarch64 binfmt_misc entry is not enabled with flag F: {entry.strip()}")


def image_config(image_dir):
    manifest = json.loads((image_dir / "manifest.json").read_text())
    return json.loads((image_dir / manifest["config"]["digest"].removeprefix("sha256:")).read_text())["config"]


def boot(args):
    image_dir, root = Path(args.image), Path(args.root)
    if not (image_dir / "manifest.json").exists():
        die(2, f"--image {image_dir} has no manifest.json: give the directory of `skopeo copy ... dir:DIR`")
    if not (root / "app").is_dir():
        die(2, f"--root {root} has no /app: give the image's layers unpacked")
    if not shutil.which("qemu-system-aarch64"):
        die(3, "qemu-system-aarch64 is missing: apt-get install qemu-system-arm")
    try:
        image = km.fetch_kernel(KERNEL)
        busybox = km.busybox(KERNEL)
    except (km.Unavailable, OSError, km.subprocess.CalledProcessError) as e:
        die(3, f"the {KERNEL.name} kernel or its busybox cannot be fetched: {e}")
    config = image_config(image_dir)
    _, container = nodesim.daemonset(str(REPO / "deploy/daemonset.yaml"))
    env = dict(item.split("=", 1) for item in config["Env"])
    env.update({e["name"]: e.get("value", "") for e in container.get("env", [])})
    env.update(MODE="local", MAPPING_FILE="/job/mapping.yaml")  # no API server in the guest
    job = km.CACHE / "runs" / "arm64-image"
    shutil.rmtree(job, ignore_errors=True)
    job.mkdir(parents=True)
    shutil.copy(busybox, job / "busybox")
    (job / "sh").symlink_to("busybox")  # busybox runs the applet its name says
    (job / "mapping.yaml").write_text(MAPPING)
    (job / "run.sh").write_text(
        RUN_SH.replace("@ENV@", " ".join(shlex.quote(f"{k}={v}") for k, v in env.items()))
        .replace("@ENTRYPOINT@", " ".join(shlex.quote(a) for a in config["Entrypoint"]))
        .replace("@CONNECTS@", str(CONNECTS)).replace("@IP@", SERVICE_IP))
    print(f"image-check: booting {image.package} with the arm64 image's layers as its root", file=sys.stderr)
    markers, total, locked_up = km.boot_guest(km.qemu_command(KERNEL, image, job, root, shell="/job/sh"), job, GUEST_TIMEOUT)
    if locked_up:
        die(1, f"the guest's CPUs were stuck for {km.LOCKUP_SECONDS} s (soft lockup; console: {job / 'console.log'})")
    at = {" ".join(words[:2]): now for now, words in markers}
    ready = next((now for now, words in markers if words[0] == "ready"), None)
    log = (job / "agent.log").read_text(errors="replace") if (job / "agent.log").exists() else ""
    problems = []
    if ready is None:
        die(1, f"the guest did not boot (console: {job / 'console.log'})")
    if "metrics up" not in at:
        die(1, f"the arm64 image's agent did not serve /metrics in the guest (console: {job / 'console.log'}):\n{log}")
    for want in ("libbpf.so.1: the agent's own copy", "connect hooks attached: tier cgroup at /sys/fs/cgroup"):
        if want not in log:
            problems.append(f"the agent's log lacks {want!r}")
    metrics = nodesim.parse_metrics((job / "metrics.txt").read_text() if (job / "metrics.txt").exists() else "")
    want = {("internal_agent_hook_tier", (("tier", "cgroup"),)): 1,
            ("internal_agent_hook_cgroup", (("cgroup", "/sys/fs/cgroup"), ("scope", "node"), ("tier", "cgroup"))): 1,
            ("internal_tcp_attempts_total", (("destination_namespace", "arm64"), ("destination_pod", ""),
                                             ("destination_service", "web"), ("process_comm", "nc"))): CONNECTS,
            ("internal_tcp_service_attempts_total", (("destination_namespace", "arm64"), ("destination_service", "web"))): CONNECTS}
    for key, value in want.items():
        if metrics.get(key) != value:
            problems.append(f"{key[0]}{dict(key[1])}: got {metrics.get(key)}, want {value}")
    status = (job / "agent.status").read_text().strip() if (job / "agent.status").exists() else "none"
    if status != "143":
        problems.append(f"the agent exited {status} after SIGTERM, want 143")
    if problems:
        die(1, "arm64 guest: " + "; ".join(problems) + f"\n{log}")
    print(f"image-check: arm64 image on {image.package} ({image.kver}): booted in {ready:.0f} s; agent start to"
          f" /metrics {at['metrics up'] - at['agent start']:.0f} s; connects to counted"
          f" {at['connects read'] - at['connects made']:.1f} s; tier cgroup at /sys/fs/cgroup, {CONNECTS} connects to"
          f" {SERVICE_IP} counted as arm64/web (process nc); SIGTERM: exit 143; guest {total:.0f} s", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(required=True)
    sub.add_parser("binfmt").set_defaults(fn=binfmt)
    a = sub.add_parser("boot")
    a.add_argument("--image", required=True, help="the arm64 image as `skopeo copy ... dir:` wrote it")
    a.add_argument("--root", required=True, help="its layers unpacked")
    a.set_defaults(fn=boot)
    args = parser.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
