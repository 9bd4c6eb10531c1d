package io.parley.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import io.netty.util.ResourceLeakDetector;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CallOptions;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ParleyClient;
import io.parley.core.client.RetryPolicy;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.rsocket.RSocketClientTransport;
import io.parley.rsocket.RSocketServerTransport;
import io.parley.test.NettyLeakDetection;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The soak: millions of mixed calls over RSocket TCP on loopback, one server and one client in
 * this JVM, with Netty's leak detector at PARANOID tracking every buffer. Each call is one of
 * the call model's ends — a reply, an abort with a fault code, an abortive cancel, a graceful
 * cancel answered by the handler, a timeout, a server stream to its end, a server stream the
 * client stops — and must end as the model says; anything else is
 * counted and printed.
 *
 * <p>Every {@code --report-s} seconds it prints the calls done, the calls per second since the
 * last report, the heap used after a full collection and the leaks Netty reported. At the end it
 * checks that the server holds no call, writes {@code <out>/<name>.md}, and exits with status 1
 * if a call ended otherwise than expected, a leak was reported or the server held a call.
 *
 * <pre>
 * mvn -q -Psoak -DskipTests package                                  # 10 million calls
 * mvn -q -Psoak -DskipTests package -Dsoak.args="--calls 200000"     # a short one
 * </pre>
 */
public final class Soak {

    /** The ends a soak call may have, one per kind of call. */
    enum Kind {
        REPLY, ABORT, ABORTIVE_CANCEL, GRACEFUL_CANCEL, TIMEOUT, STREAM, STREAM_CANCEL
    }

    /** Reply calls take two of every eight places; each other kind one. */
    private static final Kind[] MIX = {
        Kind.REPLY, Kind.ABORT, Kind.ABORTIVE_CANCEL, Kind.REPLY, Kind.GRACEFUL_CANCEL, Kind.TIMEOUT, Kind.STREAM, Kind.STREAM_CANCEL
    };

    private static final int FAULT = 0x0C0DE5A0;
    private static final int STREAM_ITEMS = 8;
    private static final int STREAM_TAKEN = 3;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String USAGE = "--calls N, --in-flight N, --report-s N, --out DIR, --name NAME, "
            + "--leak-detection paranoid|advanced|simple|disabled, --kinds reply,abort,...";

    private final Map<Kind, LongAdder> ended = new EnumMap<>(Kind.class);
    private final LongAdder unexpected = new LongAdder();
    private final Queue<String> firstUnexpected = new ConcurrentLinkedQueue<>();
    private final AtomicLong done = new AtomicLong();

    private Soak() {
        for (Kind kind : Kind.values()) {
            ended.put(kind, new LongAdder());
        }
    }

