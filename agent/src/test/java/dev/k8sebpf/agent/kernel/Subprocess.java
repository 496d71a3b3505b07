package dev.k8sebpf.agent.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a client process to completion and returns what it printed. */
final class Subprocess {
    private Subprocess() {
    }

    static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        return output;
    }

    /** A process that prints its comm and pid, then runs the Python snippet (with ADDR and PORT bound). */
    static List<String> python(String address, int port, String snippet) {
        return List.of("python3", "-c", String.join("\n",
                "import errno, os, socket, time",
                "print(open('/proc/self/comm').read().strip(), os.getpid(), flush=True)",
                "ADDR, PORT = " + "'" + address + "', " + port,
                snippet));
    }
}
