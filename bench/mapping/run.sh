#!/usr/bin/env bash
# Cluster-mapping benchmark: mock API server with N Services × M endpoints → sync time, retained heap,
# lookups/s on one thread. Usage: bench/mapping/run.sh [services=10000] [endpoints-per-service=5] [with-pods=false]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
./mvnw -q -pl agent -am test-compile -Dbpf.skip=true
cp_file="$root/agent/target/bench-classpath.txt"
./mvnw -q -pl agent dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
java_home="${JAVA_HOME:-$(ls -d /usr/lib/jvm/temurin-25-jdk-* | head -1)}"
# The agent's GC; lookups are measured on one thread.
exec "$java_home/bin/java" -XX:+UseSerialGC -Xmx2g \
  -cp "$root/agent/target/test-classes:$root/agent/target/classes:$(cat "$cp_file")" \
  dev.k8sebpf.agent.kubernetes.MappingBench "$@"
