package dev.k8sebpf.agent.httpparse;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Caps the distinct path labels per destination service: the first {@code maxPaths} paths seen for a
 * destination keep their label, every later new path is reported as {@link #OVERFLOW_PATH}, so one
 * service yields at most {@code maxPaths + 1} path series. A path frees its slot when its series go
 * away ({@link #retainOnly}). Not thread-safe (one event thread).
 */
public final class PathCardinalityLimiter {

    public static final String OVERFLOW_PATH = "/{other}";

    private final int maxPaths;
    private final Map<String, Set<String>> pathsByDestination = new HashMap<>();
    private long overflowed;

    public PathCardinalityLimiter(int maxPaths) {
        if (maxPaths < 1) {
            throw new IllegalArgumentException("max paths per service must be at least 1, got " + maxPaths);
        }
        this.maxPaths = maxPaths;
    }

    /**
     * @param destination identifies the destination service (e.g. "namespace/service")
     * @param path        a normalised path
     * @return {@code path}, or {@link #OVERFLOW_PATH} once the destination has {@code maxPaths} others
     */
    public String limit(String destination, String path) {
        Set<String> known = pathsByDestination.computeIfAbsent(destination, d -> new HashSet<>());
        if (known.contains(path) || (known.size() < maxPaths && known.add(path))) {
            return path;
        }
        overflowed++;
        return OVERFLOW_PATH;
    }

    /**
     * Keeps only the given paths (destination → paths that still have series): the others free their
     * slots, and destinations absent from {@code live} are forgotten.
     */
    public void retainOnly(Map<String, Set<String>> live) {
        pathsByDestination.keySet().retainAll(live.keySet());
        pathsByDestination.forEach((destination, paths) -> paths.retainAll(live.get(destination)));
    }

    /** Requests whose path was reported as {@link #OVERFLOW_PATH}. */
    public long overflowed() {
        return overflowed;
    }
}
