package dev.k8sebpf.agent.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.k8sebpf.agent.bpf.ConnectSkeleton;
import dev.k8sebpf.agent.hooks.KernelException;
import dev.k8sebpf.agent.hooks.OwnProcess;
import dev.k8sebpf.agent.loader.BpfTool;
import dev.k8sebpf.agent.loader.KernelExpectations;
import dev.k8sebpf.agent.loader.KernelPreconditions;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tier selection on this kernel, against its {@link KernelExpectations}: auto mode picks the expected
 * tier, and every tier not expected to work here fails with one line when forced (and is skipped in
 * auto mode). On the build machine (6.18: cgroup hooks and tracepoints work, kprobes cannot attach,
 * fentry cannot load) the exact failing steps are pinned too.
 */
class TierSelectionTest {
    private static final List<String> PROGRAM_NAMES = Arrays.stream(ConnectSkeleton.Program.values())
            .map(ConnectSkeleton.Program::programName).toList();
    private static final KernelExpectations EXPECTED = KernelExpectations.current();

    @BeforeAll
    static void requireKernel() {
        KernelPreconditions.requireBpf();
        KernelPreconditions.requireTool("bpftool");
    }

    @Test
    void automaticSelectionPicksTheExpectedTierAndCloseLeavesNothingInTheKernel() throws Exception {
        List<Long> before = BpfTool.programIds(PROGRAM_NAMES);
        List<Long> ours = new ArrayList<>();
        try (L4Kernel kernel = L4Kernel.open(new L4Options(Optional.empty(), List.of(), false, OwnProcess.NOBODY))) {
            KernelExpectations.fact("l4.auto", kernel.tier().label());
            assertThat(kernel.tier().label()).isEqualTo(EXPECTED.l4Auto());
            if (kernel.tier() == HookTier.CGROUP) {
                assertThat(kernel.tierReason()).isEqualTo("cgroup: preferred");
            }
            ours.addAll(BpfTool.programIds(PROGRAM_NAMES));
            ours.removeAll(before);
            if (kernel.tier() == HookTier.CGROUP) {
                assertThat(ours).hasSize(2); // cgroup_connect4 and cgroup_connect6, nothing of the other tiers
            }
            assertThat(ours).isNotEmpty();
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
        assumeTrue(EXPECTED.l4Works("cgroup"), "no cgroup tier on " + EXPECTED.name());
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

    /** Every tier: forced, it attaches where expected (its count suite checks more) or fails with one line. */
    @ParameterizedTest
    @EnumSource(HookTier.class)
    void aForcedTierAttachesWhereExpectedAndElseFailsWithOneLine(HookTier tier) throws Exception {
        String prefix = "hook tier " + tier.label() + " was forced but does not work here: ";
        if (EXPECTED.l4Works(tier.label())) {
            try (L4Kernel kernel = L4Kernel.open(new L4Options(Optional.of(tier), List.of(), false, OwnProcess.NOBODY))) {
                assertThat(kernel.tier()).isEqualTo(tier);
            }
            return;
        }
        assertThatThrownBy(() -> L4Kernel.open(new L4Options(Optional.of(tier), List.of(), false, OwnProcess.NOBODY)))
                .isInstanceOfSatisfying(KernelException.class, e -> {
                    assertThat(e.userMessage()).startsWith(prefix).doesNotContain("\n");
                    KernelExpectations.fact("l4.refused." + tier.label(), e.userMessage().substring(prefix.length()));
                });
    }

    @Test
    void onTheBuildMachineKprobesPassTheVerifierButCannotAttachAndFentryCannotLoad() {
        assumeTrue(EXPECTED.buildMachine(), "the build machine's own kernel only");
        assertThatThrownBy(() -> L4Kernel.open(new L4Options(Optional.of(HookTier.KPROBE), List.of(), false, OwnProcess.NOBODY)))
                .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.userMessage())
                        .startsWith("hook tier kprobe was forced but does not work here: attach k"));
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
        // cgroup sock_addr programs need CAP_NET_ADMIN; fentry, kprobes and tracepoints only CAP_BPF and CAP_PERFMON
        String outcome = openWithout("-net_admin,-sys_admin");
        if (EXPECTED.buildMachine()) {
            assertThat(outcome).isEqualTo("opened syscall_tracepoint after "
                    + "cgroup: load EPERM; fentry: load EPERM; kprobe: attach kprobe_tcp_v4_connect ENOENT");
        } else {
            // Debian's kernels default to perf_event_paranoid 3, where (a Debian patch) perf events, which
            // kprobes and tracepoints attach through, need CAP_SYS_ADMIN: then only fentry is left
            boolean perfNeedsSysAdmin = Integer.parseInt(Files.readString(Path.of("/proc/sys/kernel/perf_event_paranoid")).strip()) >= 3;
            List<String> usable = EXPECTED.l4Tiers().stream().filter(t -> !t.equals("cgroup"))
                    .filter(t -> !perfNeedsSysAdmin || t.equals("fentry")).toList();
            if (usable.isEmpty()) {
                assertThat(outcome).startsWith("no hook tier works here: cgroup: load EPERM")
                        .contains("kprobe: attach kprobe_tcp_v4_connect EACCES", "syscall_tracepoint: attach tp_sys_enter_connect EACCES");
            } else {
                assertThat(outcome).startsWith("opened " + usable.getFirst() + " after cgroup: load EPERM");
            }
        }
    }

    /** What a child JVM without these capabilities says when it opens the kernel side. */
    private static String openWithout(String capabilities) throws Exception {
        KernelPreconditions.requireTool("setpriv");
        String java = ProcessHandle.current().info().command().orElseThrow();
        // root regains every capability of the bounding set on exec, so drop them there
        List<String> command = new ArrayList<>(List.of("setpriv", "--bounding-set", capabilities, java,
                "--enable-native-access=ALL-UNNAMED", "-Dorg.slf4j.simpleLogger.defaultLogLevel=off"));
        command.addAll(KernelExpectations.childJvmOptions());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), OpenOnce.class.getName()));
        return Subprocess.run(command).strip();
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
