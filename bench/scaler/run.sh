#!/usr/bin/env bash
# Attempt → external-push StreamIsActive true, p50/p99 over N cold Services, beside the Prometheus path.
# Usage: bench/scaler/run.sh [services=200] [cluster]   (root: the agent loads eBPF; cluster: through a MODE=scaler replica)
exec "$(dirname "${BASH_SOURCE[0]}")/../test-main.sh" dev.k8sebpf.agent.ScalerLatencyBench "$@"
