package io.parley.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import org.HdrHistogram.Histogram;

/**
 * Runs the whole comparison in this JVM and writes its report: Parley against raw RSocket,
 * Spring's RSocket messaging, gRPC-Java and raw Netty, each an echo over one loopback TCP
 * connection with one event-loop thread per side.
 *
 * <pre>{@code
 * mvn -q -Pbench -DskipTests package                                 # the full run, ~15 minutes
 * mvn -q -Pbench -DskipTests package -Dbench.args="--runs 1 --layouts split"
 * mvn -q -Pbench -DskipTests package -Dbench.args="--figures streams,stream-cancel"   # streams alone
 * }</pre>
 *
 * <p>For each CPU layout (both event loops pinned to one CPU; one CPU each), each system:
 * calls/s, latency percentiles and allocation per call with 1, 16 and 256 calls in flight and
 * 64-byte and 4 KiB payloads, in rounds whose windows of the systems take turns; then, for the
 * systems that serve one, items/s of one long server stream per window, the client asking in
 * batches, in rounds the same way. Then, once per layout, cancel propagation of calls and of
 * flowing streams; once per system, heap per pending call. The report goes to
 * {@code <out>/<date>.md} with a chart beside it.
 */
public final class Bench {

    /** The systems, by the key {@code --systems} takes, in the report's order. */
    static final Map<String, Supplier<EchoSystem>> SYSTEMS = new LinkedHashMap<>();

    static {
        SYSTEMS.put("rsocket", RawRSocketSystem::plain);
        SYSTEMS.put("rsocket-metadata", RawRSocketSystem::withParleyMetadata);
        SYSTEMS.put("parley-bytes", ParleySystem::bytes);
        SYSTEMS.put("parley-json", ParleySystem::json);
        SYSTEMS.put("parley-intercepted", ParleySystem::intercepted);
        SYSTEMS.put("parley-traced", ParleySystem::traced);
        SYSTEMS.put("parley-inspected", ParleySystem::inspected);
        SYSTEMS.put("parley-admission", ParleySystem::admission);
        SYSTEMS.put("parley-no-retries", ParleySystem::once);
        SYSTEMS.put("spring", SpringSystem::new);
        SYSTEMS.put("grpc-direct", GrpcSystem::directExecutor);
        SYSTEMS.put("grpc-default", GrpcSystem::defaultExecutor);
        SYSTEMS.put("netty", NettySystem::new);
    }

    /** Systems measured only when named: what the call context costs Parley, for ratios to parley-bytes. */
    static final List<String> ON_REQUEST = List.of("parley-intercepted", "parley-traced", "parley-inspected", "parley-admission",
            "parley-no-retries");

    /** The systems measured for cancel propagation (of calls and of streams) and memory; raw Netty gives the cancel limit. */
    static final List<String> HOLDING = List.of("rsocket", "parley-bytes", "spring", "grpc-direct");

    /** What a run can measure, by the key {@code --figures} takes. */
    enum Figure {
        /** Calls/s, latency and allocation per call of the echo, in rounds. */
        CALLS("calls"),
        /** Cancel propagation of a held call, and the raw Netty one-way limit. */
        CANCEL("cancel"),
        /** Heap per pending call. */
        MEMORY("memory"),
        /** Items/s and allocation per item of one long server stream per window, in rounds. */
        STREAMS("streams"),
        /** Cancel propagation of a flowing server stream. */
        STREAM_CANCEL("stream-cancel"),
        /** Parley's admission limit against no limit, offered twice a server's capacity. */
        OVERLOAD("overload");

        final String key;

        Figure(String key) {
            this.key = key;
        }

        static Figure parse(String key) {
            for (Figure figure : values()) {
                if (figure.key.equals(key.strip())) {
                    return figure;
                }
            }
            throw new IllegalArgumentException("--figures: '" + key + "' (expected: some of "
                    + Arrays.stream(values()).map(f -> f.key).toList() + ")");
        }
    }

