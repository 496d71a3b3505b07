package dev.k8sebpf.agent.httpparse;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Recognises health-check and scrape requests so they can be left out of the request counters
 * ({@code FILTER_HEALTHCHECK=true}); the caller counts what it drops. Matching is on the normalised
 * path: built-in paths and plain {@code HEALTHCHECK_PATHS} entries match exactly (after the entry itself
 * is normalised), an entry ending in {@code *} matches every path starting with the text before it.
 */
public final class HealthcheckFilter {

    public static final List<String> BUILT_IN_PATHS = List.of("/healthz", "/readyz", "/livez", "/health", "/metrics", "/ping");

    private final boolean enabled;
    private final Set<String> exact;
    private final List<String> prefixes;

    private HealthcheckFilter(boolean enabled, Set<String> exact, List<String> prefixes) {
        this.enabled = enabled;
        this.exact = exact;
        this.prefixes = prefixes;
    }

    /**
     * @param enabled    {@code FILTER_HEALTHCHECK}
     * @param extraPaths {@code HEALTHCHECK_PATHS}: comma-separated, blank entries ignored; null for none
     * @throws IllegalArgumentException naming the entry, if one does not start with {@code /}
     */
    public static HealthcheckFilter of(boolean enabled, String extraPaths) {
        PathNormalizer normalizer = new PathNormalizer();
        Set<String> exact = new HashSet<>(BUILT_IN_PATHS);
        List<String> prefixes = new ArrayList<>();
        for (String raw : extraPaths == null ? new String[0] : extraPaths.split(",")) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            if (!entry.startsWith("/")) {
                throw new IllegalArgumentException("HEALTHCHECK_PATHS entry '" + entry + "' must start with '/'");
            }
            if (entry.endsWith("*")) {
                prefixes.add(entry.substring(0, entry.length() - 1));
            } else {
                exact.add(normalizer.normalize(entry));
            }
        }
        return new HealthcheckFilter(enabled, Set.copyOf(exact), List.copyOf(prefixes));
    }

    /** Whether a request with this normalised path is a health check to drop. */
    public boolean isHealthcheck(String path) {
        if (!enabled) {
            return false;
        }
        if (exact.contains(path)) {
            return true;
        }
        for (String prefix : prefixes) {
            if (path.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
