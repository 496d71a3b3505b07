"""Helpers shared by the benchmark scripts: the JDK the agent runs on and CPU time read from /proc."""
import os, subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))

def java_home():
    out = subprocess.run(["bash", "-c", f"source {ROOT}/bin/jdk-env; echo $JAVA_HOME"], capture_output=True, text=True)
    return out.stdout.strip()

def cpu_seconds(pid):
    """user+sys CPU seconds of a running process."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def children_cpu():
    """user+sys CPU seconds of this process's waited-for children so far."""
    t = os.times()
    return t.children_user + t.children_system

def context_switches():
    """Context switches of the whole system so far (/proc/stat ctxt)."""
    with open("/proc/stat") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("ctxt "))
