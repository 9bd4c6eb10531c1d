package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientStream;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerCallInfo;
import io.parley.core.server.ServerInterceptor;
import io.parley.core.server.ServerMethod;
import io.parley.core.server.ServerStream;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import io.parley.test.transport.TransportFixture;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * 100,000 streams over TCP, a fifth each completed, aborted mid-stream, cancelled abortively,
 * cancelled gracefully and cut off by their connection's end, each at a random point: every
 * stream ends as it should and exactly once on each side, the server holds no call afterwards,
 * and (through {@link NettyLeakDetection}) no buffer leaked on either side.
 */
@ExtendWith(NettyLeakDetection.class)
class MixedStreamsLeakTest extends CallTestSupport {

    private static final int STREAMS = Integer.getInteger("parley.mixedStreams", 100_000);
    private static final int MAX_IN_FLIGHT = 256;
    /** Streams that share one connection that is then closed under them. */
    private static final int PER_LOST_CONNECTION = 20;
    /** Far beyond a healthy stream under this load; a stream that takes longer is counted as hung. */
    private static final Duration STREAM_BOUND = Duration.ofSeconds(30);
    /**
     * The pace of "untilCancelled" after its first item. No stream here needs a second item: each
     * is cancelled, gracefully or not, or loses its connection, on or before its first. What a
     * stream sends after that only fills its connection until the cancel or the close is through,
     * and with unbounded demand nothing holds it back, so it grows with the latency it causes: at
     * one item every 50 ms, the 64 graceful streams in flight and the lost connections' 240 sent
     * some 6 000 items a second, more than a 2-core machine with PARANOID leak detection carries in
     * the first seconds. The main connection's queue then grew to thousands of frames, every
     * round trip on it took tens of seconds, and the first streams that need one after their
     * request — a limitRate REQUEST_N, a graceful cancel's summary — passed STREAM_BOUND. No
     * frame was lost: with a 150 s bound all of them ended as they should, after about 25 s.
     */
    private static final Duration TICK = Duration.ofSeconds(1);

