package io.parley.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each system's stream, as the stream figures use it: the items keep coming while the client asks
 * in batches, well past the first one, and the server's handler learns of the client's cancel.
 * Checks behaviour only, no timing.
 */
class StreamSystemsTest {

    /** Small, so that a few hundred items take many of the client's requests. */
    private static final int BATCH = 8;
    private static final int ITEMS = 300;

    @ParameterizedTest
    @ValueSource(strings = {"rsocket", "parley-bytes", "parley-json", "spring", "grpc-direct", "grpc-default"})
    @Timeout(60)
    void stream_keepsDeliveringAsTheClientAsksInBatches_andTheServerLearnsOfTheCancel(String key) throws Exception {
        try (EchoSystem system = Bench.SYSTEMS.get(key).get()) {
            assertThat(system.streams()).isTrue();
            system.start(new int[] {64, 4096});
            Held held = system.streamed();
            for (int size : new int[] {64, 4096}) {
                CompletableFuture<Void> started = held.awaitStarts(1);
                StreamLoop.Flowing flowing = new StreamLoop.Flowing(ITEMS);
                Runnable cancel = system.stream(size, BATCH, flowing);

                started.get(10, TimeUnit.SECONDS);
                flowing.reached.get(10, TimeUnit.SECONDS);
                CompletableFuture<Long> seen = held.nextCancel();
                cancel.run();

                assertThat(seen.get(10, TimeUnit.SECONDS)).as(system.name() + " " + size + " B: the server saw the cancel").isPositive();
            }
        }
    }

    @Test
    void theSystemsWithoutAStream_sayTheyHaveNone() {
        for (String key : List.of("rsocket-metadata", "netty")) {
            try (EchoSystem system = Bench.SYSTEMS.get(key).get()) {
                assertThat(system.streams()).as(key).isFalse();
            }
        }
    }

    @Test
    void aBatchIsReplenishedAtThreeQuarters_asLimitRateDoes() {
        assertThat(Batches.replenish(256)).isEqualTo(192);
        assertThat(Batches.replenish(8)).isEqualTo(6);
        assertThat(Batches.replenish(1)).isEqualTo(1);
    }
}
