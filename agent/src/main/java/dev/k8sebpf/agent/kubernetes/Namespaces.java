package dev.k8sebpf.agent.kubernetes;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/** WATCH_NAMESPACE: one namespace or a comma list; empty (or unset) means all namespaces. */
public final class Namespaces {
    private Namespaces() {
    }

    /** The namespaces to watch; an empty set means all. Blanks around commas are ignored. */
    public static Set<String> parse(String watchNamespace) {
        if (watchNamespace == null) {
            return Set.of();
        }
        var names = new TreeSet<String>();
        Arrays.stream(watchNamespace.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(names::add);
        return Set.copyOf(names);
    }
}
