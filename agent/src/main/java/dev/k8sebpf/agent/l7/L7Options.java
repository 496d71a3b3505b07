package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.config.AgentConfig;
import dev.k8sebpf.agent.httpparse.PathCardinalityLimiter;
import java.util.List;

/**
 * What the L7 pipeline is told by the agent's configuration.
 *
 * @param filterHealthcheck   FILTER_HEALTHCHECK: count health checks and scrapes apart, not as requests
 * @param healthcheckPaths    HEALTHCHECK_PATHS: extra health paths (each starting with /, {@code *} suffix = prefix)
 * @param excludeComms        L7_EXCLUDE_COMMS: servers whose requests are not counted
 * @param maxPathsPerService  distinct path labels per destination service before new ones become {@code /{other}}
 * @param dropUnmapped        DROP_UNMAPPED: skip requests to addresses the mapping does not know
 */
public record L7Options(boolean filterHealthcheck, List<String> healthcheckPaths, List<String> excludeComms,
                        int maxPathsPerService, boolean dropUnmapped) {

    public L7Options {
        healthcheckPaths = List.copyOf(healthcheckPaths);
        excludeComms = List.copyOf(excludeComms);
        if (maxPathsPerService < 1) {
            throw new IllegalArgumentException("max paths per service must be at least 1, got " + maxPathsPerService);
        }
    }

    public static L7Options of(AgentConfig config) {
        return new L7Options(config.filterHealthcheck(), config.healthcheckPaths(), config.l7ExcludeComms(),
                PathCardinalityLimiter.DEFAULT_MAX_PATHS, config.dropUnmapped());
    }
}
