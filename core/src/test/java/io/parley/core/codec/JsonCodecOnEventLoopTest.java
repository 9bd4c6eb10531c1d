package io.parley.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The JSON codec runs where a transport reads: on a non-blocking thread (an event loop, or
 * {@code Schedulers.parallel()} in-process), where BlockHound reports anything that parks.
 * Jackson takes a lock the first time it meets a type (jackson-databind#4430); two event loops
 * meeting new types at once contend for it, which must not fail the calls.
 */
class JsonCodecOnEventLoopTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    record R1(String a) { }
    record R2(String a) { }
    record R3(String a) { }
    record R4(String a) { }
    record R5(String a) { }
    record R6(String a) { }
    record R7(String a) { }
    record R8(String a) { }
    record R9(String a) { }
    record R10(String a) { }

    private static final List<Class<?>> TYPES = List.of(R1.class, R2.class, R3.class, R4.class, R5.class,
            R6.class, R7.class, R8.class, R9.class, R10.class);

    @Test
    void decode_typesSeenForTheFirstTime_onTwoNonBlockingThreadsAtOnce_isNotReportedAsBlocking() {
        byte[] json = "{\"a\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 50; round++) {
            JsonCodec codec = JsonCodec.create();
            List<Object> decoded = Flux.range(0, 2)
                    .flatMap(thread -> Mono.fromCallable(() -> TYPES.stream()
                                    .map(type -> codec.decode(ByteBuffer.wrap(json), type))
                                    .toList())
                            .subscribeOn(Schedulers.parallel()))
                    .flatMapIterable(list -> list)
                    .collectList()
                    .block(TIMEOUT);
            assertThat(decoded).as("round %d", round).hasSize(2 * TYPES.size());
        }
    }
}
