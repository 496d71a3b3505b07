package dev.k8sebpf.agent.kernel;

import java.util.List;
import java.util.Optional;

/**
 * How to load the connect hooks.
 *
 * @param forcedTier   only this tier, failing if it does not work; empty picks the best that works
 * @param excludeComms process names whose attempts are not counted (only tallied in excludedAttempts)
 * @param emitExcluded also deliver excluded attempts, marked {@code excluded == 1}, e.g. to log them
 * @param ownProcess   the process whose connects are never attempts (the agent's own)
 */
public record L4Options(Optional<HookTier> forcedTier, List<String> excludeComms, boolean emitExcluded,
                        OwnProcess ownProcess) {
    public L4Options {
        excludeComms = List.copyOf(excludeComms);
    }
}
