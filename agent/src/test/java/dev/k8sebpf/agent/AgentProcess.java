package dev.k8sebpf.agent;

import dev.k8sebpf.agent.loader.KernelExpectations;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The agent's Main in a child JVM with the test classpath and the shipped JVM flags, as an operator would run it. */
final class AgentProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path stderr;
    private final int port;

    private AgentProcess(Process process, Path stderr, int port) {
        this.process = process;
        this.stderr = stderr;
        this.port = port;
    }

    /**
     * Starts Main with {@code env} on top of a clean environment and METRICS_ADDR on a free loopback port.
     *
     * @param launcher a command that runs the JVM, e.g. setpriv with reduced capabilities; may be empty
     */
    static AgentProcess start(Path workDir, Map<String, String> env, String... launcher) throws IOException {
        return start(workDir, env, List.of(), launcher);
    }

    /** As {@link #start(Path, Map, String...)}, with JVM options after the shipped ones (a later -Xmx wins). */
    static AgentProcess start(Path workDir, Map<String, String> env, List<String> jvmOptions, String... launcher)
            throws IOException {
        int port = freePort();
        String java = ProcessHandle.current().info().command().orElseThrow();
        var command = new ArrayList<>(List.of(launcher));
        // the flags the image and bin/run-local run with (heap size, exit on OutOfMemoryError); tests run in agent/
        command.addAll(List.of(java, "@" + Path.of("jvm.options").toAbsolutePath()));
        command.addAll(jvmOptions);
        command.addAll(KernelExpectations.childJvmOptions());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        var builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> !name.equals("PATH"));
        builder.environment().put("METRICS_ADDR", "127.0.0.1:" + port);
        builder.environment().putAll(env);
        Path stderr = Files.createTempFile(workDir, "agent", ".stderr");
        // the JVM's own last words (OutOfMemoryError) go to stdout
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(stderr.toFile())).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
        return new AgentProcess(builder.start(), stderr, port);
    }

    /** Runs Main to completion (for startup failures) and returns its exit status. */
    static Finished run(Path workDir, Map<String, String> env, String... launcher) throws IOException, InterruptedException {
        return run(workDir, env, List.of(), launcher);
    }

    static Finished run(Path workDir, Map<String, String> env, List<String> jvmOptions, String... launcher)
            throws IOException, InterruptedException {
        try (AgentProcess agent = start(workDir, env, jvmOptions, launcher)) {
            if (!agent.process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the agent did not exit; stderr: " + agent.stderr());
            }
            return new Finished(agent.process.exitValue(), Files.readAllLines(agent.stderr));
        }
    }

    record Finished(int status, List<String> stderrLines) {
    }

    /** A loopback port nobody listens on now. */
    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Waits for /readyz to answer 200; fails with the agent's stderr if it exits or never gets ready. */
    void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the agent exited with " + process.exitValue() + ": " + stderr());
            }
            try {
                if (get("/readyz").statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // retried until the deadline
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the agent was not ready within " + timeout + ": " + stderr());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits for the process to end by itself; returns its exit status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the agent did not exit within " + timeout);
        }
        return process.exitValue();
    }

    /** What the agent wrote on stderr (and stdout, where only the JVM itself writes). */
    String stderr() throws IOException {
        return Files.readString(stderr);
    }

    /** SIGTERM, as Kubernetes stops a pod; returns the exit status. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the agent ignored SIGTERM for 20 s");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