    private final AtomicInteger serverStarts = new AtomicInteger();
    private final AtomicInteger serverEnds = new AtomicInteger();
    private final AtomicInteger serverEndedTwice = new AtomicInteger();
    /** The calls that ended before their interceptors ran (refused, or abandoned at once), each with its end seen. */
    private final Map<ServerCallInfo, AtomicBoolean> endedUnseen = new ConcurrentHashMap<>();

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }

    @Override
    protected List<ServerMethod<?, ?>> methods() {
        List<ServerMethod<?, ?>> methods = super.methods();
        methods.add(ServerMethod.flux("items", Integer.class, n -> Flux.range(0, n).map(MixedStreamsLeakTest::item)));
        // Sends its items at once, beyond the client's demand if need be, then aborts with the code asked for.
        methods.add(ServerMethod.stream("abortAfter", Integer.class, (Integer code, ServerStream<String> stream) -> {
            int n = 1 + (code & 7);
            for (int i = 0; i < n; i++) {
                stream.next(item(i));
            }
            stream.abort(code);
        }));
        // Sends until the client cancels: abortively, its Flux is cancelled; gracefully, it sends a summary and completes.
        // Its first item goes at once, the next ones a TICK apart (see there).
        methods.add(ServerMethod.flux("untilCancelled", String.class, (String request, ServerStream<String> stream) ->
                Flux.interval(Duration.ZERO, TICK).map(i -> item(i.intValue()))
                        .takeUntilOther(stream.cancelled())
                        .concatWith(Mono.just("summary"))));
        return methods;
    }

    private static String item(int i) {
        return "item " + i + " of a stream, long enough that its frame is not tiny: ..................................";
    }

    @Test
    void hundredThousandMixedStreams_eachEndsAsItShouldOnce_theServerHoldsNoCall_andNoBufferLeaks() {
        ParleyServer server = startServer(builder -> builder.interceptor(new EndsOnce()));
        ParleyClient client = client(server);
        int lost = STREAMS / 5;
        int others = STREAMS - lost;

        long start = System.nanoTime();
        Flux<String> kept = Flux.range(0, others).flatMap(i -> stream(client, i), MAX_IN_FLIGHT);
        Flux<String> cut = Flux.range(0, lost / PER_LOST_CONNECTION)
                .flatMap(g -> lostConnection(server), MAX_IN_FLIGHT / PER_LOST_CONNECTION);
        Map<String, Long> outcomes = Flux.merge(kept, cut)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
                // A guard against a hang, not a time limit: the leak detector at PARANOID records every buffer access.
                .block(Duration.ofSeconds(600));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(outcomes).containsOnly(
                Map.entry("completed", others / 4L),
                Map.entry("aborted", others / 4L),
                Map.entry("cancelled abortively", others / 4L),
                Map.entry("cancelled gracefully", others / 4L),
                Map.entry("connection lost", (long) lost));
        await("the server holds no call", () -> server.activeCalls() == 0);
        await("every call the server started has ended", () -> serverEnds.get() == serverStarts.get());
        assertThat(serverEndedTwice).hasValue(0);
        System.out.printf("MixedStreamsLeakTest: %,d streams in %d ms (%,.0f streams/s)%n",
                STREAMS, took.toMillis(), STREAMS / (took.toNanos() / 1e9));
    }

    private static Mono<String> stream(ParleyClient client, int i) {
        Mono<String> outcome;
        switch (i % 4) {
            case 0: {
                int n = 1 + i % 7;
                outcome = client.stream("items", n, String.class)
                        .limitRate(1 + i % 3)
                        .count()
                        .map(count -> count == n ? "completed" : "wrong count " + count);
                break;
            }
            case 1: {
                int code = 0x8000_0000 | i;
                int n = 1 + (code & 7);
                outcome = client.stream("abortAfter", code, String.class)
                        .count()
                        .map(count -> "not aborted after " + count)
                        .onErrorResume(RpcFault.class, fault -> Mono.just(fault.faultCode() == code ? "aborted" : "wrong fault " + fault));
                // The items come first: counted through a second view of the same call would cost a second call,
                // so the fault's arrival after them is the suite's business (abortMidStream_...).
                break;
            }
            case 2:
                // Disposed 1-3 ms after the stream is made: before it is sent, on the wire, or mid-stream.
                outcome = client.stream("untilCancelled", "abortive " + i, String.class)
                        .take(Duration.ofMillis(1 + i % 3))
                        .then(Mono.just("cancelled abortively"));
                break;
            default:
                outcome = Mono.defer(() -> {
                    ClientStream<String> stream = client.startStream("untilCancelled", "graceful " + i, String.class);
                    return stream.items()
                            .doOnNext(item -> stream.cancel(CancelMode.GRACEFUL))
                            .last()
                            .map(last -> last.equals("summary") && stream.status() == RpcStatus.OK
                                    ? "cancelled gracefully" : "wrong end " + last + ", " + stream.status());
                });
                break;
        }
        return outcome
                .onErrorResume(error -> Mono.just("kind " + i % 4 + " failed: " + error))
                .timeout(STREAM_BOUND, Mono.just("kind " + i % 4 + " hung"));
    }

    /**
     * Streams on a connection of their own that closes under them once each has had an item,
     * after a random moment more: each ends with {@code RPC_S_COMM_FAILURE}.
     */
    private Flux<String> lostConnection(ParleyServer server) {
        ParleyClient own = ParleyClient.builder().transport(fixture().clientTransport(server)).build();
        AtomicInteger started = new AtomicInteger();
        Mono<Void> allStarted = Flux.interval(Duration.ofMillis(1)).filter(t -> started.get() == PER_LOST_CONNECTION).next()
                .timeout(STREAM_BOUND, Mono.empty())
                .then(Mono.delay(Duration.ofMillis(ThreadLocalRandom.current().nextInt(3)))).then();
        Flux<String> streams = Flux.range(0, PER_LOST_CONNECTION)
                .flatMap(i -> own.stream("untilCancelled", "lost " + i, String.class)
                        .doOnNext(new java.util.function.Consumer<String>() {
                            private boolean first = true;

                            @Override
                            public void accept(String item) {
                                if (first) {
                                    first = false;
                                    started.incrementAndGet();
                                }
                            }
                        })
                        .then(Mono.just("not lost"))
                        .onErrorResume(RpcFault.class, fault -> Mono.just(fault.status() == RpcStatus.COMM_FAILURE
                                ? "connection lost" : "wrong fault " + fault))
                        .timeout(STREAM_BOUND, Mono.just("lost stream hung")));
        return streams.mergeWith(allStarted.then(Mono.fromRunnable(own::dispose)).then(Mono.empty()));
    }

    /** Counts the server's calls as they reach the handler and as they end, and every end told twice. */
    private final class EndsOnce implements ServerInterceptor {

        @Override
        public Mono<Context> intercept(ServerCallInfo call, Context context) {
            serverStarts.incrementAndGet();
            return Mono.just(context.put(EndsOnce.class, new AtomicBoolean()));
        }

        @Override
        public void onEnd(ServerCallInfo call, RpcStatus status) {
            AtomicBoolean ended = call.context().getOrDefault(EndsOnce.class, null);
            if (ended == null) {
                ended = endedUnseen.computeIfAbsent(call, c -> new AtomicBoolean());
            }
            else {
                serverEnds.incrementAndGet();
            }
            if (!ended.compareAndSet(false, true)) {
                serverEndedTwice.incrementAndGet();
            }
        }
    }
}
