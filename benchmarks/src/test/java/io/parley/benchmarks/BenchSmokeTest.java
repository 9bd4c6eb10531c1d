package io.parley.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.parley.benchmarks.Bench.Cancel;
import io.parley.benchmarks.Bench.Memory;
import io.parley.benchmarks.Bench.Results;
import io.parley.benchmarks.Bench.StreamThroughput;
import io.parley.benchmarks.Bench.Throughput;

/**
 * The whole harness in seconds: every system answers, every figure comes out, the report and its
 * chart render. It checks no timing target; the numbers of so short a run mean nothing.
 */
class BenchSmokeTest {

    private static final List<String> SYSTEMS = List.of("raw RSocket", "raw RSocket + metadata", "Parley bytes", "Parley JSON",
            "Spring RSocket JSON", "gRPC direct executor", "gRPC default executor", "raw Netty");
    private static final List<String> STREAMING = List.of("raw RSocket", "Parley bytes", "Parley JSON",
            "Spring RSocket JSON", "gRPC direct executor", "gRPC default executor");

    @Test
    @Timeout(180)
    void everySystemAnswers_everyFigureIsProduced_andTheReportRenders(@TempDir Path dir) throws Exception {
        Bench.Options options = Bench.Options.parse("--out", dir.toString(), "--name", "smoke",
                "--jit-warmup-ms", "300", "--warmup-ms", "100", "--measure-ms", "400",
                "--runs", "1", "--in-flight", "1,16", "--payloads", "64", "--layouts", "split",
                "--cancel-samples", "200", "--cancel-warmup", "20", "--pending", "2000",
                "--stream-batch", "64", "--stream-cancel-samples", "50", "--stream-cancel-warmup", "10", "--overload-ms", "400");

        Results results = Bench.run(options);

        assertThat(results.failures()).isEmpty();
        assertThat(results.throughput()).extracting(Throughput::system).containsAll(SYSTEMS);
        assertThat(results.throughput()).hasSize(SYSTEMS.size() * 2).allSatisfy(t -> {
            assertThat(t.calls()).as(t.system() + " calls").isPositive();
            assertThat(t.callsPerSecond()).as(t.system() + " calls/s").isPositive();
            assertThat(t.p50Micros()).as(t.system() + " p50").isPositive();
            assertThat(t.p999Micros()).as(t.system() + " p99.9").isGreaterThanOrEqualTo(t.p99Micros()).isGreaterThanOrEqualTo(t.p50Micros());
            assertThat(t.allocatedBytesPerCall()).as(t.system() + " allocation").isPositive();
        });
        assertThat(results.cancels()).extracting(Cancel::system).containsExactly(
                "raw RSocket", "Parley bytes", "Spring RSocket JSON", "gRPC direct executor", "raw Netty one-way write");
        assertThat(results.cancels()).allSatisfy(c -> {
            assertThat(c.samples()).isEqualTo(200);
            assertThat(c.p99Micros()).isGreaterThanOrEqualTo(c.p50Micros()).isPositive();
        });
        assertThat(results.memory()).extracting(Memory::system).containsExactly(
                "raw RSocket", "Parley bytes", "Spring RSocket JSON", "gRPC direct executor");
        assertThat(results.memory()).allSatisfy(m -> assertThat(m.bytesPerCall()).isFinite());
        assertThat(results.overload()).hasSize(2);
        assertThat(results.overload().get(0).capacityPerSecond()).as("measured capacity").isPositive();
        assertThat(results.overload().get(0).servedPerSecond()).as("served under the limit").isPositive();
        assertThat(results.overload().get(0).refusedPerSecond()).as("refused past it, offered twice the capacity").isPositive();
        assertThat(results.overload().get(1).refusedPerSecond()).as("no limit refuses nothing").isZero();
        assertThat(results.streams()).extracting(StreamThroughput::system).containsExactlyElementsOf(STREAMING);
        assertThat(results.streams()).allSatisfy(t -> {
            assertThat(t.items()).as(t.system() + " items").isPositive();
            assertThat(t.itemsPerSecond()).as(t.system() + " items/s").isPositive();
            assertThat(t.allocatedBytesPerItem()).as(t.system() + " allocation per item").isPositive();
        });
        assertThat(results.streamCancels()).extracting(Cancel::system).containsExactly(
                "raw RSocket", "Parley bytes", "Spring RSocket JSON", "gRPC direct executor");
        assertThat(results.streamCancels()).allSatisfy(c -> {
            assertThat(c.samples()).isPositive().isLessThanOrEqualTo(50);
            assertThat(c.p99Micros()).isGreaterThanOrEqualTo(c.p50Micros()).isPositive();
        });
        assertThat(results.wallTime()).isLessThan(Duration.ofMinutes(3));

        Path markdown = Report.write(results);
        String report = Files.readString(markdown);
        assertThat(markdown.getFileName()).hasToString("smoke.md");
        assertThat(report).contains("## Machine and JVM", "## Targets", "## Throughput, latency and allocation",
                "## Cancel propagation", "## Memory per pending call", "![calls/s by calls in flight](smoke.png)",
                "## Server streams: items/s and allocation", "## Stream cancel propagation", "## Admission under overload",
                "| Parley bytes stream ≥ 0.95× raw RSocket items/s | split, 64-byte items |",
                "| Parley bytes stream ≥ 3× gRPC direct executor items/s | split, 64-byte items |");
        for (String system : SYSTEMS) {
            assertThat(report).contains("| " + system + " |");
        }
        byte[] png = Files.readAllBytes(dir.resolve("smoke.png"));
        assertThat(png).hasSizeGreaterThan(1000);
        assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }

