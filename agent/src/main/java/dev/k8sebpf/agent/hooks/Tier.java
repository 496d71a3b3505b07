package dev.k8sebpf.agent.hooks;

import dev.k8sebpf.agent.loader.BpfProgram;

/**
 * One way for a layer's hooks to learn of its events (L4: kernel/HookTier, L7: l7/L7HookTier): a set of
 * programs in one BPF object. A layer's tiers come in the order auto mode tries them.
 */
public interface Tier {
    /** The L4_HOOK_TIER / L7_HOOK_TIER value, e.g. {@code cgroup}. */
    String label();

    /** What it attaches, for the log, e.g. {@code fexit tcp_v4_connect, tcp_v6_connect}. */
    String hooks();

    /** The object's file name, for messages. */
    String objectFile();

    /** The object built for an architecture ({@code x86}, {@code arm64}). */
    byte[] objectBytes(String arch);

    /** Whether this program of the object belongs to the tier (only those are loaded and attached). */
    boolean owns(BpfProgram program);

    /** Whether an ELF section is one of these, by prefix: how a tier names its programs in its layer's object. */
    static boolean inSections(String section, String... prefixes) {
        for (String prefix : prefixes) {
            if (section.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
