package dev.k8sebpf.agent.kernel;

/** sys_exit_connect sees connect()'s return value. */
class SyscallTracepointTierCountTest extends ConnectCountSuite {
    private static final int ECONNREFUSED = 111;

    @Override
    HookTier tier() {
        return HookTier.SYSCALL_TRACEPOINT;
    }

    @Override
    int connectedOutcome() {
        return 1; // OUTCOME_CONNECTED
    }

    @Override
    int refusedOutcome() {
        return 3; // OUTCOME_FAILED
    }

    @Override
    int refusedError() {
        return -ECONNREFUSED;
    }
}
