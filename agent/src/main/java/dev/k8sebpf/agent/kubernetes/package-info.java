/**
 * MODE=cluster destination mapping: Services, EndpointSlices and Pods from the Kubernetes API →
 * {@link dev.k8sebpf.agent.mapping.MappingTable} entries and {@link dev.k8sebpf.agent.mapping.ServiceCatalog}
 * activation series.
 *
 * <h2>How Main wires it</h2>
 * <pre>{@code
 * MappingTable table = new MappingTable(config.mapperTtl(), config.mapperCapacity(), System::nanoTime);
 * ClusterMapping cluster = ClusterMapping.start(Namespaces.parse(System.getenv("WATCH_NAMESPACE")),
 *                                               table, serviceCatalog);   // never blocks, never throws on an unreachable API
 * readiness: cluster.synced()           // false until Services, EndpointSlices and Pods were each listed once
 * shutdown:  cluster.close()            // stops the watches and the client
 * }</pre>
 * The client configuration is fabric8's own discovery: in-cluster service account first, else
 * {@code KUBECONFIG} / {@code ~/.kube/config}; {@code ClusterMapping.start(Config, ...)} takes an explicit one.
 *
 * <h2>Semantics</h2>
 * ClusterIP (every family) → (ns, svc, ""); endpoint → (ns, svc, pod); pod IP not behind a Service →
 * (ns, "", pod); hostNetwork pods are skipped. When several objects claim an IP the newest claim wins
 * (a reused IP maps to its new owner at once), except that a pod's own claim never hides an EndpointSlice
 * claim for the same pod. A vanished object's IPs are {@code remove}d from the table, which keeps them
 * resolvable for MAPPER_TTL. Every end of a watch triggers a paged relist that upserts first and deletes
 * the vanished objects afterwards.
 */
package dev.k8sebpf.agent.kubernetes;