    @Test
    void options_badValues_areRefusedWithTheValueAndTheExpectation() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Bench.Options.parse("--runs", "0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--runs: 0 (expected: > 0)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Bench.Options.parse("--systems", "corba"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--systems: 'corba'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Bench.Options.parse("--layouts", "diagonal"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--layouts: 'diagonal'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Bench.Options.parse("--figures", "streams,speed"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--figures: 'speed'");
    }

    @Test
    void ratio_isTheMedianOfTheRatiosWithinEachRound() {
        Bench.Options options = Bench.Options.parse();
        // Round 2 ran on a machine twice as fast: both systems moved, their ratio did not.
        List<Throughput> windows = List.of(
                window("raw RSocket", 1, 100), window("Parley bytes", 1, 90),
                window("raw RSocket", 2, 200), window("Parley bytes", 2, 180),
                window("raw RSocket", 3, 100), window("Parley bytes", 3, 120));
        Results results = new Results(options, java.time.ZonedDateTime.now(), Duration.ZERO, windows, List.of(), List.of(),
                List.of(), List.of(), List.of(), java.util.Map.of(), List.of());

        assertThat(Report.ratio(results, "Parley bytes", "raw RSocket", Bench.Layout.SPLIT, 64, 16)).isCloseTo(0.9, within(1e-9));
        assertThat(Report.ratio(results, "Parley JSON", "raw RSocket", Bench.Layout.SPLIT, 64, 16)).isNaN();
    }

    @Test
    void streamRatio_isTheMedianOfTheRatiosWithinEachRound_andAStreamsOnlyReportShowsOnlyStreams() {
        Bench.Options options = Bench.Options.parse("--figures", "streams", "--layouts", "shared", "--payloads", "4096");
        List<StreamThroughput> windows = List.of(
                stream("raw RSocket", 1, 1000), stream("Parley bytes", 1, 960), stream("gRPC direct executor", 1, 300),
                stream("raw RSocket", 2, 500), stream("Parley bytes", 2, 400), stream("gRPC direct executor", 2, 100),
                stream("raw RSocket", 3, 1000), stream("Parley bytes", 3, 970), stream("gRPC direct executor", 3, 400));
        Results results = new Results(options, java.time.ZonedDateTime.now(), Duration.ZERO, List.of(), List.of(), List.of(),
                windows, List.of(), List.of(), java.util.Map.of(), List.of());

        assertThat(Report.streamRatio(results, "Parley bytes", "raw RSocket", Bench.Layout.SHARED, 4096)).isCloseTo(0.96, within(1e-9));
        assertThat(Report.streamRatio(results, "Parley bytes", "gRPC direct executor", Bench.Layout.SHARED, 4096))
                .isCloseTo(3.2, within(1e-9));
        String report = Report.markdown(results, "unused.png");
        assertThat(report).contains("## Server streams: items/s and allocation",
                "| Parley bytes stream ≥ 0.95× raw RSocket items/s | shared, 4096-byte items | 0.96× | yes |",
                "| Parley bytes stream ≥ 3× gRPC direct executor items/s | shared, 4096-byte items | 3.20× | yes |",
                "| Parley bytes | 960 / 400 / 970 | 0.96 | 3.20 |");
        assertThat(report).doesNotContain("## Throughput, latency and allocation", "## Cancel propagation", "## Memory per pending call",
                "## Stream cancel propagation");
    }

    private static StreamThroughput stream(String system, int round, double itemsPerSecond) {
        return new StreamThroughput(system, Bench.Layout.SHARED, round, 4096, 1, itemsPerSecond, 1);
    }

    private static Throughput window(String system, int round, double callsPerSecond) {
        return new Throughput(system, Bench.Layout.SPLIT, round, 64, 16, 1, callsPerSecond, 1, 1, 1, 1);
    }
}
