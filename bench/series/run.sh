#!/usr/bin/env bash
# Series benchmark: retained heap per attempt series and the cost of one scrape at that size.
# Usage: bench/series/run.sh [series ...]   (default 0 1000 5000 10000 20000; 0 is the control)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
source bin/jdk-env
./mvnw -q -pl agent -am test-compile -Dbpf.skip=true
cp_file="$root/agent/target/bench-classpath.txt"
./mvnw -q -pl agent dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
# The agent's GC (SerialGC is what the JVM picks in a 2-CPU container).
exec "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xmx2g \
  -cp "$root/agent/target/test-classes:$root/agent/target/classes:$(cat "$cp_file")" \
  dev.k8sebpf.agent.metrics.SeriesBench "$@"
