package dev.k8sebpf.agent.hooks;

import dev.k8sebpf.agent.loader.BpfException;
import dev.k8sebpf.agent.loader.BpfObject;
import dev.k8sebpf.agent.loader.BpfProgram;
import dev.k8sebpf.agent.loader.EventRing;

/**
 * What differs between the L4 and the L7 hooks when one of their tiers is brought up: their event
 * struct, the .rodata settings, maps to fill before the programs run, and where cgroup programs attach.
 * Everything else (open, load, attach, fall back, lost events, detach) is {@link TierChoice}'s and
 * {@link AttachedTier}'s.
 */
public interface Layer<T extends Tier, E> {
    /** How the log names the hooks, e.g. {@code connect}, {@code HTTP}. */
    String hooksName();

    /** How errors name a tier, e.g. {@code hook tier}, {@code HTTP hook tier}. */
    String tierName();

    /** The event struct's size and how a warning names it, e.g. {@code a connect_event}. */
    long eventSize();

    String eventStruct();

    EventRing.Decoder<E> decoder();

    /** Whether a program of the tier is loaded; a layer may leave out programs its options do not need. */
    default boolean wants(BpfProgram program) {
        return true;
    }

    /** The object's .rodata image for this tier. */
    byte[] rodata(T tier);

    /** After the load, before any program is attached: fill the maps the programs read from their first run. */
    default void loaded(T tier, BpfObject object) throws BpfException {
    }

    /** The cgroup2 directory the tier's {@code cgroup/} programs attach to. */
    default String cgroup() throws TierUnavailable {
        throw new TierUnavailable("this layer has no cgroup programs");
    }
}
