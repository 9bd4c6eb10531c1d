package io.parley.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Pins threads of this JVM to CPUs with {@code taskset} (util-linux). Java 17 cannot tell a
 * thread's native id, so threads are found by name in {@code /proc/self/task/<tid>/comm}, where
 * the JVM writes the first 15 characters of each Java thread's name.
 */
final class Pinning {

    private Pinning() {
    }

    /** Whether this machine can pin: Linux with {@code taskset} on the path. */
    static boolean available() {
        if (!Files.isDirectory(Path.of("/proc/self/task"))) {
            return false;
        }
        try {
            return run(List.of("taskset", "-V"));
        }
        catch (IOException e) {
            return false;
        }
    }

    /**
     * Pins every thread of this JVM whose name starts with {@code prefix + "-"} to one CPU.
     *
     * @return the pinned threads' names with their native ids, e.g. {@code s3-epoll-1 (tid 4711)}
     */
    static List<String> pin(String prefix, int cpu) throws IOException {
        List<String> pinned = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String comm;
                try {
                    comm = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).strip();
                }
                catch (IOException gone) {
                    continue;
                }
                if (comm.startsWith(prefix + "-")) {
                    String tid = task.getFileName().toString();
                    if (!run(List.of("taskset", "-p", "-c", Integer.toString(cpu), tid))) {
                        throw new IOException("taskset -p -c " + cpu + " " + tid + " failed");
                    }
                    pinned.add(comm + " (tid " + tid + ")");
                }
            }
        }
        return pinned;
    }

    private static boolean run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
            return false;
        }
    }
}
