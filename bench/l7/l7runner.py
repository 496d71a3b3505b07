"""bench/l7/L7Runner.java in a JVM with the agent's options: the l7 package alone, its hooks attached to
the HTTP server on nginx.IP, polling every poll_ms like the agent; commands on stdin, answers on stdout."""
import os, subprocess, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from proc import java_home  # noqa: E402
from nginx import IP  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

def start(poll_ms):
    """The runner's process, once it said it is ready (its hooks attached)."""
    cp = f"{ROOT}/agent/target/classes:{ROOT}/agent/target/lib/*"
    p = subprocess.Popen([f"{java_home()}/bin/java", f"@{ROOT}/agent/jvm.options",
                          "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                          "-cp", cp, f"{ROOT}/bench/l7/L7Runner.java", IP, str(poll_ms)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if p.stdout.readline().strip() != "ready":
        sys.exit("L7 runner did not start")
    return p
