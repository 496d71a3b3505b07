package dev.k8sebpf.agent.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.k8sebpf.agent.bpf.AddrFamily;
import dev.k8sebpf.agent.bpf.ConnectEvent;
import dev.k8sebpf.agent.bpf.ConnectSkeleton;
import dev.k8sebpf.agent.hooks.OwnProcess;
import dev.k8sebpf.agent.loader.BpfTool;
import dev.k8sebpf.agent.loader.KernelExpectations;
import dev.k8sebpf.agent.loader.KernelPreconditions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact connect() attempt counts through a real kernel, the same suite for every tier that works here.
 * Every test uses its own port (or its own 127.x address), so other processes' connects do not count.
 * A tier that is not expected to work on this kernel ({@link KernelExpectations}) is skipped; that it
 * falls back there is TierSelectionTest's to check.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConnectCountSuite {
    /** A copy of curl under a name no other process on the machine has, listed in EXCLUDE_COMMS. */
    private static final String EXCLUDED_COMM = "l4-excl-curl";
    private static final int IN_JVM = 25;
    private static final int PROCESSES = 8;
    private static final long PID = ProcessHandle.current().pid();
    private static final List<String> PROGRAM_NAMES = Arrays.stream(ConnectSkeleton.Program.values())
            .map(ConnectSkeleton.Program::programName).toList();

    private final List<Long> ourPrograms = new ArrayList<>();
    private L4Kernel kernel;
    private Path excludedCurl;

    abstract HookTier tier();

    /** The outcome a tier reports for a successful blocking connect (cgroup hooks run before it: unknown). */
    abstract int connectedOutcome();

    /** The outcome and error a tier reports for a refused connect. */
    abstract int refusedOutcome();

    abstract int refusedError();

    @BeforeAll
    void attach(@TempDir Path dir) throws Exception {
        KernelPreconditions.requireBpf();
        KernelExpectations expected = KernelExpectations.current();
        assumeTrue(expected.l4Works(tier().label()), "L4 tier " + tier().label() + " does not work on " + expected.name());
        KernelPreconditions.requireTool("curl");
        KernelPreconditions.requireTool("python3");
        KernelPreconditions.requireTool("bpftool");
        excludedCurl = Files.copy(Path.of("/usr/bin/curl"), dir.resolve(EXCLUDED_COMM));
        List<Long> before = BpfTool.programIds(PROGRAM_NAMES);
        kernel = L4Kernel.open(new L4Options(Optional.of(tier()), List.of(EXCLUDED_COMM), false, OwnProcess.NOBODY));
        assertThat(kernel.tier()).isEqualTo(tier());
        assertThat(kernel.tierReason()).isEqualTo(tier().label() + ": forced");
        ourPrograms.addAll(BpfTool.programIds(PROGRAM_NAMES));
        ourPrograms.removeAll(before);
        assertThat(ourPrograms).isNotEmpty();
        if (perfEventLinks() || tier() == HookTier.CGROUP || tier() == HookTier.FENTRY) {
            assertThat(BpfTool.linkedProgramIds()).containsAll(ourPrograms);
        } else {
            // before 5.15 libbpf attaches kprobes and tracepoints with an ioctl on the perf event: no BPF link to list
            assertThat(BpfTool.loadedProgramIds()).containsAll(ourPrograms);
        }
    }

    /** Whether kprobe and tracepoint attachments are BPF links (BPF_LINK_TYPE_PERF_EVENT, Linux 5.15+). */
    private static boolean perfEventLinks() {
        String[] version = System.getProperty("os.version").split("[.-]");
        int major = Integer.parseInt(version[0]);
        return major > 5 || major == 5 && Integer.parseInt(version[1]) >= 15;
    }

    @AfterAll
    void detach() throws Exception {
        if (kernel != null) {
            assertThat(kernel.lostEvents()).isZero();
            kernel.close();
            assertThat(BpfTool.linkedProgramIds()).doesNotContainAnyElementsOf(ourPrograms);
            assertThat(BpfTool.loadedProgramIds()).doesNotContainAnyElementsOf(ourPrograms);
        }
    }

    @Test
    void javaClientThroughAV4MappedSocketCountsEachAttemptOnceAsIpv4() throws Exception {
        EventCollector events = new EventCollector(kernel);
        try (LoopbackServer server = new LoopbackServer("127.0.0.1")) {
            connectJava("127.0.0.1", server.port(), IN_JVM);
            List<ConnectEvent> seen = events.to("127.0.0.1", server.port(), IN_JVM);
            assertThat(seen).hasSize(IN_JVM).allSatisfy(e -> {
                assertThat(e.commString()).isEqualTo("java");
                assertThat(e.tgid()).isEqualTo(PID);
                assertThat(e.family()).isEqualTo(AddrFamily.FAMILY_V4);
                assertThat(e.tier()).isEqualTo(tier().ordinal() + 1); // TIER_* in connect_event.h
                assertThat(e.outcome()).isEqualTo(connectedOutcome());
                assertThat(e.excluded()).isZero();
            });
        }
    }

    @Test
    void ipv6LoopbackCountsEachAttemptOnce() throws Exception {
        EventCollector events = new EventCollector(kernel);
        try (LoopbackServer server = new LoopbackServer("::1")) {
            connectJava("::1", server.port(), IN_JVM);
            List<ConnectEvent> seen = events.to("::1", server.port(), IN_JVM);
            assertThat(seen).hasSize(IN_JVM).allSatisfy(e -> assertThat(e.family()).isEqualTo(AddrFamily.FAMILY_V6));
        }
    }

    @Test
    void curlProcessesCountOncePerProcessUnderTheirOwnName() throws Exception {
        EventCollector events = new EventCollector(kernel);
        try (LoopbackServer server = new LoopbackServer("127.0.0.1")) {
            List<Long> pids = new ArrayList<>();
            for (int i = 0; i < PROCESSES; i++) {
                Process curl = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "--max-time", "5",
                        "http://127.0.0.1:" + server.port() + "/").start();
                pids.add(curl.pid());
                curl.waitFor();
            }
            List<ConnectEvent> seen = events.to("127.0.0.1", server.port(), PROCESSES);
            assertThat(seen).hasSize(PROCESSES).allSatisfy(e -> assertThat(e.commString()).isEqualTo("curl"));
            assertThat(seen).extracting(ConnectEvent::tgid).containsExactlyInAnyOrderElementsOf(pids);
        }
    }

    @Test
    void pythonProcessCountsEachAttemptOnce() throws Exception {
        EventCollector events = new EventCollector(kernel);
        try (LoopbackServer server = new LoopbackServer("127.0.0.1")) {
            String[] identity = Subprocess.run(Subprocess.python("127.0.0.1", server.port(),
                    "for _ in range(" + IN_JVM + "): socket.create_connection((ADDR, PORT)).close()")).strip().split(" ");
            List<ConnectEvent> seen = events.to("127.0.0.1", server.port(), IN_JVM);
            assertThat(seen).hasSize(IN_JVM).allSatisfy(e -> {
                assertThat(e.commString()).isEqualTo(identity[0]);
                assertThat(e.tgid()).isEqualTo(Long.parseLong(identity[1]));
            });
        }
    }

    @Test
    void aNonBlockingConnectPolledUntilConnectedIsOneAttempt() throws Exception {
        EventCollector events = new EventCollector(kernel);
        try (LoopbackServer server = new LoopbackServer("127.0.0.1")) {
            // connect_ex again and again (EINPROGRESS, EALREADY, then EISCONN): each socket is one attempt
            String output = Subprocess.run(Subprocess.python("127.0.0.1", server.port(), String.join("\n",
                    "calls = 0",
                    "for _ in range(" + PROCESSES + "):",
                    "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
                    "    s.setblocking(False)",
                    "    n = 0",
                    "    while True:",
                    "        r = s.connect_ex((ADDR, PORT)); n += 1",
                    "        if r in (0, errno.EISCONN) and n > 1: break",
                    "        time.sleep(0.001)",
                    "    calls += n",
                    "    s.close()",
                    "print(calls)")));
            int connectCalls = Integer.parseInt(output.strip().lines().reduce((a, b) -> b).orElseThrow());
            assertThat(connectCalls).isGreaterThanOrEqualTo(2 * PROCESSES);
            assertThat(events.to("127.0.0.1", server.port(), PROCESSES)).hasSize(PROCESSES);
        }
    }

    @Test
    void refusedAttemptsToAnAddressWithoutListenerCountToo() throws Exception {
        EventCollector events = new EventCollector(kernel);
        String address = "127.77.0." + (1 + tier().ordinal());
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            port = probe.getLocalPort(); // free now that the probe is closed
        }
        for (int i = 0; i < IN_JVM; i++) {
            int target = port;
            assertThatThrownBy(() -> new Socket(address, target).close()).isInstanceOf(ConnectException.class);
        }
        assertThat(events.to(address, port, IN_JVM)).hasSize(IN_JVM).allSatisfy(e -> {
            assertThat(e.outcome()).isEqualTo(refusedOutcome());
            assertThat(e.error()).isEqualTo(refusedError());
        });
    }

    @Test
    void aNamedThreadIsCountedUnderTheProcessName() throws Exception {
        EventCollector events = new EventCollector(kernel);
        try (LoopbackServer server = new LoopbackServer("127.0.0.1")) {
            List<Throwable> failures = new ArrayList<>();
            Thread worker = Thread.ofPlatform().name("my-worker-thread").start(() -> {
                try {
                    connectJava("127.0.0.1", server.port(), IN_JVM);
                } catch (IOException e) {
                    failures.add(e);
                }
            });
            worker.join();
            assertThat(failures).isEmpty();
            assertThat(events.to("127.0.0.1", server.port(), IN_JVM)).hasSize(IN_JVM)
                    .allSatisfy(e -> assertThat(e.commString()).isEqualTo("java"));
        }
    }

    @Test
    void excludedProcessesAreNotEmittedButCounted() throws Exception {
        EventCollector events = new EventCollector(kernel);
        try (LoopbackServer server = new LoopbackServer("127.0.0.1")) {
            long before = kernel.excludedAttempts();
            for (int i = 0; i < PROCESSES; i++) {
                Subprocess.run(List.of(excludedCurl.toString(), "-s", "-o", "/dev/null", "--max-time", "5",
                        "http://127.0.0.1:" + server.port() + "/"));
            }
            assertThat(events.to("127.0.0.1", server.port(), 0)).isEmpty();
            assertThat(kernel.excludedAttempts() - before).isEqualTo(PROCESSES);
        }
    }

    /** The agent's own connects (to the API server, say) are not attempts; anyone else's are. */
    @Test
    void theOwnProcessIsNeverAnAttempt() throws Exception {
        try (L4Kernel own = L4Kernel.open(new L4Options(Optional.of(tier()), List.of(), false, OwnProcess.current()));
             LoopbackServer server = new LoopbackServer("127.0.0.1")) {
            EventCollector all = new EventCollector(kernel);
            EventCollector withoutUs = new EventCollector(own);
            connectJava("127.0.0.1", server.port(), IN_JVM);
            Subprocess.run(Subprocess.python("127.0.0.1", server.port(),
                    "for _ in range(" + PROCESSES + "): socket.create_connection((ADDR, PORT)).close()"));
            assertThat(all.to("127.0.0.1", server.port(), IN_JVM + PROCESSES)).hasSize(IN_JVM + PROCESSES);
            assertThat(withoutUs.to("127.0.0.1", server.port(), PROCESSES)).hasSize(PROCESSES)
                    .allSatisfy(e -> assertThat(e.tgid()).isNotEqualTo(PID));
        }
    }

    /**
     * As an agent in a container without hostPID knows itself: pid 1 of a pid namespace of its own. A
     * process that is pid 1 in another namespace, or has our namespace-pid elsewhere, is still counted.
     */
    @Test
    void theOwnProcessIsRecognisedInsideItsPidNamespace() throws Exception {
        KernelPreconditions.requireTool("unshare");
        try (LoopbackServer server = new LoopbackServer("127.0.0.1")) {
            Process contained = new ProcessBuilder("unshare", "--pid", "--fork", "python3", "-c", String.join("\n",
                    "import os, socket, sys",
                    "print(os.getpid(), os.readlink('/proc/self/ns/pid')[5:-1], flush=True)",
                    "sys.stdin.readline()",
                    "for _ in range(" + PROCESSES + "): socket.create_connection(('127.0.0.1', " + server.port() + ")).close()",
                    "print('done', flush=True)")).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(contained.getInputStream()));
            String[] identity = out.readLine().split(" ");
            assertThat(identity[0]).as("pid inside the new namespace").isEqualTo("1");
            var self = new OwnProcess(1, Long.parseLong(identity[1]));
            try (L4Kernel own = L4Kernel.open(new L4Options(Optional.of(tier()), List.of(), false, self))) {
                EventCollector all = new EventCollector(kernel);
                EventCollector withoutContained = new EventCollector(own);
                contained.getOutputStream().write('\n');
                contained.getOutputStream().flush();
                assertThat(out.readLine()).isEqualTo("done");
                connectJava("127.0.0.1", server.port(), IN_JVM);
                Subprocess.run(Subprocess.python("127.0.0.1", server.port(),
                        "for _ in range(" + PROCESSES + "): socket.create_connection((ADDR, PORT)).close()"));
                assertThat(all.to("127.0.0.1", server.port(), 2 * PROCESSES + IN_JVM)).hasSize(2 * PROCESSES + IN_JVM);
                assertThat(withoutContained.to("127.0.0.1", server.port(), PROCESSES + IN_JVM)).hasSize(PROCESSES + IN_JVM);
            } finally {
                contained.destroyForcibly();
            }
        }
    }

    private static void connectJava(String address, int port, int times) throws IOException {
        for (int i = 0; i < times; i++) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getByName(address), port)); // blocking: no timeout
            }
        }
    }
}
