#!/usr/bin/env bash
# One cluster scaler replica under load: N simulated agents over loopback, S Services, K open streams,
# 1 attempt/s per agent; the scaler's CPU per second, heap, attempt → true (BENCHMARKS.md, "Cluster scaler").
# Usage: bench/scaler/cluster.sh [agents=1000] [services=10000] [streams=100] [seconds=60]
exec "$(dirname "${BASH_SOURCE[0]}")/../test-main.sh" dev.k8sebpf.agent.ClusterScalerBench "$@"
