package dev.k8sebpf.agent.kernel;

import dev.k8sebpf.agent.hooks.OwnProcess;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How to load the connect hooks.
 *
 * @param forcedTier   only this tier, failing if it does not work; empty picks the best that works
 * @param excludeComms process names whose attempts are not counted (only tallied in excludedAttempts)
 * @param emitExcluded also deliver excluded attempts, marked {@code excluded == 1}, e.g. to log them
 * @param ownProcess   the process whose connects are never attempts (the agent's own)
 * @param cgroupSubtree CGROUP_SUBTREE: the cgroup tier only, attached at this cgroup2 directory instead of
 *                      the node's root, so only processes below it count (several agents on one kernel)
 */
public record L4Options(Optional<HookTier> forcedTier, List<String> excludeComms, boolean emitExcluded,
                        OwnProcess ownProcess, Optional<Path> cgroupSubtree) {
    public L4Options {
        excludeComms = List.copyOf(excludeComms);
    }

    /** The whole node (the cgroup2 root). */
    public L4Options(Optional<HookTier> forcedTier, List<String> excludeComms, boolean emitExcluded, OwnProcess ownProcess) {
        this(forcedTier, excludeComms, emitExcluded, ownProcess, Optional.empty());
    }

    /** The tiers to try in order: one when forced or scoped to a subtree (no other tier can be). */
    List<HookTier> candidates() {
        if (cgroupSubtree.isPresent()) {
            return List.of(HookTier.CGROUP);
        }
        return forcedTier.map(List::of).orElse(List.of(HookTier.values()));
    }

    /** Whether a tier that does not work ends the start (nothing to fall back to). */
    boolean single() {
        return forcedTier.isPresent() || cgroupSubtree.isPresent();
    }
}
