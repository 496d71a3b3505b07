package dev.k8sebpf.agent.mapping;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes what {@code kubectl get svc,endpointslices -A -o yaml} prints for a cluster of a given size. */
public final class MappingDumps {
    private MappingDumps() {
    }

    /** Services svc-i in ns-(i % 100) with ClusterIP 10.96.x.y, each with one slice of {@code endpoints} pods. */
    public static Path write(Path file, int services, int endpoints) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            out.write("apiVersion: v1\nitems:\n");
            for (int i = 0; i < services; i++) {
                out.write("""
                        - apiVersion: v1
                          kind: Service
                          metadata:
                            annotations:
                              kubectl.kubernetes.io/last-applied-configuration: |
                                {"apiVersion":"v1","kind":"Service","metadata":{"name":"svc-%1$d","namespace":"ns-%2$d"}}
                            creationTimestamp: "2026-11-30T10:00:00Z"
                            labels: {app: svc-%1$d, team: team-%2$d}
                            name: svc-%1$d
                            namespace: ns-%2$d
                            resourceVersion: "%1$d"
                            uid: 6f1c2d3e-0000-4000-8000-%1$012d
                          spec:
                            clusterIP: 10.96.%3$d.%4$d
                            clusterIPs: [10.96.%3$d.%4$d]
                            internalTrafficPolicy: Cluster
                            ipFamilies: [IPv4]
                            ipFamilyPolicy: SingleStack
                            ports:
                            - {name: http, port: 80, protocol: TCP, targetPort: 8080}
                            selector: {app: svc-%1$d}
                            sessionAffinity: None
                            type: ClusterIP
                          status: {loadBalancer: {}}
                        """.formatted(i, i % 100, i >> 8 & 255, i & 255));
            }
            for (int i = 0; i < services; i++) {
                out.write("""
                        - addressType: IPv4
                          apiVersion: discovery.k8s.io/v1
                          endpoints:
                        """);
                for (int e = 0; e < endpoints; e++) {
                    int pod = i * endpoints + e;
                    out.write("""
                              - addresses: [10.%1$d.%2$d.%3$d]
                                conditions: {ready: true, serving: true, terminating: false}
                                nodeName: node-%4$d
                                targetRef: {kind: Pod, name: svc-%5$d-%6$d, namespace: ns-%7$d, uid: 0a0b0c0d-%8$d}
                            """.formatted(pod >> 16 & 255, pod >> 8 & 255, pod & 255, pod % 50, i, e, i % 100, pod));
                }
                out.write("""
                          kind: EndpointSlice
                          metadata:
                            labels: {endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io, kubernetes.io/service-name: svc-%1$d}
                            name: svc-%1$d-abcde
                            namespace: ns-%2$d
                          ports:
                          - {name: http, port: 8080, protocol: TCP}
                        """.formatted(i, i % 100));
            }
            out.write("kind: List\nmetadata:\n  resourceVersion: \"\"\n");
        }
        return file;
    }
}
