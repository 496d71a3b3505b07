package dev.k8sebpf.agent.kubernetes;

/** Identifies the cluster object that claims IPs: its kind, namespace and name. */
record SourceKey(Kind kind, String namespace, String name) {

    /** The watched kinds, with the names RBAC and log lines use for them. */
    enum Kind {
        SERVICE("services", ""),
        ENDPOINT_SLICE("endpointslices", "discovery.k8s.io"),
        POD("pods", "");

        private final String resource;
        private final String apiGroup;

        Kind(String resource, String apiGroup) {
            this.resource = resource;
            this.apiGroup = apiGroup;
        }

        String resource() {
            return resource;
        }

        /** "pods" or "endpointslices.discovery.k8s.io", as `kubectl auth can-i` spells them. */
        String qualifiedResource() {
            return apiGroup.isEmpty() ? resource : resource + "." + apiGroup;
        }
    }
}