    private static final String USAGE = String.join("\n",
            "usage: Bench [options]",
            "  --out DIR               where the report goes (default: results)",
            "  --name NAME             the report's file name, without .md (default: today's date)",
            "  --warmup-ms N           warm-up before each measured window (default 700)",
            "  --jit-warmup-ms N       once per system and payload at the start, 16 in flight (default 2000)",
            "  --measure-ms N          each measured window (default 1300)",
            "  --runs N                rounds: windows of each system and configuration, taking turns (default 3)",
            "  --in-flight LIST        calls in flight (default 1,16,256)",
            "  --payloads LIST         payload sizes in bytes (default 64,4096)",
            "  --layouts LIST          shared,split (default both)",
            "  --systems LIST          " + String.join(",", SYSTEMS.keySet()) + " (default all but " + ON_REQUEST + ";",
            "                          streams: rsocket, parley-bytes, parley-json, spring, grpc-direct, grpc-default)",
            "  --figures LIST          calls,cancel,memory,streams,stream-cancel,overload (default all;",
            "                          streams alone: --figures streams,stream-cancel)",
            "  --cancel-samples N      cancel samples kept per system and layout (default 10000)",
            "  --cancel-warmup N       cancel samples discarded first (default 2000)",
            "  --stream-batch N        items a stream's client asks for at first, then 3/4 of it at a time (default 256)",
            "  --stream-cancel-samples N  stream cancel samples kept per system and layout (default 2000)",
            "  --stream-cancel-warmup N   stream cancel samples discarded first (default 200)",
            "  --stream-cancel-limit-s N  at most this long for one system's kept stream cancel samples (default 15)",
            "  --pending N             calls held for the memory figure (default 100000)",
            "  --overload-ms N         each mode's measured window of the overload figure (default 5000)",
            "  --no-pin                leave every thread where the OS puts it");

    private Bench() {
    }

    /** The options of one run; the defaults are the full run's. */
    static final class Options {

        Path out = Path.of("results");
        String name = LocalDate.now().toString();
        Duration warmup = Duration.ofMillis(700);
        Duration jitWarmup = Duration.ofMillis(2000);
        Duration measure = Duration.ofMillis(1300);
        int runs = 3;
        int[] inFlight = {1, 16, 256};
        int[] payloads = {64, 4096};
        List<Layout> layouts = List.of(Layout.values());
        List<String> systems = SYSTEMS.keySet().stream().filter(key -> !ON_REQUEST.contains(key)).toList();
        List<Figure> figures = List.of(Figure.values());
        int cancelSamples = 10_000;
        int cancelWarmup = 2_000;
        int streamBatch = 256;
        int streamCancelSamples = 2_000;
        int streamCancelWarmup = 200;
        Duration streamCancelLimit = Duration.ofSeconds(15);
        int pending = 100_000;
        Duration overloadMeasure = Duration.ofSeconds(5);
        boolean pin = true;

        static Options parse(String... args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (option.isBlank()) {
                    continue;
                }
                if (option.equals("--no-pin")) {
                    o.pin = false;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                String v = args[++i];
                switch (option) {
                    case "--out" -> o.out = Path.of(v);
                    case "--name" -> o.name = v;
                    case "--warmup-ms" -> o.warmup = Duration.ofMillis(positive(option, v));
                    case "--jit-warmup-ms" -> o.jitWarmup = Duration.ofMillis(positive(option, v));
                    case "--measure-ms" -> o.measure = Duration.ofMillis(positive(option, v));
                    case "--runs" -> o.runs = positive(option, v);
                    case "--in-flight" -> o.inFlight = ints(option, v);
                    case "--payloads" -> o.payloads = ints(option, v);
                    case "--layouts" -> o.layouts = Arrays.stream(v.split(",")).map(Layout::parse).toList();
                    case "--systems" -> o.systems = systems(v);
                    case "--figures" -> o.figures = Arrays.stream(v.split(",")).map(Figure::parse).distinct().toList();
                    case "--cancel-samples" -> o.cancelSamples = positive(option, v);
                    case "--cancel-warmup" -> o.cancelWarmup = positive(option, v);
                    case "--stream-batch" -> o.streamBatch = positive(option, v);
                    case "--stream-cancel-samples" -> o.streamCancelSamples = positive(option, v);
                    case "--stream-cancel-warmup" -> o.streamCancelWarmup = positive(option, v);
                    case "--stream-cancel-limit-s" -> o.streamCancelLimit = Duration.ofSeconds(positive(option, v));
                    case "--pending" -> o.pending = positive(option, v);
                    case "--overload-ms" -> o.overloadMeasure = Duration.ofMillis(positive(option, v));
                    default -> throw new IllegalArgumentException("unknown option '" + option + "'");
                }
            }
            return o;
        }

        boolean measures(Figure figure) {
            return figures.contains(figure);
        }

