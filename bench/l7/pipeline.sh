#!/bin/sh
# The agent's per-event L7 work without the kernel (PipelineBench.java), with the agent's JVM flags.
# Usage, from the repository root after ./mvnw -DskipTests package:
#   bench/l7/pipeline.sh          requests that differ as service traffic does, on 8 keep-alive connections
#   bench/l7/pipeline.sh replay   wrk's one request repeated
set -eu
. bin/jdk-env
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cp="agent/target/classes:agent/target/lib/*"
"$JAVA_HOME/bin/javac" -d "$out" -cp "$cp" bench/l7/pipeline/dev/k8sebpf/agent/l7/PipelineBench.java
"$JAVA_HOME/bin/java" @agent/jvm.options -cp "$out:$cp" dev.k8sebpf.agent.l7.PipelineBench "$@"
