#!/usr/bin/env bash
# Attempt → external-push StreamIsActive true, p50/p99 over N cold Services, beside the Prometheus path.
# Usage: bench/scaler/run.sh [services=200]   (root: the agent loads eBPF)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
source bin/jdk-env
./mvnw -q -pl agent -am test-compile -Dbpf.skip=true
cp_file="$root/agent/target/bench-classpath.txt"
./mvnw -q -pl agent dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
cd agent # AgentProcess finds agent/jvm.options from here
exec "$JAVA_HOME/bin/java" -cp "$root/agent/target/test-classes:$root/agent/target/classes:$(cat "$cp_file")" \
  dev.k8sebpf.agent.ScalerLatencyBench "$@"