    /** The options of a run. */
    private record Options(long calls, int inFlight, int reportSeconds, Path out, String name, ResourceLeakDetector.Level leakLevel,
            List<Kind> kinds) {

        static Options parse(String[] args) {
            long calls = 10_000_000;
            int inFlight = 64;
            int report = 30;
            Path out = Path.of("results");
            String name = LocalDate.now() + "-soak";
            ResourceLeakDetector.Level level = ResourceLeakDetector.Level.PARANOID;
            List<Kind> kinds = List.of(MIX);
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(option + ": no value (expected: " + USAGE + ")");
                }
                String value = args[++i];
                switch (option) {
                    case "--calls" -> calls = Long.parseLong(value);
                    case "--in-flight" -> inFlight = Integer.parseInt(value);
                    case "--report-s" -> report = Integer.parseInt(value);
                    case "--out" -> out = Path.of(value);
                    case "--name" -> name = value;
                    case "--leak-detection" -> level = ResourceLeakDetector.Level.valueOf(value.toUpperCase(Locale.ROOT));
                    case "--kinds" -> kinds = Arrays.stream(value.split(",")).map(k -> Kind.valueOf(k.trim().toUpperCase(Locale.ROOT))).toList();
                    default -> throw new IllegalArgumentException(option + " (expected: " + USAGE + ")");
                }
            }
            if (calls < 1 || inFlight < 1 || report < 1) {
                throw new IllegalArgumentException("--calls, --in-flight and --report-s must be positive");
            }
            return new Options(calls, inFlight, report, out, name, level, kinds);
        }
    }

    /**
     * Runs the soak.
     *
     * @param args the options
     * @throws IOException if the report cannot be written
     */
    public static void main(String[] args) throws IOException {
        // Before any buffer class loads: every buffer tracked, every leak recorded.
        NettyLeakDetection.install();
        Options options = Options.parse(args);
        ResourceLeakDetector.setLevel(options.leakLevel());
        // The profile passes --out itself: the command to repeat the run names the rest.
        List<String> given = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out")) {
                i++;
            }
            else {
                given.add(args[i]);
            }
        }
        String command = "mvn -q -Psoak -DskipTests package" + (given.isEmpty() ? "" : " -Dsoak.args=\"" + String.join(" ", given) + "\"");
        boolean passed = new Soak().run(options, command, System.out);
        System.exit(passed ? 0 : 1);
    }

    private boolean run(Options options, String command, PrintStream out) throws IOException {
        ParleyServer server = ParleyServer.builder()
                .method(ServerMethod.mono("echo", String.class, Mono::just))
                .method(ServerMethod.async("abort", Integer.class, (Integer code, AsyncCall<String> call) -> call.abort(code)))
                // Holds the call until the client leaves; completing it then is refused, as the seed's complete after an abortive cancel.
                .method(ServerMethod.async("hold", String.class, (String request, AsyncCall<String> call) ->
                        call.cancelled().subscribe(null, null, () -> call.complete("too late"))))
                // Works past its deadline and ends only when the cancel comes, with RPC_S_TIMEOUT: the client sees that
                // status whether its own timer or the server's deadline is first.
                .method(ServerMethod.async("slow", String.class, (String request, AsyncCall<String> call) ->
                        call.cancelled().subscribe(null, null, () -> call.abort(RpcStatus.TIMEOUT.value()))))
                // Winds down on a graceful cancel (or the deadline), and replies.
                .method(ServerMethod.async("windDown", String.class, (String request, AsyncCall<String> call) ->
                        call.cancelled().subscribe(null, null, () -> call.complete("wound down"))))
                .method(ServerMethod.flux("count", Integer.class, (Integer n) -> Flux.range(0, n)))
                .method(ServerMethod.flux("endless", Integer.class, (Integer n) -> Flux.generate(sink -> sink.next(n))))
                .transport(RSocketServerTransport.tcp("127.0.0.1", 0))
                .bindNow();
        int port = Integer.parseInt(server.address().substring(server.address().lastIndexOf(':') + 1));
        ParleyClient client = ParleyClient.builder()
                .transport(RSocketClientTransport.tcp("127.0.0.1", port))
                .retry(RetryPolicy.NONE)
                .build();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        List<String> lines = new ArrayList<>();
        List<String> leaks = new ArrayList<>();
        String header = String.format("Soak: %,d calls, %d in flight, RSocket TCP on loopback, Netty leak detection %s"
                        + " (access records %s, close recorded %s), Java %s, %d CPUs",
                options.calls(), options.inFlight(), ResourceLeakDetector.getLevel(),
                System.getProperty("io.netty.leakDetection.targetRecords", "4"),
                System.getProperty("io.netty.leakDetection.trackClose", "true"),
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        out.println(header);
        String columns = "| elapsed | calls done | calls/s (interval) | heap after GC | leaks |";
        lines.add(columns);
        lines.add("|---|---|---|---|---|");
        out.println(columns);

        long start = System.nanoTime();
        long[] last = {start, 0};
        Disposable reporter = Flux.interval(Duration.ofSeconds(options.reportSeconds()))
                .subscribe(tick -> report(options, memory, start, last, leaks, lines, out));
        try {
            Flux.range(0, (int) Math.min(options.calls(), Integer.MAX_VALUE))
                    .flatMap(i -> call(client, options.kinds().get(i % options.kinds().size()), i), options.inFlight())
                    .then()
                    .block();
        }
        finally {
            reporter.dispose();
        }
        long elapsed = System.nanoTime() - start;
        report(options, memory, start, last, leaks, lines, out);

        // Every call has ended on the client; the server's side of the last ones may trail by a moment.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while ((server.activeCalls() > 0 || !server.calls().isEmpty()) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000);
        }
        int held = server.activeCalls();
        int listed = server.calls().size();
        client.dispose();
        server.dispose();
        collect();
        leaks.addAll(NettyLeakDetection.drainLeaks());

        double callsPerSecond = done.get() / (elapsed / 1e9);
        List<String> summary = new ArrayList<>();
        summary.add(String.format("- calls: %,d in %.1f s, %,.0f calls/s over the whole run", done.get(), elapsed / 1e9, callsPerSecond));
        StringBuilder byKind = new StringBuilder("- ended as expected, by kind:");
        for (Kind kind : Kind.values()) {
            byKind.append(String.format(" %s %,d;", kind.name().toLowerCase(Locale.ROOT), ended.get(kind).sum()));
        }
        summary.add(byKind.toString());
        summary.add(String.format("- ended otherwise: %,d%s", unexpected.sum(),
                firstUnexpected.isEmpty() ? "" : " — first: " + String.join("; ", firstUnexpected)));
        summary.add(String.format("- calls the server still held at the end: %d (listed: %d)", held, listed));
        summary.add(String.format("- buffer leaks Netty reported: %d", leaks.size()));
        boolean passed = unexpected.sum() == 0 && leaks.isEmpty() && held == 0 && listed == 0 && done.get() == options.calls();
        summary.add("- " + (passed ? "PASSED" : "FAILED"));
        summary.forEach(out::println);
        leaks.stream().limit(3).forEach(out::println);

        Files.createDirectories(options.out());
        Path file = options.out().resolve(options.name() + ".md");
        List<String> text = new ArrayList<>();
        text.add("# " + options.name());
        text.add("");
        text.add(header + ".");
        text.add("Command: `" + command + "`");
        text.add("");
        text.addAll(lines);
        text.add("");
        text.addAll(summary);
        Files.write(file, text, StandardCharsets.UTF_8);
        out.println("Written: " + file.toAbsolutePath());
        return passed;
    }

    private void report(Options options, MemoryMXBean memory, long start, long[] last, List<String> leaks, List<String> lines,
            PrintStream out) {
        long now = System.nanoTime();
        long calls = done.get();
        double rate = (calls - last[1]) / ((now - last[0]) / 1e9);
        last[0] = now;
        last[1] = calls;
        collect();
        long heap = memory.getHeapMemoryUsage().getUsed();
        leaks.addAll(NettyLeakDetection.drainLeaks());
        String line = String.format("| %d s | %,d | %,.0f | %.1f MiB | %d |", Math.round((now - start) / 1e9), calls, rate,
                heap / (1024.0 * 1024.0), leaks.size());
        synchronized (lines) {
            lines.add(line);
        }
        out.println(line);
    }

    /** A full collection, twice, so that Netty finds the buffers leaked since the last one. */
    private static void collect() {
        System.gc();
        System.gc();
    }

    private Mono<Void> call(ParleyClient client, Kind kind, int i) {
        Mono<Boolean> outcome = switch (kind) {
            case REPLY -> client.call("echo", "soak " + i, String.class).map(reply -> reply.equals("soak " + i));
            case ABORT -> client.call("abort", FAULT, String.class)
                    .map(reply -> false)
                    .onErrorResume(RpcFault.class, fault -> Mono.just(fault.faultCode() == FAULT));
            case ABORTIVE_CANCEL -> {
                ClientCall<String> call = client.start("hold", "x", String.class);
                RpcStatus cancelled = call.cancel(CancelMode.ABORTIVE);
                yield call.completion().map(status -> cancelled.isOk() && status.equals(RpcStatus.CALL_CANCELLED));
            }
            case GRACEFUL_CANCEL -> {
                ClientCall<String> call = client.start("windDown", "x", String.class);
                RpcStatus cancelled = call.cancel(CancelMode.GRACEFUL);
                yield call.reply().map(reply -> cancelled.isOk() && reply.equals("wound down"));
            }
            case TIMEOUT -> client.call("slow", "x", String.class, CallOptions.timeout(Duration.ofMillis(2)))
                    .map(reply -> false)
                    .onErrorResume(RpcFault.class, fault -> Mono.just(fault.status().equals(RpcStatus.TIMEOUT)));
            case STREAM -> client.stream("count", STREAM_ITEMS, Integer.class).count().map(n -> n == STREAM_ITEMS);
            case STREAM_CANCEL -> client.stream("endless", 7, Integer.class).take(STREAM_TAKEN).count().map(n -> n == STREAM_TAKEN);
        };
        return outcome
                .timeout(WAIT)
                .map(ok -> ok ? "" : "a reply or count other than expected")
                .defaultIfEmpty("no outcome")
                .onErrorResume(error -> Mono.just(error.toString()))
                .doOnNext(problem -> {
                    if (problem.isEmpty()) {
                        ended.get(kind).increment();
                    }
                    else {
                        unexpected(kind, problem);
                    }
                })
                .doFinally(signal -> done.incrementAndGet())
                .then();
    }

    private void unexpected(Kind kind, String what) {
        unexpected.increment();
        if (firstUnexpected.size() < 5) {
            firstUnexpected.add(kind + ": " + what);
        }
    }
}
