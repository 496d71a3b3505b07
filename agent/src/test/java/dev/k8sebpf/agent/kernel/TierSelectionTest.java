package dev.k8sebpf.agent.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.k8sebpf.agent.bpf.ConnectSkeleton;
import dev.k8sebpf.agent.loader.BpfTool;
import dev.k8sebpf.agent.loader.KernelPreconditions;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tier selection on this kernel: cgroup hooks and tracepoints work, kprobes cannot attach, fentry cannot load. */
class TierSelectionTest {
    private static final List<String> PROGRAM_NAMES = Arrays.stream(ConnectSkeleton.Program.values())
            .map(ConnectSkeleton.Program::programName).toList();

    @BeforeAll
    static void requireKernel() {
        KernelPreconditions.requireBpf();
        KernelPreconditions.requireTool("bpftool");
    }

    @Test
    void automaticSelectionPicksCgroupAndCloseLeavesNothingInTheKernel() throws Exception {
        List<Long> before = BpfTool.programIds(PROGRAM_NAMES);
        List<Long> ours = new ArrayList<>();
        try (L4Kernel kernel = L4Kernel.open(new L4Options(Optional.empty(), List.of(), false, OwnProcess.NOBODY))) {
            assertThat(kernel.tier()).isEqualTo(HookTier.CGROUP);
            assertThat(kernel.tierReason()).isEqualTo("cgroup: preferred");
            ours.addAll(BpfTool.programIds(PROGRAM_NAMES));
            ours.removeAll(before);
            assertThat(ours).hasSize(2); // cgroup_connect4 and cgroup_connect6, nothing of the other tiers
            assertThat(BpfTool.linkedProgramIds()).containsAll(ours);
            kernel.close();
            kernel.close(); // idempotent; try-with-resources closes once more
            assertThat(kernel.poll(event -> { })).isZero();
        }
        assertThat(BpfTool.linkedProgramIds()).doesNotContainAnyElementsOf(ours);
        assertThat(BpfTool.loadedProgramIds()).doesNotContainAnyElementsOf(ours);
    }

    @Test
    void cgroupLinksCoexistWithOtherProgramsOnTheSameHook() throws Exception {
        // another agent's (or Cilium's) multi-attached programs on connect4/connect6 stay and both see attempts
        try (L4Kernel first = L4Kernel.open(new L4Options(Optional.of(HookTier.CGROUP), List.of(), false, OwnProcess.NOBODY));
             L4Kernel second = L4Kernel.open(new L4Options(Optional.of(HookTier.CGROUP), List.of(), false, OwnProcess.NOBODY));
             LoopbackServer server = new LoopbackServer("127.0.0.1")) {
            EventCollector firstEvents = new EventCollector(first);
            EventCollector secondEvents = new EventCollector(second);
            for (int i = 0; i < 5; i++) {
                new Socket("127.0.0.1", server.port()).close();
            }
            assertThat(firstEvents.to("127.0.0.1", server.port(), 5)).hasSize(5);
            assertThat(secondEvents.to("127.0.0.1", server.port(), 5)).hasSize(5);
        }
    }

    @Test
    void environmentProblemsAreOneLineWithTheFix() {
        assertThatThrownBy(() -> L4Kernel.checkEnvironment(false, Path.of("/sys/kernel/btf/vmlinux")))
                .hasMessage("libbpf.so.1 not found: apt-get install libbpf1");
        assertThatThrownBy(() -> L4Kernel.checkEnvironment(true, Path.of("/nonexistent/vmlinux")))
                .hasMessage("kernel BTF not found at /nonexistent/vmlinux: needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
    }

    @Test
    void forcedKprobePassesTheVerifierButCannotAttachHere() {
        assertThatThrownBy(() -> L4Kernel.open(new L4Options(Optional.of(HookTier.KPROBE), List.of(), false, OwnProcess.NOBODY)))
                .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.userMessage())
                        .startsWith("hook tier kprobe was forced but does not work here: attach k")
                        .doesNotContain("\n"));
    }

    @Test
    void forcedFentryIsRefusedAtLoadHere() {
        assertThatThrownBy(() -> L4Kernel.open(new L4Options(Optional.of(HookTier.FENTRY), List.of(), false, OwnProcess.NOBODY)))
                .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.userMessage())
                        .startsWith("hook tier fentry was forced but does not work here: load E"));
    }

    @Test
    void withoutBpfCapabilitiesTheErrorNamesThem() throws Exception {
        assertThat(openWithout("-bpf,-perfmon,-sys_admin"))
                .isEqualTo("missing privileges to load BPF programs: needs CAP_BPF and CAP_PERFMON (or root)");
    }

    @Test
    void withoutNetAdminEveryTierIsTriedInOrderAndTheReasonsKept() throws Exception {
        // cgroup sock_addr programs need CAP_NET_ADMIN; tracepoints only CAP_BPF and CAP_PERFMON
        assertThat(openWithout("-net_admin,-sys_admin")).isEqualTo("opened syscall_tracepoint after "
                + "cgroup: load EPERM; fentry: load EPERM; kprobe: attach kprobe_tcp_v4_connect ENOENT");
    }

    /** What a child JVM without these capabilities says when it opens the kernel side. */
    private static String openWithout(String capabilities) throws Exception {
        KernelPreconditions.requireTool("setpriv");
        String java = ProcessHandle.current().info().command().orElseThrow();
        // root regains every capability of the bounding set on exec, so drop them there
        return Subprocess.run(List.of("setpriv", "--bounding-set", capabilities, java,
                "--enable-native-access=ALL-UNNAMED", "-Dorg.slf4j.simpleLogger.defaultLogLevel=off",
                "-cp", System.getProperty("java.class.path"), OpenOnce.class.getName())).strip();
    }

    /** Runs in a child JVM: opens the kernel side once and prints the outcome. */
    public static final class OpenOnce {
        public static void main(String[] args) {
            try (L4Kernel kernel = L4Kernel.open(new L4Options(Optional.empty(), List.of(), false, OwnProcess.NOBODY))) {
                System.out.println("opened " + kernel.tier().label() + " after " + kernel.tierReason());
            } catch (KernelException e) {
                System.out.println(e.userMessage());
            }
        }
    }
}
