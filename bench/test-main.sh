#!/usr/bin/env bash
# Runs a benchmark main class of the agent's test sources with the test classpath, from agent/ (where
# the agent's child JVMs find agent/jvm.options). Usage: bench/test-main.sh CLASS [JVM options --] [args]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source bin/jdk-env
./mvnw -q -pl agent -am test-compile -Dbpf.skip=true
cp_file="$root/agent/target/bench-classpath.txt"
./mvnw -q -pl agent dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
class="$1"; shift
jvm=()
if [[ " $* " == *" -- "* ]]; then
  while [ "$1" != "--" ]; do jvm+=("$1"); shift; done
  shift
fi
cd agent
exec "$JAVA_HOME/bin/java" "${jvm[@]}" -cp "$root/agent/target/test-classes:$root/agent/target/classes:$(cat "$cp_file")" "$class" "$@"
