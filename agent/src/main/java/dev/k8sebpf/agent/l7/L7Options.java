package dev.k8sebpf.agent.l7;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the L7 pipeline is told by the agent's configuration.
 *
 * @param filterHealthcheck   FILTER_HEALTHCHECK: count health checks and scrapes apart, not as requests
 * @param healthcheckPaths    HEALTHCHECK_PATHS: extra health paths (each starting with /, {@code *} suffix = prefix)
 * @param excludeComms        L7_EXCLUDE_COMMS: servers whose requests are not counted
 * @param maxPathsPerService  L7_MAX_PATHS: distinct path labels per destination service before new ones become {@code /{other}}
 * @param dropUnmapped        DROP_UNMAPPED: skip requests to addresses the mapping does not know
 * @param maxSeries           L7_MAX_SERIES: request series before new label tuples go to their destination's overflow series
 * @param seriesTtl           L7_SERIES_TTL: a series without requests for this long is removed; 0: never
 * @param hookTier            L7_HOOK_TIER: the tier to use; empty: the best that works
 * @param tlsHandshakes       ENABLE_L7_TLS: also count the ClientHellos of accepted TLS connections
 * @param maxServerNames      L7_MAX_SERVER_NAMES: distinct server_name labels per destination service before new ones become {@code {other}}
 * @param responses           ENABLE_L7_RESPONSES: also count responses by status code and time them
 */
public record L7Options(boolean filterHealthcheck, List<String> healthcheckPaths, List<String> excludeComms,
                        int maxPathsPerService, boolean dropUnmapped, int maxSeries, Duration seriesTtl,
                        Optional<L7HookTier> hookTier, boolean tlsHandshakes, int maxServerNames,
                        boolean responses) {

    public L7Options {
        healthcheckPaths = List.copyOf(healthcheckPaths);
        excludeComms = List.copyOf(excludeComms);
        if (seriesTtl.isNegative()) {
            throw new IllegalArgumentException("series TTL must not be negative, got " + seriesTtl);
        }
        if (maxPathsPerService < 1) {
            throw new IllegalArgumentException("max paths per service must be at least 1, got " + maxPathsPerService);
        }
    }
}
