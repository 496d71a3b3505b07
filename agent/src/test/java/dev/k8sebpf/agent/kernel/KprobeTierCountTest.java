package dev.k8sebpf.agent.kernel;

/**
 * kretprobe/tcp_v{4,6}_connect sees tcp_v*_connect's return value: 0 once the SYN is sent, so a loopback connect that is
 * refused a moment later (RST) reports the same outcome as one that connects.
 */
class KprobeTierCountTest extends ConnectCountSuite {
    @Override
    HookTier tier() {
        return HookTier.KPROBE;
    }

    @Override
    int connectedOutcome() {
        return 2; // OUTCOME_IN_PROGRESS
    }

    @Override
    int refusedOutcome() {
        return 2; // OUTCOME_IN_PROGRESS
    }

    @Override
    int refusedError() {
        return 0;
    }
}
