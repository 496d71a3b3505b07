package dev.k8sebpf.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.loader.KernelPreconditions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Runs {@code promtool check metrics} on a scrape body; fails under CI=true when promtool is missing. */
public final class Promtool {
    private Promtool() {
    }

    /** Skips the calling test (or fails it under CI=true) when promtool is missing. */
    public static void requireInstalled() {
        KernelPreconditions.requireTool("promtool");
    }

    public static void assertValid(byte[] scrape) throws IOException, InterruptedException {
        requireInstalled();
        Process process = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        process.getOutputStream().write(scrape);
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("promtool check metrics said: %s", output).isZero();
        assertThat(output).as("promtool lint findings").isEmpty();
    }
}
