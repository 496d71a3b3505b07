package dev.k8sebpf.agent.kernel;

/** cgroup/connect4|6 run before the connect, so they cannot know its outcome. */
class CgroupTierCountTest extends ConnectCountSuite {
    @Override
    HookTier tier() {
        return HookTier.CGROUP;
    }

    @Override
    int connectedOutcome() {
        return 0; // OUTCOME_UNKNOWN
    }

    @Override
    int refusedOutcome() {
        return 0; // OUTCOME_UNKNOWN
    }

    @Override
    int refusedError() {
        return 0;
    }
}
