#!/usr/bin/env bash
# Series benchmark: retained heap per attempt series and the cost of one scrape at that size.
# Usage: bench/series/run.sh [series ...]   (default 0 5000 10000 20000; 0 is the control)
# The agent's GC (SerialGC is what the JVM picks in a 2-CPU container).
exec "$(dirname "${BASH_SOURCE[0]}")/../test-main.sh" dev.k8sebpf.agent.metrics.SeriesBench -XX:+UseSerialGC -Xmx2g -- "$@"
