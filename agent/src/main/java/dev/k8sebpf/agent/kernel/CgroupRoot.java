package dev.k8sebpf.agent.kernel;

import java.util.Optional;

/** Finds the cgroup2 mount in /proc/self/mountinfo: cgroup hooks attached there see every process below it. */
final class CgroupRoot {
    private static final String SEPARATOR = " - ";

    private CgroupRoot() {
    }

    /** The mount point of the first cgroup2 mount of the cgroup namespace's root ("/"). */
    static Optional<String> find(String mountinfo) {
        return mountinfo.lines()
                .filter(line -> line.contains(SEPARATOR))
                .filter(line -> line.substring(line.indexOf(SEPARATOR) + SEPARATOR.length()).startsWith("cgroup2 "))
                .map(line -> line.split(" "))
                .filter(fields -> fields.length > 4 && fields[3].equals("/"))
                .map(fields -> unescape(fields[4]))
                .findFirst();
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
