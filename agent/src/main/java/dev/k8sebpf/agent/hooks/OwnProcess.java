package dev.k8sebpf.agent.hooks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the kernel programs recognise the agent's own process: its pid in its own pid namespace and that
 * namespace's inode. In a container without hostPID these are all the agent can know of itself; its pid
 * in the initial namespace, which BPF's pid helpers give, is invisible from inside.
 */
public record OwnProcess(long nsTgid, long pidNamespaceInode) {
    /** No process: nobody's connects or receives are skipped. */
    public static final OwnProcess NOBODY = new OwnProcess(0, 0);

    private static final Pattern NS_LINK = Pattern.compile("pid:\\[(\\d+)]");

    /** This process, or {@link #NOBODY} if /proc does not say. */
    public static OwnProcess current() {
        try {
            Matcher m = NS_LINK.matcher(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString());
            if (m.matches()) {
                return new OwnProcess(ProcessHandle.current().pid(), Long.parseLong(m.group(1)));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // no /proc: the agent's own connects and receives are counted like anyone's
        }
        return NOBODY;
    }
}