        private static int positive(String option, String value) {
            int n;
            try {
                n = Integer.parseInt(value.strip());
            }
            catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": '" + value + "' (expected: a whole number)");
            }
            if (n < 1) {
                throw new IllegalArgumentException(option + ": " + n + " (expected: > 0)");
            }
            return n;
        }

        private static int[] ints(String option, String value) {
            return Arrays.stream(value.split(",")).mapToInt(s -> positive(option, s)).toArray();
        }

        private static List<String> systems(String value) {
            List<String> list = Arrays.stream(value.split(",")).map(String::strip).toList();
            for (String key : list) {
                if (!SYSTEMS.containsKey(key)) {
                    throw new IllegalArgumentException("--systems: '" + key + "' (expected: some of " + SYSTEMS.keySet() + ")");
                }
            }
            return list;
        }
    }

    /** Where the two event loops of a system run. */
    enum Layout {
        /** Both loops on CPU 0: the software's own cost, with no parallelism to hide it. */
        SHARED("shared", "both event loops on CPU 0", 0, 0),
        /** Server loop on CPU 0, client loop on CPU 1. */
        SPLIT("split", "server loop on CPU 0, client loop on CPU 1", 0, 1);

        final String key;
        final String description;
        final int serverCpu;
        final int clientCpu;

        Layout(String key, String description, int serverCpu, int clientCpu) {
            this.key = key;
            this.description = description;
            this.serverCpu = serverCpu;
            this.clientCpu = clientCpu;
        }

        static Layout parse(String key) {
            for (Layout layout : values()) {
                if (layout.key.equals(key.strip())) {
                    return layout;
                }
            }
            throw new IllegalArgumentException("--layouts: '" + key + "' (expected: shared or split)");
        }
    }

    /** One measured window of one configuration. */
    record Throughput(String system, Layout layout, int run, int payload, int inFlight, long calls,
            double callsPerSecond, double p50Micros, double p99Micros, double p999Micros, double allocatedBytesPerCall) {
    }

    /** One measured window of one system's server stream. */
    record StreamThroughput(String system, Layout layout, int run, int payload, long items, double itemsPerSecond,
            double allocatedBytesPerItem) {
    }

    /** Cancel propagation of one system in one layout (of a call or of a stream), or the raw Netty one-way limit. */
    record Cancel(String system, Layout layout, long samples, double p50Micros, double p99Micros) {
    }

    /** Heap per pending call of one system. */
    record Memory(String system, int pending, double bytesPerCall) {
    }

    /** Everything one run measured, and what it ran on. */
    record Results(Options options, ZonedDateTime started, Duration wallTime, List<Throughput> throughput,
            List<Cancel> cancels, List<Memory> memory, List<StreamThroughput> streams, List<Cancel> streamCancels,
            List<Overload.Result> overload, Map<Layout, List<String>> pinning, List<String> failures) {
    }

    /**
     * Runs the comparison and writes the report.
     *
     * @param args see {@code --help}
     */
    public static void main(String[] args) throws Exception {
        Options options;
        try {
            if (Arrays.asList(args).contains("--help")) {
                System.out.println(USAGE);
                return;
            }
            options = Options.parse(args);
        }
        catch (IllegalArgumentException e) {
            System.err.println("Bench: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        Results results = run(options);
        Path report = Report.write(results);
        System.out.println("Bench: report " + report.toAbsolutePath() + " (" + results.wallTime().toSeconds() + " s)");
        if (!results.failures().isEmpty()) {
            System.err.println("Bench: " + results.failures().size() + " failure(s): " + results.failures());
            System.exit(1);
        }
    }

    /** Runs every figure the options ask for. */
    static Results run(Options options) {
        ZonedDateTime started = ZonedDateTime.now();
        long start = System.nanoTime();
        boolean pinning = options.pin && Pinning.available();
        List<Throughput> throughput = new ArrayList<>();
        List<Cancel> cancels = new ArrayList<>();
        List<Memory> memory = new ArrayList<>();
        List<StreamThroughput> streams = new ArrayList<>();
        List<Cancel> streamCancels = new ArrayList<>();
        Map<Layout, List<String>> pinned = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        boolean calls = options.measures(Figure.CALLS);
        boolean streaming = options.measures(Figure.STREAMS);
        log("Bench: %s, %d CPUs, Java %s; pinning %s; figures %s", options.name, Runtime.getRuntime().availableProcessors(),
                Runtime.version(), pinning ? "with taskset" : "unavailable: threads run where the OS puts them",
                options.figures.stream().map(f -> f.key).toList());

        // The JIT's work outlives a system's instances: warm every system's code once, up front.
        for (String key : options.systems) {
            try (EchoSystem system = SYSTEMS.get(key).get()) {
                if (!calls && !(streaming && system.streams())) {
                    continue;
                }
                system.start(options.payloads);
                for (int payload : options.payloads) {
                    if (calls) {
                        ClosedLoop.run(system, payload, 16, options.jitWarmup, Duration.ofMillis(1));
                    }
                    if (streaming && system.streams()) {
                        StreamLoop.run(system, payload, options.streamBatch, options.jitWarmup, Duration.ofMillis(1));
                    }
                }
                log("  warmed up %s", system.name());
            }
            catch (Exception | AssertionError e) {
                failures.add("warm-up " + key + ": " + e);
                log("  warm-up %s FAILED: %s", key, e);
            }
        }

        for (Layout layout : options.layouts) {
            List<String> layoutPins = new ArrayList<>();
            pinned.put(layout, layoutPins);
            // Every system of the layout runs side by side, idle but for its own windows, which take
            // turns: round after round, each configuration gets one window of each system, in an
            // order that rotates. A ratio of two systems is taken within a round, from windows
            // seconds apart, so that a machine whose speed drifts moves both sides of it alike.
            List<EchoSystem> live = new ArrayList<>();
            try {
                for (String key : calls || streaming ? options.systems : List.<String>of()) {
                    try {
                        EchoSystem system = SYSTEMS.get(key).get();
                        if (!calls && !system.streams()) {
                            system.close();
                            continue;
                        }
                        live.add(system);
                        system.start(options.payloads);
                        layoutPins.add(system.name() + ": " + String.join(", ", pin(system, layout, pinning)));
                    }
                    catch (Exception | AssertionError e) {
                        live.remove(live.size() - 1).close();
                        failures.add(layout.key + " start " + key + ": " + e);
                        log("  %s start %s FAILED: %s", layout.key, key, e);
                    }
                }
                if (calls) {
                    callWindows(options, layout, live, throughput, failures);
                }
                if (streaming) {
                    streamWindows(options, layout, live.stream().filter(EchoSystem::streams).toList(), streams, failures);
                }
            }
            finally {
                live.forEach(EchoSystem::close);
            }
            boolean cancel = options.measures(Figure.CANCEL);
            boolean streamCancel = options.measures(Figure.STREAM_CANCEL);
            for (String key : options.systems) {
                if (!HOLDING.contains(key) || !(cancel || streamCancel)) {
                    continue;
                }
                try (EchoSystem system = SYSTEMS.get(key).get()) {
                    system.start(new int[] {64});
                    pin(system, layout, pinning);
                    if (cancel) {
                        try {
                            Histogram h = Probes.cancel(system, options.cancelWarmup, options.cancelSamples);
                            cancels.add(cancel(system.name(), layout, h));
                            log("  %-6s cancel %-22s p50 %8.1f µs  p99 %8.1f µs  (%d samples)", layout.key, system.name(),
                                    h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getTotalCount());
                        }
                        catch (Exception | AssertionError e) {
                            failures.add(layout.key + " cancel " + key + ": " + e);
                            log("  %s cancel %s FAILED: %s", layout.key, key, e);
                        }
                    }
                    if (streamCancel && system.streams()) {
                        Histogram h = Probes.streamCancel(system, options.streamBatch, options.streamCancelWarmup,
                                options.streamCancelSamples, options.streamCancelLimit);
                        streamCancels.add(cancel(system.name(), layout, h));
                        log("  %-6s stream cancel %-15s p50 %8.1f µs  p99 %8.1f µs  (%d samples)", layout.key, system.name(),
                                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getTotalCount());
                    }
                }
                catch (Exception | AssertionError e) {
                    failures.add(layout.key + (streamCancel ? " stream cancel " : " cancel ") + key + ": " + e);
                    log("  %s %s %s FAILED: %s", layout.key, streamCancel ? "stream cancel" : "cancel", key, e);
                }
            }
            if (!(cancel || streamCancel)) {
                continue;
            }
            try (NettySystem netty = new NettySystem()) {
                netty.start(new int[] {64});
                pin(netty, layout, pinning);
                Histogram h = Probes.oneWay(netty, options.cancelWarmup, options.cancelSamples);
                cancels.add(cancel("raw Netty one-way write", layout, h));
                log("  %-6s one-way raw Netty write      p50 %8.1f µs  p99 %8.1f µs  (%d samples)", layout.key,
                        h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getTotalCount());
            }
            catch (Exception | AssertionError e) {
                failures.add(layout.key + " one-way netty: " + e);
                log("  %s one-way netty FAILED: %s", layout.key, e);
            }
        }

        for (String key : options.systems) {
            if (!HOLDING.contains(key) || !options.measures(Figure.MEMORY)) {
                continue;
            }
            try (EchoSystem system = SYSTEMS.get(key).get()) {
                system.start(new int[] {64});
                double perCall = Probes.memory(system, options.pending);
                memory.add(new Memory(system.name(), options.pending, perCall));
                log("  memory %-22s %,8.0f B per pending call (%,d pending)", system.name(), perCall, options.pending);
            }
            catch (Exception | AssertionError e) {
                failures.add("memory " + key + ": " + e);
                log("  memory %s FAILED: %s", key, e);
            }
        }
        List<Overload.Result> overload = new ArrayList<>();
        if (options.measures(Figure.OVERLOAD)) {
            try {
                overload.addAll(Overload.run(options.warmup, options.overloadMeasure));
            }
            catch (Exception | AssertionError e) {
                failures.add("overload: " + e);
                log("  overload FAILED: %s", e);
            }
        }
        return new Results(options, started, Duration.ofNanos(System.nanoTime() - start), throughput, cancels, memory,
                streams, streamCancels, overload, pinned, failures);
    }

    /** The echo's windows of one layout: each payload and calls in flight, round after round, the systems taking turns. */
    private static void callWindows(Options options, Layout layout, List<EchoSystem> live, List<Throughput> throughput,
            List<String> failures) {
        for (int payload : options.payloads) {
            for (int inFlight : options.inFlight) {
                for (int run = 1; run <= options.runs; run++) {
                    for (int i = 0; i < live.size(); i++) {
                        EchoSystem system = live.get((i + run - 1) % live.size());
                        try {
                            ClosedLoop.Window w = ClosedLoop.run(system, payload, inFlight, options.warmup, options.measure);
                            Histogram h = w.latencyNanos();
                            Throughput t = new Throughput(system.name(), layout, run, payload, inFlight, w.calls(),
                                    w.callsPerSecond(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                                    h.getValueAtPercentile(99.9) / 1e3, w.allocatedBytesPerCall());
                            throughput.add(t);
                            log("  %-6s round %d  %-22s %5d B %4d in flight  %,10.0f calls/s  p50 %8.1f µs  p99 %8.1f µs  p99.9 %8.1f µs  %,7.0f B/call",
                                    layout.key, run, t.system(), payload, inFlight, t.callsPerSecond(), t.p50Micros(),
                                    t.p99Micros(), t.p999Micros(), t.allocatedBytesPerCall());
                        }
                        catch (Exception | AssertionError e) {
                            failures.add(layout.key + " round " + run + " " + system.name() + ": " + e);
                            log("  %s round %d %s FAILED: %s", layout.key, run, system.name(), e);
                        }
                    }
                }
            }
        }
    }

    /** The stream's windows of one layout: each payload, round after round, the systems taking turns as for calls. */
    private static void streamWindows(Options options, Layout layout, List<EchoSystem> live, List<StreamThroughput> streams,
            List<String> failures) {
        for (int payload : options.payloads) {
            for (int run = 1; run <= options.runs; run++) {
                for (int i = 0; i < live.size(); i++) {
                    EchoSystem system = live.get((i + run - 1) % live.size());
                    try {
                        StreamLoop.Window w = StreamLoop.run(system, payload, options.streamBatch, options.warmup, options.measure);
                        if (w.items() == 0) {
                            throw new IllegalStateException(system.name() + ": the stream delivered no item in its measured window");
                        }
                        StreamThroughput t = new StreamThroughput(system.name(), layout, run, payload, w.items(), w.itemsPerSecond(),
                                w.allocatedBytesPerItem());
                        streams.add(t);
                        log("  %-6s round %d  %-22s %5d B stream, batches of %d  %,10.0f items/s  %,7.0f B/item",
                                layout.key, run, t.system(), payload, options.streamBatch, t.itemsPerSecond(), t.allocatedBytesPerItem());
                    }
                    catch (Exception | AssertionError e) {
                        failures.add(layout.key + " stream round " + run + " " + system.name() + ": " + e);
                        log("  %s stream round %d %s FAILED: %s", layout.key, run, system.name(), e);
                    }
                }
            }
        }
    }

    private static Cancel cancel(String system, Layout layout, Histogram h) {
        return new Cancel(system, layout, h.getTotalCount(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3);
    }

    private static List<String> pin(EchoSystem system, Layout layout, boolean pinning) throws Exception {
        if (!pinning) {
            return List.of("unpinned");
        }
        List<String> server = Pinning.pin(system.serverThreads(), layout.serverCpu);
        List<String> client = Pinning.pin(system.clientThreads(), layout.clientCpu);
        if (server.isEmpty() || client.isEmpty()) {
            throw new IllegalStateException(system.name() + ": event-loop threads not found to pin (server "
                    + system.serverThreads() + "-*: " + server + ", client " + system.clientThreads() + "-*: " + client + ")");
        }
        return List.of("server " + server + " on CPU " + layout.serverCpu, "client " + client + " on CPU " + layout.clientCpu);
    }

    static void log(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
