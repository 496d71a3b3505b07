package dev.k8sebpf.agent.kubernetes;

import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;

/** One object's statement that an IP belongs to a destination. */
record Claim(IpKey ip, Destination destination) {
}
