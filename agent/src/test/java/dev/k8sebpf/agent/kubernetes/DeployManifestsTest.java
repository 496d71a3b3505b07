package dev.k8sebpf.agent.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every manifest in deploy/ parses into typed fabric8 objects, and the security-relevant settings hold. */
class DeployManifestsTest {
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final List<HasMetadata> OBJECTS = new ArrayList<>();

    @BeforeAll
    static void parseAll() throws IOException {
        var serialization = new KubernetesSerialization();
        List<Path> manifests;
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            manifests = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(manifests).as("manifests under %s", DEPLOY.toAbsolutePath()).isNotEmpty();
        for (Path manifest : manifests) {
            try (InputStream in = Files.newInputStream(manifest)) {
                Object parsed = serialization.unmarshal(in);
                switch (parsed) {
                    case KubernetesList list -> OBJECTS.addAll(list.getItems());
                    case List<?> list -> list.forEach(o -> OBJECTS.add((HasMetadata) o));
                    case HasMetadata object -> OBJECTS.add(object);
                    default -> throw new AssertionError(manifest + " is not a Kubernetes manifest: " + parsed);
                }
            }
        }
    }

    private static <T> List<T> all(Class<T> type) {
        return OBJECTS.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T extends HasMetadata> T one(Class<T> type, String name) {
        return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name + " in deploy/"));
    }

    @Test
    void everyDocumentIsATypedObjectExceptTheKedaResources() {
        assertThat(OBJECTS).allSatisfy(o -> assertThat(o.getMetadata().getName()).isNotBlank());
        assertThat(all(GenericKubernetesResource.class)).extracting(HasMetadata::getKind).containsOnly("ScaledObject");
    }

    @Test
    void noContainerAnywhereIsPrivileged() {
        List<PodSpec> specs = new ArrayList<>();
        all(DaemonSet.class).forEach(d -> specs.add(d.getSpec().getTemplate().getSpec()));
        all(Deployment.class).forEach(d -> specs.add(d.getSpec().getTemplate().getSpec()));
        assertThat(specs).isNotEmpty();
        assertThat(specs.stream().flatMap(s -> s.getContainers().stream()))
                .allSatisfy(c -> assertThat(c.getSecurityContext() == null
                        || !Boolean.TRUE.equals(c.getSecurityContext().getPrivileged())).as(c.getName()).isTrue());
    }

    @Test
    void agentRunsOnEveryNodeInTheHostNetworkWithOnlyTheCapabilitiesItNeeds() {
        DaemonSet daemonSet = one(DaemonSet.class, "k8s-ebpf-agent");
        PodSpec pod = daemonSet.getSpec().getTemplate().getSpec();
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
        assertThat(pod.getTolerations()).anySatisfy(t -> {
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getKey()).isNull();
        });
        assertThat(pod.getServiceAccountName()).isEqualTo(one(ServiceAccount.class, "k8s-ebpf-agent").getMetadata().getName());

        Container agent = pod.getContainers().getFirst();
        var security = agent.getSecurityContext();
        assertThat(security.getPrivileged()).isFalse();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getCapabilities().getAdd()).containsExactlyInAnyOrder("BPF", "PERFMON", "NET_ADMIN");

        assertThat(agent.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(agent.getLivenessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(9102);
        assertThat(agent.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(agent.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(9102);
        assertThat(agent.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(agent.getResources().getLimits()).containsKeys("cpu", "memory");

        Map<String, String> hostPaths = new HashMap<>();
        pod.getVolumes().stream().filter(v -> v.getHostPath() != null)
                .forEach(v -> hostPaths.put(v.getName(), v.getHostPath().getPath()));
        assertThat(hostPaths).containsValues("/sys/fs/cgroup", "/sys/kernel/btf");
        assertThat(agent.getVolumeMounts()).filteredOn(m -> hostPaths.containsKey(m.getName()))
                .allSatisfy(m -> assertThat(m.getReadOnly()).as(m.getMountPath()).isTrue());
    }

    @Test
    void rbacOnlyReadsServicesEndpointSlicesAndPods() {
        ClusterRole role = one(ClusterRole.class, "k8s-ebpf-agent");
        List<String> granted = new ArrayList<>();
        for (PolicyRule rule : role.getRules()) {
            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "list", "watch");
            for (String group : rule.getApiGroups()) {
                rule.getResources().forEach(r -> granted.add(group.isEmpty() ? r : r + "." + group));
            }
        }
        assertThat(granted).containsExactlyInAnyOrder("services", "pods", "endpointslices.discovery.k8s.io");

        ClusterRoleBinding binding = one(ClusterRoleBinding.class, "k8s-ebpf-agent");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo("k8s-ebpf-agent");
            assertThat(s.getNamespace()).isEqualTo(one(DaemonSet.class, "k8s-ebpf-agent").getMetadata().getNamespace());
        });
    }

    @Test
    void theClusterScalerHasTwoReplicasOnlyListsAndWatchesPodsAndIsWhereThePushedScaledObjectPoints() {
        Deployment scaler = one(Deployment.class, "k8s-ebpf-scaler");
        assertThat(scaler.getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
        PodSpec pod = scaler.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().getFirst();
        assertThat(container.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("MODE");
            assertThat(e.getValue()).isEqualTo("scaler");
        });
        assertThat(container.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(container.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");

        var role = one(io.fabric8.kubernetes.api.model.rbac.Role.class, "k8s-ebpf-scaler");
        assertThat(role.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("");
            assertThat(rule.getResources()).containsExactly("pods");
            assertThat(rule.getVerbs()).containsExactlyInAnyOrder("list", "watch");
        });
        var binding = one(io.fabric8.kubernetes.api.model.rbac.RoleBinding.class, "k8s-ebpf-scaler");
        assertThat(binding.getRoleRef().getName()).isEqualTo("k8s-ebpf-scaler");
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo(pod.getServiceAccountName()));

        // the agents serve their stream on the port the scaler looks for (AGENT_PORT_NAME's default)
        Container agent = one(DaemonSet.class, "k8s-ebpf-agent").getSpec().getTemplate().getSpec().getContainers().getFirst();
        int streamPort = agent.getPorts().stream().filter(p -> "attempts".equals(p.getName())).findFirst().orElseThrow().getContainerPort();
        assertThat(agent.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("ATTEMPT_STREAM_ADDR");
            assertThat(e.getValue()).isEqualTo(":" + streamPort);
        });

        var service = one(io.fabric8.kubernetes.api.model.Service.class, "k8s-ebpf-scaler");
        assertThat(service.getSpec().getSelector()).isEqualTo(scaler.getSpec().getSelector().getMatchLabels());
        int servicePort = service.getSpec().getPorts().getFirst().getPort();
        GenericKubernetesResource pushed = one(GenericKubernetesResource.class, "web-l4-push");
        assertThat(pushed.<String>get("spec", "triggers", 0, "type")).isEqualTo("external-push");
        assertThat(pushed.<String>get("spec", "triggers", 0, "metadata", "scalerAddress"))
                .isEqualTo(service.getMetadata().getName() + "." + service.getMetadata().getNamespace() + ".svc:" + servicePort);
    }

    @Test
    void everyScaledObjectTargetsTheDemoDeploymentThatTheSampleClientCalls() {
        List<GenericKubernetesResource> scaledObjects = all(GenericKubernetesResource.class);
        assertThat(scaledObjects).isNotEmpty().allSatisfy(scaledObject -> {
            assertThat(scaledObject.getApiVersion()).isEqualTo("keda.sh/v1alpha1");
            assertThat(scaledObject.<Integer>get("spec", "minReplicaCount")).isZero();
            String target = scaledObject.get("spec", "scaleTargetRef", "name");
            Deployment app = one(Deployment.class, target);
            assertThat(app.getMetadata().getNamespace()).isEqualTo(scaledObject.getMetadata().getNamespace());
        });
        List<String> l4Queries = scaledObjects.stream().map(o -> o.<String>get("spec", "triggers", 0, "metadata", "query"))
                .filter(q -> q != null && q.contains("internal_tcp_service_attempts_total")).toList();
        assertThat(l4Queries).isNotEmpty().allSatisfy(q -> assertThat(q).contains("destination_service=\"web\""));

        Deployment client = one(Deployment.class, "tcp-client");
        assertThat(String.join(" ", client.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs()))
                .contains("web." + one(Deployment.class, "web").getMetadata().getNamespace() + ".svc");
    }
}
