package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shape the redesign gave the server, checked on its sources: Netty only under {@code transport}, the desk
 * depending on nothing but the configuration, and no package depending on itself through others.
 */
class ArchitectureTest {
    private static final Path SOURCES = Path.of("src/main/java/io/switchboard/server");
    private static final Pattern REFERENCE = Pattern.compile("io\\.switchboard\\.server(?:\\.(\\w+))?\\.[A-Z]");

    /** Each package of the server, and the server packages its sources name. */
    private static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> dependencies = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
                String pkg = packageOf(file);
                Set<String> used = dependencies.computeIfAbsent(pkg, key -> new TreeSet<>());
                Matcher matcher = REFERENCE.matcher(Files.readString(file));
                while (matcher.find()) {
                    String target = matcher.group(1) == null ? "" : matcher.group(1);
                    if (!target.equals(pkg)) {
                        used.add(target);
                    }
                }
            }
        }
        return dependencies;
    }

    private static String packageOf(Path file) {
        Path relative = SOURCES.relativize(file.getParent());
        return relative.toString().replace('/', '.');
    }

    @Test
    void nettyIsOnlyUnderTransport() throws IOException {
        List<String> outside = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
                if (!packageOf(file).equals("transport") && Files.readString(file).contains("io.netty")) {
                    outside.add(SOURCES.relativize(file).toString());
                }
            }
        }
        assertEquals(List.of(), outside, "files outside transport that use Netty");
    }

    @Test
    void theDeskDependsOnTheConfigurationOnly() throws IOException {
        assertEquals(Set.of("config"), dependencies().get("desk"));
    }

    @Test
    void noPackageDependsOnItself() throws IOException {
        Map<String, Set<String>> dependencies = dependencies();
        assertTrue(dependencies.size() >= 6, "found the packages: " + dependencies.keySet());
        for (String start : dependencies.keySet()) {
            Set<String> reached = new TreeSet<>();
            List<String> todo = new ArrayList<>(dependencies.get(start));
            while (!todo.isEmpty()) {
                String next = todo.remove(todo.size() - 1);
                if (reached.add(next)) {
                    todo.addAll(dependencies.getOrDefault(next, Set.of()));
                }
            }
            assertTrue(!reached.contains(start), "package '" + start + "' depends on itself: " + dependencies);
        }
    }
}
