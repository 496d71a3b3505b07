package dev.k8sebpf.agent.mapping;

/** The Kubernetes owner of an IP: a Service's ClusterIP has pod "", a Pod IP names both Service and Pod. */
public record Destination(String namespace, String service, String pod) {
    public static final Destination UNMAPPED = new Destination("", "", "");
}
