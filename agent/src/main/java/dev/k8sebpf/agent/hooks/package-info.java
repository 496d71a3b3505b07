/**
 * How a layer's BPF programs come up and go down, the same for L4 (kernel/L4Kernel) and L7
 * (l7/L7Kernel): {@link dev.k8sebpf.agent.hooks.TierChoice} tries the layer's {@link dev.k8sebpf.agent.hooks.Tier}s
 * in order (or the forced one); {@link dev.k8sebpf.agent.hooks.TierObject} opens the object built for this
 * CPU and loads only that tier's programs with the layer's .rodata; {@link dev.k8sebpf.agent.hooks.AttachedTier}
 * lets the {@link dev.k8sebpf.agent.hooks.Layer} fill its maps, maps the ring buffer {@code events},
 * attaches, reads lost events from {@code stats}, and detaches. A tier that fails says why in one line
 * ({@link dev.k8sebpf.agent.hooks.TierUnavailable}, naming the missing kernel feature when known).
 */
package dev.k8sebpf.agent.hooks;
