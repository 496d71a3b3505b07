package dev.k8sebpf.agent.loader;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What {@code bpftool} says is in the kernel: the independent witness for attach and detach. */
public final class BpfTool {
    private static final Pattern PROG = Pattern.compile("\\{\"id\":(\\d+),\"type\":\"[^\"]*\",\"name\":\"([^\"]*)\"");
    private static final Pattern LINK_PROG_ID = Pattern.compile("\"prog_id\":(\\d+)");

    private BpfTool() {
    }

    /**
     * Ids of loaded programs with one of these names. The kernel keeps 15 characters of a name; bpftool
     * shows the full name from BTF when the program has it, so both forms match.
     */
    public static List<Long> programIds(List<String> names) throws IOException, InterruptedException {
        List<String> kernelNames = names.stream().map(n -> n.length() > 15 ? n.substring(0, 15) : n).toList();
        List<Long> ids = new ArrayList<>();
        Matcher m = PROG.matcher(run("prog", "list"));
        while (m.find()) {
            if (names.contains(m.group(2)) || kernelNames.contains(m.group(2))) {
                ids.add(Long.parseLong(m.group(1)));
            }
        }
        return ids;
    }

    /** Program ids that have a link (attachment). */
    public static List<Long> linkedProgramIds() throws IOException, InterruptedException {
        List<Long> ids = new ArrayList<>();
        Matcher m = LINK_PROG_ID.matcher(run("link", "list"));
        while (m.find()) {
            ids.add(Long.parseLong(m.group(1)));
        }
        return ids;
    }

    /** Program ids that are loaded at all. */
    public static List<Long> loadedProgramIds() throws IOException, InterruptedException {
        List<Long> ids = new ArrayList<>();
        Matcher m = PROG.matcher(run("prog", "list"));
        while (m.find()) {
            ids.add(Long.parseLong(m.group(1)));
        }
        return ids;
    }

    private static String run(String object, String command) throws IOException, InterruptedException {
        KernelPreconditions.requireTool("bpftool");
        Process p = new ProcessBuilder("bpftool", "-j", object, command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("bpftool " + object + " " + command + " failed: " + out);
        }
        return out;
    }
}
