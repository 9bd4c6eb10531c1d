package io.parley.benchmarks;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import io.parley.benchmarks.Bench.Cancel;
import io.parley.benchmarks.Bench.Figure;
import io.parley.benchmarks.Bench.Layout;
import io.parley.benchmarks.Bench.Memory;
import io.parley.benchmarks.Bench.Results;
import io.parley.benchmarks.Bench.StreamThroughput;
import io.parley.benchmarks.Bench.Throughput;

/**
 * Writes a run's results as Markdown, {@code <out>/<name>.md}, with a chart of throughput by
 * calls in flight beside it, {@code <out>/<name>.png} (when the run measured calls). Every number
 * printed is one the run measured; a ratio of two systems is the median of its rounds' ratios.
 */
final class Report {

    static final String RAW_RSOCKET = "raw RSocket";
    static final String PARLEY_BYTES = "Parley bytes";
    static final String PARLEY_JSON = "Parley JSON";
    static final String SPRING = "Spring RSocket JSON";
    static final String GRPC_DIRECT = "gRPC direct executor";
    static final String NETTY_ONE_WAY = "raw Netty one-way write";

    private Report() {
    }

    /**
     * Writes the report and its chart.
     *
     * @return the Markdown file
     */
    static Path write(Results results) throws IOException {
        Path dir = results.options().out;
        Files.createDirectories(dir);
        String name = results.options().name;
        Path chart = dir.resolve(name + ".png");
        if (results.options().measures(Figure.CALLS)) {
            chart(results, chart);
        }
        Path markdown = dir.resolve(name + ".md");
        Files.writeString(markdown, markdown(results, chart.getFileName().toString()), StandardCharsets.UTF_8);
        return markdown;
    }

    static String markdown(Results r, String chartFile) {
        StringBuilder md = new StringBuilder();
        Bench.Options o = r.options();
        md.append("# Parley benchmarks: ").append(o.name).append("\n\n");
        md.append(String.format(Locale.ROOT, "Started %s; wall time %d s (%.1f min).%n%n",
                r.started().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), r.wallTime().toSeconds(), r.wallTime().toSeconds() / 60.0));
        md.append("Each system serves an echo over one loopback TCP connection, one event-loop thread per side, in this one JVM. ")
                .append("Closed loop: N callers, each starting its next call when its last one completes; latency from issue to completion (HdrHistogram). ")
                .append("The systems' windows take turns, round after round; a ratio of two systems is the median of the ratios within each round. See docs/benchmarks.md for how to read this.\n\n");

        machine(md);
        method(md, r);
        targets(md, r);

        if (o.measures(Figure.CALLS)) {
            calls(md, r, chartFile);
        }
        if (o.measures(Figure.CANCEL)) {
            cancels(md, r);
        }
        if (o.measures(Figure.MEMORY)) {
            memory(md, r);
        }
        if (o.measures(Figure.STREAMS)) {
            streams(md, r);
        }
        if (o.measures(Figure.STREAM_CANCEL)) {
            streamCancels(md, r);
        }
        if (o.measures(Figure.OVERLOAD) && !r.overload().isEmpty()) {
            md.append(Overload.markdown(r.overload()));
        }

