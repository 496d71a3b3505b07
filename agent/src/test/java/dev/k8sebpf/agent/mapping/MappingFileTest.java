package dev.k8sebpf.agent.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MappingFileTest {
    @TempDir
    Path dir;

    /** Trimmed from real `kubectl get svc,endpointslices -A -o yaml` output. */
    private static final String KUBECTL_LIST = """
            apiVersion: v1
            kind: List
            metadata:
              resourceVersion: ""
            items:
            - apiVersion: v1
              kind: Service
              metadata:
                name: web
                namespace: shop
                uid: 0b0c6f8e-1111-2222-3333-444455556666
              spec:
                clusterIP: 10.96.12.7
                clusterIPs:
                - 10.96.12.7
                - fd00:10:96::c07
                ipFamilies: [IPv4, IPv6]
                ports:
                - port: 80
                  protocol: TCP
                  targetPort: 8080
                selector:
                  app: web
                type: ClusterIP
            - apiVersion: v1
              kind: Service
              metadata:
                name: db
                namespace: shop
              spec:
                clusterIP: None
                clusterIPs: [None]
                type: ClusterIP
            - apiVersion: v1
              kind: Service
              metadata:
                name: legacy
                namespace: other
              spec:
                clusterIP: 10.96.0.99
            - addressType: IPv4
              apiVersion: discovery.k8s.io/v1
              endpoints:
              - addresses:
                - 10.244.1.5
                conditions:
                  ready: true
                nodeName: node-a
                targetRef:
                  kind: Pod
                  name: web-7d9f-abcde
                  namespace: shop
                  uid: 9a8b7c6d-0000-0000-0000-000000000001
              - addresses:
                - 10.244.2.6
                targetRef:
                  kind: Pod
                  name: web-7d9f-fghij
                  namespace: shop
              kind: EndpointSlice
              metadata:
                labels:
                  endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io
                  kubernetes.io/service-name: web
                name: web-x2k4p
                namespace: shop
              ports:
              - name: ""
                port: 8080
                protocol: TCP
            - addressType: IPv4
              apiVersion: discovery.k8s.io/v1
              endpoints:
              - addresses: [10.244.3.9]
                targetRef: {kind: Pod, name: db-0, namespace: shop}
              kind: EndpointSlice
              metadata:
                labels: {kubernetes.io/service-name: db}
                name: db-abcde
                namespace: shop
            - addressType: IPv4
              apiVersion: discovery.k8s.io/v1
              endpoints:
              - addresses: [192.168.7.7]
              kind: EndpointSlice
              metadata:
                labels: {kubernetes.io/service-name: external}
                name: external-1
                namespace: shop
            """;

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("mapping.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void kubectlListMapsClusterIpsAndEndpoints() throws Exception {
        MappingFile mapping = MappingFile.read(write(KUBECTL_LIST));
        assertThat(mapping.addresses()).isEqualTo(Map.of(
                IpKey.parse("10.96.12.7"), new Destination("shop", "web", ""),
                IpKey.parse("fd00:10:96::c07"), new Destination("shop", "web", ""),
                IpKey.parse("10.96.0.99"), new Destination("other", "legacy", ""),
                IpKey.parse("10.244.1.5"), new Destination("shop", "web", "web-7d9f-abcde"),
                IpKey.parse("10.244.2.6"), new Destination("shop", "web", "web-7d9f-fghij"),
                IpKey.parse("10.244.3.9"), new Destination("shop", "db", "db-0"),
                IpKey.parse("192.168.7.7"), new Destination("shop", "external", "")));
        assertThat(mapping.services()).extracting(Object::toString)
                .containsExactlyInAnyOrder("shop/web", "shop/db", "other/legacy", "shop/external");
    }

    @Test
    void multiDocumentYamlWorksToo() throws Exception {
        MappingFile mapping = MappingFile.read(write("""
                apiVersion: v1
                kind: Service
                metadata: {name: api, namespace: team}
                spec: {clusterIP: 10.96.1.1}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: api-1
                  namespace: team
                  labels: {kubernetes.io/service-name: api}
                addressType: IPv4
                endpoints:
                - addresses: [10.244.0.3]
                  targetRef: {kind: Pod, name: api-0}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: unrelated, namespace: team}
                """));
        assertThat(mapping.addresses()).isEqualTo(Map.of(
                IpKey.parse("10.96.1.1"), new Destination("team", "api", ""),
                IpKey.parse("10.244.0.3"), new Destination("team", "api", "api-0")));
    }

    @Test
    void applyFillsTheTableAndTheCatalog() throws Exception {
        MappingFile mapping = MappingFile.read(write(KUBECTL_LIST));
        var table = new MappingTable(Duration.ofSeconds(60), 100, System::nanoTime);
        List<String> added = new ArrayList<>();
        mapping.applyTo(table, new ServiceCatalog() {
            @Override
            public void serviceAdded(String namespace, String service) {
                added.add(namespace + "/" + service);
            }

            @Override
            public void serviceRemoved(String namespace, String service) {
                throw new AssertionError("nothing is removed");
            }
        });
        assertThat(added).containsExactlyInAnyOrder("shop/web", "shop/db", "other/legacy", "shop/external");
        assertThat(table.lookup(IpKey.parse("::ffff:10.244.1.5"))).isEqualTo(new Destination("shop", "web", "web-7d9f-abcde"));
        assertThat(table.size()).isEqualTo(7);
    }

    @Test
    void emptyFileHasNoMappings() throws Exception {
        MappingFile mapping = MappingFile.read(write(""));
        assertThat(mapping.addresses()).isEmpty();
        assertThat(mapping.services()).isEmpty();
    }

    private void assertBad(String yaml, String problem) throws IOException {
        Path file = write(yaml);
        assertThatThrownBy(() -> MappingFile.read(file))
                .isInstanceOf(MappingFileException.class)
                .hasMessageStartingWith("MAPPING_FILE " + file + ": ")
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("absent.yaml");
        assertThatThrownBy(() -> MappingFile.read(file))
                .isInstanceOf(MappingFileException.class)
                .hasMessage("MAPPING_FILE " + file + ": cannot read it (NoSuchFileException: " + file + ")");
    }

    @Test
    void brokenYaml() throws IOException {
        assertBad("items: [\n  - {kind: Service\n", "not valid Kubernetes YAML");
    }

    @Test
    void notAKubernetesObject() throws IOException {
        assertBad("just some text", "not");
    }

    @Test
    void badClusterIp() throws IOException {
        assertBad("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {clusterIP: 10.96.300.1}
                """, "Service shop/web: not an IP address: \"10.96.300.1\"");
    }

    @Test
    void badEndpointAddress() throws IOException {
        assertBad("""
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: web-1
                  namespace: shop
                  labels: {kubernetes.io/service-name: web}
                addressType: IPv4
                endpoints:
                - addresses: [web.example]
                """, "EndpointSlice shop/web-1: not an IP address: \"web.example\"");
    }

    /** Found by MappingFileFuzzTest: nulls where kubectl writes lists threw NullPointerException. */
    @Test
    void nullsInListsAreSkipped() throws Exception {
        assertThat(MappingFile.read(write("apiVersion: v1\nkind: List\nitems:\n")).services()).isEmpty();
        MappingFile mapping = MappingFile.read(write("""
                apiVersion: v1
                kind: List
                items:
                - null
                - apiVersion: v1
                  kind: Service
                  metadata: {name: web, namespace: shop}
                  spec: {clusterIPs: [null, 10.96.0.7]}
                - apiVersion: discovery.k8s.io/v1
                  kind: EndpointSlice
                  metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
                  addressType: IPv4
                  endpoints: [null, {addresses: null}, {addresses: [10.244.0.9]}]
                """));
        assertThat(mapping.addresses()).containsOnlyKeys(IpKey.parse("10.96.0.7"), IpKey.parse("10.244.0.9"));
    }

    @Test
    void nullEndpointAddress() throws IOException {
        assertBad("""
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                endpoints: [{addresses: [null]}]
                """, "EndpointSlice shop/web-1: an address is empty (null)");
    }

    @Test
    void objectWithoutName() throws IOException {
        assertBad("""
                apiVersion: v1
                kind: Service
                metadata: {namespace: shop}
                spec: {clusterIP: 10.96.0.1}
                """, "a Service has no metadata.name");
    }

    @Test
    void aFifoIsRefusedInsteadOfBlockingTheStart() throws Exception {
        Path fifo = dir.resolve("mapping.fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        assertThatThrownBy(() -> MappingFile.read(fifo))
                .isInstanceOf(MappingFileException.class)
                .hasMessage("MAPPING_FILE " + fifo + ": not a regular file (a directory, FIFO or device?): give the path of a"
                        + " `kubectl get svc,endpointslices -A -o yaml` dump");
    }

    @Test
    void binaryGarbageIsNamedAsSuch() throws IOException {
        Path file = dir.resolve("garbage.bin");
        byte[] bytes = new byte[4096];
        new java.util.Random(7).nextBytes(bytes);
        Files.write(file, bytes);
        assertThatThrownBy(() -> MappingFile.read(file))
                .isInstanceOf(MappingFileException.class)
                .hasMessage("MAPPING_FILE " + file + ": not UTF-8 text (a binary file?): give a"
                        + " `kubectl get svc,endpointslices -A -o yaml` dump");
    }

    @Test
    void aServiceWithoutApiVersionIsReadByItsKind() throws Exception {
        MappingFile mapping = MappingFile.read(write("""
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {clusterIP: 10.96.0.9}
                """));
        assertThat(mapping.addresses()).containsExactly(Map.entry(IpKey.parse("10.96.0.9"), new Destination("shop", "web", "")));
    }

    @Test
    void anObjectWithoutKindIsNamed() throws IOException {
        assertBad("""
                apiVersion: v1
                items:
                - metadata: {name: web, namespace: shop}
                """, "document 1 item 1 has no kind (kubectl prints kind: Service or kind: EndpointSlice)");
    }

    @Test
    void aClusterIpClaimedByTwoServicesGoesToTheLaterOne() throws Exception {
        MappingFile mapping = MappingFile.read(write("""
                kind: List
                apiVersion: v1
                items:
                - {apiVersion: v1, kind: Service, metadata: {name: old, namespace: shop}, spec: {clusterIP: 10.96.0.9}}
                - {apiVersion: v1, kind: Service, metadata: {name: new, namespace: shop}, spec: {clusterIP: 10.96.0.9}}
                """));
        assertThat(mapping.addresses()).containsExactly(Map.entry(IpKey.parse("10.96.0.9"), new Destination("shop", "new", "")));
        assertThat(mapping.services()).hasSize(2);
    }
}
