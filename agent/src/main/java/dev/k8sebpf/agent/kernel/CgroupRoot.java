package dev.k8sebpf.agent.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the cgroup2 mount in /proc/self/mountinfo: cgroup hooks attached there see every process below it. */
final class CgroupRoot {
    private static final String SEPARATOR = " - ";

    private CgroupRoot() {
    }

    /**
     * The mount point of the highest cgroup2 mount. In a pod with its own cgroup namespace, the runtime's
     * /sys/fs/cgroup has root "/" (the pod's own cgroup), while the host's cgroup2 root mounted into it
     * shows as "/../.." — a path above the namespace's root. The mount with the most ".." is the closest
     * to the real root, so hooks attached there see every process; a subtree ("/kubepods/...") never is.
     * Of equal candidates the last wins: a later mount on the same mount point hides an earlier one.
     */
    static Optional<String> find(String mountinfo) {
        String best = null;
        int bestHeight = -1;
        for (String line : mountinfo.lines().toList()) {
            int separator = line.indexOf(SEPARATOR);
            if (separator < 0 || !line.startsWith("cgroup2 ", separator + SEPARATOR.length())) {
                continue;
            }
            String[] fields = line.split(" ");
            int height = fields.length > 4 ? heightAboveNamespaceRoot(fields[3]) : -1;
            if (height >= bestHeight && height >= 0) {
                best = unescape(fields[4]);
                bestHeight = height;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Why hooks attached at this cgroup2 mount would miss other pods, or empty when it is the hierarchy's
     * root. Every cgroup but the root has {@code cgroup.events} (the kernel's CFTYPE_NOT_ON_ROOT files,
     * Linux 4.5+), whichever namespace looks at it: a container's own cgroup2 mount (its cgroup namespace's
     * root, mountinfo root "/") has it; the host's root mounted in by the hostPath ("/../..") does not.
     */
    static Optional<String> blindness(Path mountPoint) {
        if (!Files.exists(mountPoint.resolve("cgroup.events"))) {
            return Optional.empty();
        }
        return Optional.of("the cgroup2 mount at " + mountPoint + " is a cgroup of its own (this container's),"
                + " not the node's root, so hooks there would see no other pod: " + MOUNT_HINT);
    }

    /**
     * Why {@code subtree} cannot scope the hooks (CGROUP_SUBTREE), or empty: it must be a directory with
     * {@code cgroup.procs} below a cgroup2 mount point of this mount namespace.
     */
    static Optional<String> subtreeProblem(Path subtree, String mountinfo) {
        if (!subtree.isAbsolute()) {
            return Optional.of("not an absolute path");
        }
        if (!Files.isDirectory(subtree)) {
            return Optional.of("no such directory (create the cgroup first: mkdir under the cgroup2 mount)");
        }
        boolean below = mountinfo.lines().anyMatch(line -> {
            int separator = line.indexOf(SEPARATOR);
            String[] fields = line.split(" ");
            return separator >= 0 && line.startsWith("cgroup2 ", separator + SEPARATOR.length()) && fields.length > 4
                    && subtree.normalize().startsWith(Path.of(unescape(fields[4])));
        });
        if (!below || !Files.exists(subtree.resolve("cgroup.procs"))) {
            return Optional.of("not a cgroup of a cgroup2 mount (no cgroup2 mount above it in /proc/self/mountinfo,"
                    + " or no cgroup.procs in it)");
        }
        return Optional.empty();
    }

    /** What to change when the host's cgroup2 root is not visible; named in every such message. */
    static final String MOUNT_HINT = "mount the host's /sys/fs/cgroup into the agent (hostPath /sys/fs/cgroup,"
            + " see deploy/daemonset.yaml)";

    // "/" → 0, "/.." → 1, "/../.." → 2; a path into a subtree → -1.
    private static int heightAboveNamespaceRoot(String root) {
        if (root.equals("/")) {
            return 0;
        }
        int height = 0;
        for (String segment : root.substring(1).split("/")) {
            if (!segment.equals("..")) {
                return -1;
            }
            height++;
        }
        return root.startsWith("/") ? height : -1;
    }

    // mountinfo escapes space, tab, newline and backslash as \ooo octal.
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