        if (!r.failures().isEmpty()) {
            md.append("## Failures\n\n");
            for (String failure : r.failures()) {
                md.append("- ").append(failure).append('\n');
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static void calls(StringBuilder md, Results r, String chartFile) {
        Bench.Options o = r.options();
        md.append("## Throughput, latency and allocation\n\n");
        md.append("![calls/s by calls in flight](").append(chartFile).append(")\n\n");
        md.append("calls/s, latency and allocation are given per round (round 1 / round 2 / ...); ")
                .append("× columns compare calls/s with raw RSocket's and gRPC direct executor's in the same layout, payload and calls in flight: the median of the rounds' ratios. ")
                .append("Allocation: bytes allocated by all threads of the JVM (client, server, harness) per completed call.\n\n");
        for (Layout layout : o.layouts) {
            for (int payload : o.payloads) {
                md.append("### ").append(layout.key).append(" (").append(layout.description).append("), ")
                        .append(payload).append("-byte payload\n\n");
                md.append("| System | in flight | calls/s | × raw RSocket | × gRPC direct | p50 µs | p99 µs | p99.9 µs | alloc B/call |\n");
                md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
                for (String system : systems(r)) {
                    for (int inFlight : o.inFlight) {
                        List<Throughput> runs = runs(r, system, layout, payload, inFlight);
                        if (runs.isEmpty()) {
                            continue;
                        }
                        md.append(row(system, inFlight, each(runs, Throughput::callsPerSecond, "%,.0f"),
                                format(ratio(r, system, RAW_RSOCKET, layout, payload, inFlight)),
                                format(ratio(r, system, GRPC_DIRECT, layout, payload, inFlight)),
                                each(runs, Throughput::p50Micros, "%.1f"), each(runs, Throughput::p99Micros, "%.1f"),
                                each(runs, Throughput::p999Micros, "%.1f"), each(runs, Throughput::allocatedBytesPerCall, "%,.0f")));
                    }
                }
                md.append('\n');
            }
        }
    }

    private static void cancels(StringBuilder md, Results r) {
        Bench.Options o = r.options();
        md.append("## Cancel propagation\n\n");
        md.append("From just before the client's cancel (disposing the call's subscription; gRPC: `ClientCall.cancel`) to the server's handler learning of it: ")
                .append("Parley `AsyncCall.cancelled()` (when `testCancel()` turns `RPC_S_OK`), raw RSocket and Spring `doOnCancel`, gRPC's `setOnCancelHandler`. ")
                .append("One call at a time, held by the server until cancelled; ")
                .append(o.cancelWarmup).append(" samples discarded first. The limit: a small frame written to a raw Netty channel from the same thread, until the server's `channelRead`. ")
                .append("Measured once per layout (not twice).\n\n");
        for (Layout layout : o.layouts) {
            md.append("### ").append(layout.key).append(" (").append(layout.description).append(")\n\n");
            md.append("| System | samples | p50 µs | p99 µs | p99 × Netty one-way p99 |\n|---|---:|---:|---:|---:|\n");
            OptionalDouble limit = r.cancels().stream().filter(c -> c.layout() == layout && c.system().equals(NETTY_ONE_WAY))
                    .mapToDouble(Cancel::p99Micros).findFirst();
            for (Cancel c : r.cancels()) {
                if (c.layout() == layout) {
                    md.append(String.format(Locale.ROOT, "| %s | %,d | %.1f | %.1f | %s |%n", c.system(), c.samples(), c.p50Micros(),
                            c.p99Micros(), limit.isPresent() ? ratio(c.p99Micros(), limit.getAsDouble()) : "n/a"));
                }
            }
            md.append('\n');
        }
    }

    private static void memory(StringBuilder md, Results r) {
        md.append("## Memory per pending call\n\n");
        md.append("Heap in use after full collections (`System.gc()`, least of four readings of `MemoryMXBean`) while the calls are held by the server on one connection, ")
                .append("less the same before them, divided by their number. Client and server together, as both live in this JVM. Measured once per system, at the end, unpinned (where the threads run does not change the heap).\n\n");
        md.append("| System | pending calls | heap B per pending call | beyond raw RSocket |\n|---|---:|---:|---:|\n");
        OptionalDouble rawMemory = r.memory().stream().filter(m -> m.system().equals(RAW_RSOCKET)).mapToDouble(Memory::bytesPerCall).findFirst();
        for (Memory m : r.memory()) {
            md.append(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %s |%n", m.system(), m.pending(), m.bytesPerCall(),
                    rawMemory.isPresent() ? String.format(Locale.ROOT, "%+,.0f B", m.bytesPerCall() - rawMemory.getAsDouble()) : "n/a"));
        }
        md.append('\n');
    }

    private static void streams(StringBuilder md, Results r) {
        Bench.Options o = r.options();
        md.append("## Server streams: items/s and allocation\n\n");
        md.append("One long server stream per window: the client sends a request of the payload's size to a `repeat` handler, which sends it back as items for as long as the client asks. ")
                .append(String.format(Locale.ROOT, "The client asks for %d items, then for %d more each time %d have arrived (Reactor's `limitRate(%d)` requests; gRPC: `disableAutoRequestWithInitial(%d)`, then `request(%d)`). ",
                        o.streamBatch, Batches.replenish(o.streamBatch), Batches.replenish(o.streamBatch), o.streamBatch, o.streamBatch,
                        Batches.replenish(o.streamBatch)))
                .append("items/s counts the items that reached the client's subscriber (gRPC: its observer's `onNext`) in the measured window; then the client cancels and the server's handler must learn of it before the next window. ")
                .append("Allocation: bytes allocated by all threads of the JVM per item. MiB/s: the items' payload bytes, mean of the rounds. ")
                .append("× columns: the median of the rounds' ratios of items/s, as for calls.\n\n");
        for (Layout layout : o.layouts) {
            for (int payload : o.payloads) {
                md.append("### ").append(layout.key).append(" (").append(layout.description).append("), ")
                        .append(payload).append("-byte items\n\n");
                md.append("| System | items/s | × raw RSocket | × gRPC direct | MiB/s | alloc B/item |\n");
                md.append("|---|---:|---:|---:|---:|---:|\n");
                for (String system : r.streams().stream().map(StreamThroughput::system).distinct().toList()) {
                    List<StreamThroughput> runs = streamRuns(r, system, layout, payload);
                    if (runs.isEmpty()) {
                        continue;
                    }
                    double mean = runs.stream().mapToDouble(StreamThroughput::itemsPerSecond).average().orElse(Double.NaN);
                    md.append(row(system, each(runs, StreamThroughput::itemsPerSecond, "%,.0f"),
                            format(streamRatio(r, system, RAW_RSOCKET, layout, payload)),
                            format(streamRatio(r, system, GRPC_DIRECT, layout, payload)),
                            String.format(Locale.ROOT, "%,.1f", mean * payload / (1024.0 * 1024.0)),
                            each(runs, StreamThroughput::allocatedBytesPerItem, "%,.0f")));
                }
                md.append('\n');
            }
        }
    }

    private static void streamCancels(StringBuilder md, Results r) {
        Bench.Options o = r.options();
        md.append("## Stream cancel propagation\n\n");
        md.append("A server stream of 64-byte items, the client asking in batches as above; once a batch has arrived, the client cancels it (disposes its subscription; gRPC: `ClientCall.cancel`) while it goes on asking, so the cancel meets a stream in flow. ")
                .append("From just before the cancel to the server's stream handler learning of it, on the same clock: Parley the stream's `cancelled()` (when `testCancel()` turns `RPC_S_OK`), raw RSocket and Spring `doOnCancel` on the handler's `Flux`, gRPC `setOnCancelHandler`. ")
                .append(String.format(Locale.ROOT, "One stream at a time; %,d samples discarded first, then up to %,d kept within %d s per system and layout (the samples column says how many). Measured once per layout.%n%n",
                        o.streamCancelWarmup, o.streamCancelSamples, o.streamCancelLimit.toSeconds()));
        for (Layout layout : o.layouts) {
            md.append("### ").append(layout.key).append(" (").append(layout.description).append(")\n\n");
            md.append("| System | samples | p50 µs | p99 µs | p99 × raw RSocket stream p99 | p99 × the system's call cancel p99 | p99 × Netty one-way p99 |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|\n");
            double raw = cancelP99(r.streamCancels(), RAW_RSOCKET, layout);
            double limit = cancelP99(r.cancels(), NETTY_ONE_WAY, layout);
            for (Cancel c : r.streamCancels()) {
                if (c.layout() == layout) {
                    md.append(String.format(Locale.ROOT, "| %s | %,d | %.1f | %.1f | %s | %s | %s |%n", c.system(), c.samples(),
                            c.p50Micros(), c.p99Micros(), ratio(c.p99Micros(), raw),
                            ratio(c.p99Micros(), cancelP99(r.cancels(), c.system(), layout)), ratio(c.p99Micros(), limit)));
                }
            }
            md.append('\n');
        }
    }

    private static void machine(StringBuilder md) {
        md.append("## Machine and JVM\n\n");
        md.append("- CPU: ").append(cpuModel()).append(", ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs available to the JVM\n");
        md.append("- OS: ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(' ').append(System.getProperty("os.arch")).append(", memory ").append(memTotal()).append('\n');
        md.append("- JVM: ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version"))
                .append(" (").append(System.getProperty("java.vm.vendor")).append("); GC: ")
                .append(ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", ")))
                .append('\n');
        md.append("- JVM flags: `").append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())).append("`\n");
        md.append("- Netty ").append(io.netty.util.Version.identify().getOrDefault("netty-common", null) == null ? "?"
                : io.netty.util.Version.identify().get("netty-common").artifactVersion())
                .append(", native epoll ").append(io.netty.channel.epoll.Epoll.isAvailable() ? "in use" : "UNAVAILABLE: " + io.netty.channel.epoll.Epoll.unavailabilityCause())
                .append(" (raw RSocket, Parley, Spring, raw Netty); gRPC-Java ").append(io.grpc.internal.GrpcUtil.IMPLEMENTATION_VERSION)
                .append(" on its shaded Netty, native epoll ")
                .append(io.grpc.netty.shaded.io.netty.channel.epoll.Epoll.isAvailable() ? "in use" : "UNAVAILABLE")
                .append("; Spring Framework ").append(org.springframework.core.SpringVersion.getVersion())
                .append("; TCP_NODELAY on every connection\n\n");
    }

    private static void method(StringBuilder md, Results r) {
        Bench.Options o = r.options();
        md.append("## Method\n\n");
        md.append(String.format(Locale.ROOT, "- Warm-up: first each system once for %d ms per payload (calls: at 16 in flight; streams: one stream) — the JIT's work outlives a system's instances; then before each measured window %d ms.%n",
                o.jitWarmup.toMillis(), o.warmup.toMillis()));
        md.append(String.format(Locale.ROOT, "- Measured windows: %d ms; each configuration %d round(s). In a layout every system's server and client are up side by side, idle but for their own windows; in each round each configuration has one window of each system, in an order that rotates from round to round.%n",
                o.measure.toMillis(), o.runs));
        if (o.measures(Figure.CALLS)) {
            md.append("- Calls in flight: ").append(join(o.inFlight)).append("; payloads: ").append(join(o.payloads))
                    .append(" bytes (JSON systems: an object `{\"text\":\"...\"}` with that many characters of text).\n");
        }
        if (o.measures(Figure.CANCEL)) {
            md.append(String.format(Locale.ROOT, "- Cancel propagation: %,d samples per system and layout after %,d discarded.%n",
                    o.cancelSamples, o.cancelWarmup));
        }
        if (o.measures(Figure.MEMORY)) {
            md.append(String.format(Locale.ROOT, "- Memory: %,d calls pending on one connection.%n", o.pending));
        }
        if (o.measures(Figure.STREAMS)) {
            md.append(String.format(Locale.ROOT, "- Server streams: one long stream per window, items of %s bytes (JSON systems: that many characters of text), the client asking for %d items, then %d at a time.%n",
                    join(o.payloads), o.streamBatch, Batches.replenish(o.streamBatch)));
        }
        if (o.measures(Figure.STREAM_CANCEL)) {
            md.append(String.format(Locale.ROOT, "- Stream cancel propagation: 64-byte items, up to %,d samples per system and layout (at most %d s of them) after %,d discarded.%n",
                    o.streamCancelSamples, o.streamCancelLimit.toSeconds(), o.streamCancelWarmup));
        }
        md.append("- Figures measured: ").append(o.figures.stream().map(f -> f.key).collect(Collectors.joining(", "))).append(".\n");
        md.append("- Event-loop threads pinned with `taskset`, found by name in `/proc/self/task/*/comm`; other threads (harness, GC, JIT, gRPC's default executor) run where the OS puts them.\n\n");
        for (var entry : r.pinning().entrySet()) {
            md.append("<details><summary>Layout ").append(entry.getKey().key).append(": ").append(entry.getKey().description)
                    .append("</summary>\n\n");
            for (String line : entry.getValue()) {
                md.append("- ").append(line).append('\n');
            }
            md.append("\n</details>\n\n");
        }
    }

    private static void targets(StringBuilder md, Results r) {
        Bench.Options o = r.options();
        md.append("## Targets\n\n");
        md.append("Computed from the figures below; throughput targets at 16 and 256 calls in flight, each layout and payload; stream targets in each layout and item size.\n\n");
        md.append("| Target | Where | Measured | Met |\n|---|---|---:|:---:|\n");
        for (Layout layout : o.layouts) {
            for (int payload : o.payloads) {
                for (int inFlight : o.inFlight) {
                    if (inFlight != 16 && inFlight != 256) {
                        continue;
                    }
                    String where = layout.key + ", " + payload + " B, " + inFlight + " in flight";
                    target(md, "Parley bytes ≥ 0.95× raw RSocket calls/s", where,
                            ratio(r, PARLEY_BYTES, RAW_RSOCKET, layout, payload, inFlight), 0.95);
                    target(md, "Parley bytes ≥ 3× gRPC direct executor calls/s", where,
                            ratio(r, PARLEY_BYTES, GRPC_DIRECT, layout, payload, inFlight), 3.0);
                    target(md, "Parley JSON ≥ 1.5× Spring RSocket JSON calls/s", where,
                            ratio(r, PARLEY_JSON, SPRING, layout, payload, inFlight), 1.5);
                }
                // Allocation per call is steady from window to window: the mean of the rounds.
                for (int inFlight : o.inFlight) {
                    if (inFlight != 16) {
                        continue;
                    }
                    double beyond = meanOf(r, PARLEY_BYTES, layout, payload, inFlight, Throughput::allocatedBytesPerCall)
                            - meanOf(r, RAW_RSOCKET, layout, payload, inFlight, Throughput::allocatedBytesPerCall);
                    if (!Double.isNaN(beyond)) {
                        md.append(String.format(Locale.ROOT, "| Parley bytes allocation per call ≤ raw RSocket's + 1 KiB | %s, %d B, %d in flight | %+,.0f B | %s |%n",
                                layout.key, payload, inFlight, beyond, beyond <= 1024 ? "yes" : "**no**"));
                    }
                }
            }
            for (int payload : o.payloads) {
                String where = layout.key + ", " + payload + "-byte items";
                target(md, "Parley bytes stream ≥ 0.95× raw RSocket items/s", where,
                        streamRatio(r, PARLEY_BYTES, RAW_RSOCKET, layout, payload), 0.95);
                target(md, "Parley bytes stream ≥ 3× gRPC direct executor items/s", where,
                        streamRatio(r, PARLEY_BYTES, GRPC_DIRECT, layout, payload), 3.0);
            }
            double parley = cancelP99(r.cancels(), PARLEY_BYTES, layout);
            double limit = cancelP99(r.cancels(), NETTY_ONE_WAY, layout);
            if (!Double.isNaN(parley) && !Double.isNaN(limit)) {
                String measured = String.format(Locale.ROOT, "%.2f× (%.1f / %.1f µs)", parley / limit, parley, limit);
                md.append("| Parley cancel propagation p99 ≤ 1.5× raw Netty one-way write p99 | ").append(layout.key)
                        .append(" | ").append(measured).append(" | ").append(parley / limit <= 1.5 ? "yes" : "**no**").append(" |\n");
            }
        }
        OptionalDouble parley = r.memory().stream().filter(m -> m.system().equals(PARLEY_BYTES)).mapToDouble(Memory::bytesPerCall).findFirst();
        OptionalDouble raw = r.memory().stream().filter(m -> m.system().equals(RAW_RSOCKET)).mapToDouble(Memory::bytesPerCall).findFirst();
        if (parley.isPresent() && raw.isPresent()) {
            double beyond = parley.getAsDouble() - raw.getAsDouble();
            md.append(String.format(Locale.ROOT, "| Parley heap per pending call ≤ 1 KiB beyond raw RSocket | %,d pending | %+,.0f B | %s |%n",
                    o.pending, beyond, beyond <= 1024 ? "yes" : "**no**"));
        }
        md.append('\n');
    }

    private static void target(StringBuilder md, String target, String where, double ratio, double bound) {
        if (Double.isNaN(ratio)) {
            return;
        }
        md.append(String.format(Locale.ROOT, "| %s | %s | %.2f× | %s |%n", target, where, ratio, ratio >= bound ? "yes" : "**no**"));
    }

    private static void chart(Results r, Path file) throws IOException {
        Bench.Options o = r.options();
        List<XYChart> charts = new ArrayList<>();
        for (Layout layout : o.layouts) {
            for (int payload : o.payloads) {
                XYChart chart = new XYChartBuilder().width(700).height(460)
                        .title(layout.key + " (" + layout.description + "), " + payload + " B")
                        .xAxisTitle("calls in flight").yAxisTitle("calls/s (mean of runs)").build();
                chart.getStyler().setXAxisLogarithmic(true);
                chart.getStyler().setYAxisLogarithmic(true);
                chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
                chart.getStyler().setLegendFont(chart.getStyler().getLegendFont().deriveFont(10f));
                chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(12f));
                boolean any = false;
                for (String system : systems(r)) {
                    List<Double> x = new ArrayList<>();
                    List<Double> y = new ArrayList<>();
                    for (int inFlight : o.inFlight) {
                        double mean = mean(r, system, layout, payload, inFlight);
                        if (!Double.isNaN(mean)) {
                            x.add((double) inFlight);
                            y.add(mean);
                        }
                    }
                    if (!x.isEmpty()) {
                        chart.addSeries(system, x, y).setMarker(SeriesMarkers.CIRCLE);
                        any = true;
                    }
                }
                if (!any) {
                    chart.addSeries("no data", new double[] {1}, new double[] {0});
                }
                charts.add(chart);
            }
        }
        int cols = Math.max(1, o.payloads.length);
        int rows = (charts.size() + cols - 1) / cols;
        BitmapEncoder.saveBitmap(charts, rows, cols, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static List<String> systems(Results r) {
        return r.throughput().stream().map(Throughput::system).distinct().toList();
    }

    private static List<Throughput> runs(Results r, String system, Layout layout, int payload, int inFlight) {
        return r.throughput().stream()
                .filter(t -> t.system().equals(system) && t.layout() == layout && t.payload() == payload && t.inFlight() == inFlight)
                .toList();
    }

    /** The mean calls/s of the runs of one configuration, NaN if none. */
    static double mean(Results r, String system, Layout layout, int payload, int inFlight) {
        return runs(r, system, layout, payload, inFlight).stream().mapToDouble(Throughput::callsPerSecond).average().orElse(Double.NaN);
    }

    private static double cancelP99(List<Cancel> cancels, String system, Layout layout) {
        return cancels.stream().filter(c -> c.layout() == layout && c.system().equals(system))
                .mapToDouble(Cancel::p99Micros).findFirst().orElse(Double.NaN);
    }

    private static List<StreamThroughput> streamRuns(Results r, String system, Layout layout, int payload) {
        return r.streams().stream().filter(t -> t.system().equals(system) && t.layout() == layout && t.payload() == payload).toList();
    }

    /** One row of a Markdown table. */
    private static String row(Object... cells) {
        return java.util.Arrays.stream(cells).map(String::valueOf).collect(Collectors.joining(" | ", "| ", " |\n"));
    }

    private static <T> String each(List<T> runs, ToDoubleFunction<T> figure, String format) {
        return runs.stream().map(t -> String.format(Locale.ROOT, format, figure.applyAsDouble(t))).collect(Collectors.joining(" / "));
    }

    private static String ratio(double value, double base) {
        return Double.isNaN(value) || Double.isNaN(base) || base == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", value / base);
    }

    private static String format(double ratio) {
        return Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, "%.2f", ratio);
    }

    /**
     * The ratio of two systems' calls/s in one configuration: within each round, where both
     * measured, their windows seconds apart; the median of those. NaN if no round has both.
     */
    static double ratio(Results r, String system, String base, Layout layout, int payload, int inFlight) {
        return medianOfRoundRatios(runs(r, system, layout, payload, inFlight), runs(r, base, layout, payload, inFlight),
                Throughput::run, Throughput::callsPerSecond);
    }

    /** The ratio of two systems' items/s in one layout and item size, as {@link #ratio} for calls/s. */
    static double streamRatio(Results r, String system, String base, Layout layout, int payload) {
        return medianOfRoundRatios(streamRuns(r, system, layout, payload), streamRuns(r, base, layout, payload),
                StreamThroughput::run, StreamThroughput::itemsPerSecond);
    }

    private static <T> double medianOfRoundRatios(List<T> runs, List<T> bases, ToIntFunction<T> round, ToDoubleFunction<T> figure) {
        double[] ratios = runs.stream()
                .flatMap(t -> bases.stream().filter(b -> round.applyAsInt(b) == round.applyAsInt(t) && figure.applyAsDouble(b) > 0)
                        .map(b -> figure.applyAsDouble(t) / figure.applyAsDouble(b)))
                .mapToDouble(Double::doubleValue).sorted().toArray();
        if (ratios.length == 0) {
            return Double.NaN;
        }
        int mid = ratios.length / 2;
        return ratios.length % 2 == 1 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2;
    }

    private static double meanOf(Results r, String system, Layout layout, int payload, int inFlight, ToDoubleFunction<Throughput> figure) {
        return runs(r, system, layout, payload, inFlight).stream().mapToDouble(figure).average().orElse(Double.NaN);
    }

    private static String join(int[] values) {
        return java.util.Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(", "));
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown");
        }
        catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String memTotal() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown");
        }
        catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

}
