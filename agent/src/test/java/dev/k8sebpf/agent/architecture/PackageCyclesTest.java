package dev.k8sebpf.agent.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The agent's packages depend on each other without cycles, so each can be read (and changed) from the bottom up. */
class PackageCyclesTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/k8sebpf/agent");
    private static final Pattern REFERENCE = Pattern.compile("dev\\.k8sebpf\\.agent\\.([a-z0-9]+)\\.[A-Z]");

    @Test
    void noPackageDependsOnItselfThroughOthers() throws IOException {
        Map<String, Set<String>> uses = dependencies();
        assertThat(uses).containsKeys("kernel", "l7", "hooks", "config");
        List<String> cycles = new ArrayList<>();
        for (String from : uses.keySet()) {
            for (String to : uses.get(from)) {
                if (reaches(uses, to, from)) {
                    cycles.add(from + " -> " + to + " -> ... -> " + from);
                }
            }
        }
        assertThat(cycles).as("package dependencies: %s", uses).isEmpty();
    }

    @Test
    void aCycleIsFound() {
        assertThat(reaches(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a")), "b", "a")).isTrue();
        assertThat(reaches(Map.of("a", Set.of("b"), "b", Set.of("c")), "b", "a")).isFalse();
    }

    /** Package (first segment below dev.k8sebpf.agent) to the packages its sources name. */
    private static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = SOURCES.relativize(file);
                if (relative.getNameCount() < 2) {
                    continue; // Main: the top, allowed to use every package
                }
                String pkg = relative.getName(0).toString();
                Matcher m = REFERENCE.matcher(Files.readString(file));
                Set<String> targets = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        targets.add(m.group(1));
                    }
                }
            }
        }
        return uses;
    }

    private static boolean reaches(Map<String, Set<String>> uses, String from, String to) {
        Deque<String> todo = new ArrayDeque<>(List.of(from));
        Set<String> seen = new TreeSet<>();
        while (!todo.isEmpty()) {
            String next = todo.pop();
            if (next.equals(to)) {
                return true;
            }
            if (seen.add(next)) {
                todo.addAll(uses.getOrDefault(next, Set.of()));
            }
        }
        return false;
    }
}
