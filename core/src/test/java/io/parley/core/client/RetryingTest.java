package io.parley.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.parley.core.Deadline;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.InProcessTransport;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.TransportCall;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.util.context.Context;

/**
 * Retries, in virtual time: what is sent again (a call that never left the client, whatever its
 * method; an idempotent one refused as too busy, unavailable or after a connection failure), what
 * never is, the backoff, the deadline, cancels while a call waits to be sent again, streams, and
 * the interceptors (run once, told of each retry, their metadata on every attempt). Against a
 * connection whose attempts do what each test scripts, and against a real in-process server.
 */
class RetryingTest {

    private static final Duration VERIFY = Duration.ofSeconds(10);
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final CallOptions IDEMPOTENT = CallOptions.DEFAULT.withIdempotent(true);

    private VirtualTimeScheduler time;
    private final Scripted connection = new Scripted();
    private final Queue<Disposable> resources = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void virtualTime() {
        time = VirtualTimeScheduler.getOrSet();
    }

    @AfterEach
    void release() {
        resources.forEach(Disposable::dispose);
        VirtualTimeScheduler.reset();
    }

    // ---- A call that never left the client -------------------------------------------------------

    @Test
    void notSent_isSentAgain_evenForAMethodNotDeclaredIdempotent_afterItsBackoff() {
        ParleyClient client = scriptedClient(builder -> { });
        connection.script(Scripted.notSent(RpcStatus.SERVER_UNAVAILABLE), Scripted.reply("\"done\""));

        StepVerifier.create(client.call("work", "x", String.class))
                .then(() -> assertThat(connection.attempts).as("the retry waits for its backoff").hasSize(1))
                .then(() -> time.advanceTimeBy(RetryPolicy.DEFAULT.firstBackoff()))
                .expectNext("done")
                .expectComplete()
                .verify(VERIFY);

        assertThat(connection.attempts).hasSize(2);
        assertThat(connection.attempts.get(1).request.callId()).as("the same call").isEqualTo(connection.attempts.get(0).request.callId());
    }

    @Test
    void notSent_everyAttempt_endsWithTheLastFault_afterMaxAttempts() {
        ParleyClient client = scriptedClient(builder -> { });
        connection.script(Scripted.notSent(RpcStatus.SERVER_UNAVAILABLE, "first"), Scripted.notSent(RpcStatus.SERVER_UNAVAILABLE, "second"),
                Scripted.notSent(RpcStatus.SERVER_UNAVAILABLE, "third"), Scripted.reply("\"never\""));

        ClientCall<String> call = client.start("work", "x", String.class);
        time.advanceTimeBy(Duration.ofSeconds(10));

        assertThat(call.status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);
        assertThat(faultOf(call).detail()).isEqualTo("third");
        assertThat(connection.attempts).hasSize(RetryPolicy.DEFAULT.maxAttempts());
    }

    @Test
    void notSent_withRetriesTurnedOff_isNotSentAgain_perCallOrPerClient() {
        ParleyClient client = scriptedClient(builder -> { });
        connection.script(Scripted.notSent(RpcStatus.SERVER_UNAVAILABLE), Scripted.reply("\"never\""));
        ClientCall<String> call = client.start("work", "x", String.class, CallOptions.DEFAULT.withRetry(RetryPolicy.NONE));
        time.advanceTimeBy(Duration.ofSeconds(10));
        assertThat(call.status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);
        assertThat(connection.attempts).hasSize(1);

        Scripted other = new Scripted();
        ParleyClient noRetries = ParleyClient.builder().transport(setup -> other).retry(RetryPolicy.NONE).build();
        resources.add(noRetries);
        other.script(Scripted.notSent(RpcStatus.SERVER_UNAVAILABLE), Scripted.reply("\"never\""));
        ClientCall<String> second = noRetries.start("work", "x", String.class, IDEMPOTENT);
        time.advanceTimeBy(Duration.ofSeconds(10));
        assertThat(second.status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);
        assertThat(other.attempts).hasSize(1);
    }

    @Test
    void notSent_theBytesOfEveryAttemptAreWhole_evenIfTheTransportReadTheBuffer() {
        ParleyClient client = scriptedClient(builder -> { });
        connection.script(Scripted.notSent(RpcStatus.SERVER_UNAVAILABLE), Scripted.notSent(RpcStatus.SERVER_UNAVAILABLE),
                Scripted.reply("\"done\""));

        ClientCall<String> call = client.start("work", "payload", String.class);
        time.advanceTimeBy(Duration.ofSeconds(10));

        assertThat(call.status()).isEqualTo(RpcStatus.OK);
        assertThat(connection.attempts).extracting(attempt -> attempt.bytes).containsExactly("\"payload\"", "\"payload\"", "\"payload\"");
    }

    @Test
    void oneWay_notSent_isSentAgain() {
        ParleyClient client = scriptedClient(builder -> { });
        connection.script(Scripted.notSent(RpcStatus.SERVER_UNAVAILABLE), Scripted::complete);

        StepVerifier.create(client.send("log", "event"))
                .then(() -> time.advanceTimeBy(RetryPolicy.DEFAULT.firstBackoff()))
                .expectComplete()
                .verify(VERIFY);

        assertThat(connection.attempts).hasSize(2);
    }

    @Test
    void channel_notSent_beforeItsRequestsWereSubscribed_isSentAgain_andTheRequestsGoOnce() {
        ParleyClient client = scriptedClient(builder -> { });
        connection.script(Scripted.notSent(RpcStatus.SERVER_UNAVAILABLE), attempt -> {
            attempt.readRequests();
            attempt.listener.onNext(utf8("\"one\""));
            attempt.listener.onComplete();
        });

        StepVerifier.create(client.channel("chat", Flux.just("a", "b"), String.class))
                .then(() -> time.advanceTimeBy(RetryPolicy.DEFAULT.firstBackoff()))
                .expectNext("one")
                .expectComplete()
                .verify(VERIFY);

        assertThat(connection.attempts).hasSize(2);
        assertThat(connection.attempts.get(1).requests).containsExactly("\"a\"", "\"b\"");
    }

    @Test
    void channel_notSent_afterItsRequestsWereSubscribed_isNeverSentAgain() {
        ParleyClient client = scriptedClient(builder -> { });
        connection.script(attempt -> {
            attempt.readRequests();
            attempt.listener.onNotSent(new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "gone"));
        }, Scripted.reply("\"never\""));

        StepVerifier.create(client.clientStream("sum", Flux.just(1, 2), Integer.class))
                .then(() -> time.advanceTimeBy(Duration.ofSeconds(10)))
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE))
                .verify(VERIFY);

        assertThat(connection.attempts).hasSize(1);
    }

    @Test
    void stream_notSent_theNextAttemptIsAskedForAllTheDemandSoFar() {
        ParleyClient client = scriptedClient(builder -> { });
        connection.script(Scripted.notSent(RpcStatus.SERVER_UNAVAILABLE), Scripted.hold());

        StepVerifier.create(client.stream("ticks", 3, Integer.class), 5)
                .then(() -> assertThat(connection.attempts.get(0).demand).hasValue(5))
                .thenRequest(2)
                .then(() -> time.advanceTimeBy(RetryPolicy.DEFAULT.firstBackoff()))
                .then(() -> assertThat(connection.attempts.get(1).demand).as("5 + 2, once").hasValue(7))
                .thenRequest(1)
                .then(() -> {
                    assertThat(connection.attempts.get(1).demand).hasValue(8);
                    assertThat(connection.attempts.get(0).demand).as("the failed attempt's count is its own").hasValueLessThan(8);
                    connection.attempts.get(1).listener.onNext(utf8("1"));
                    connection.attempts.get(1).listener.onComplete();
                })
                .expectNext(1)
                .expectComplete()
                .verify(VERIFY);
    }

    // ---- Interceptors: once per call, told of each retry, their metadata on every attempt ---------

    @Test
    void interceptors_runOnce_areToldOfEachRetry_andTheirMetadataGoesWithEveryAttempt() {
        List<String> seen = new CopyOnWriteArrayList<>();
        ParleyClient client = scriptedClient(builder -> builder.interceptor(new ClientInterceptor() {
            @Override
            public Mono<Context> intercept(ClientCallInfo call, Context context) {
                seen.add("intercept");
                call.putMetadata("request-id", "r-" + seen.size());
                return Mono.just(context);
            }

            @Override
            public void onRetry(ClientCallInfo call, RpcStatus cause, int attempt) {
                seen.add("retry " + attempt + " after " + cause.name());
            }

            @Override
            public void onEnd(ClientCallInfo call, RpcStatus status) {
                seen.add("end " + status.name());
            }
        }));
        connection.script(Scripted.notSent(RpcStatus.SERVER_UNAVAILABLE), Scripted.fault(RpcStatus.SERVER_TOO_BUSY),
                Scripted.reply("\"done\""));

        ClientCall<String> call = client.start("work", "x", String.class, IDEMPOTENT);
        time.advanceTimeBy(Duration.ofSeconds(10));

        assertThat(call.status()).isEqualTo(RpcStatus.OK);
        assertThat(seen).containsExactly("intercept", "retry 2 after RPC_S_SERVER_UNAVAILABLE", "retry 3 after RPC_S_SERVER_TOO_BUSY",
                "end RPC_S_OK");
        assertThat(connection.attempts).extracting(attempt -> attempt.request.metadata().get("request-id"))
                .containsExactly("r-1", "r-1", "r-1");
    }

    // ---- Idempotent methods against a real server --------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {1723, 1722, 1820})
    void idempotent_refusedAsTooBusyUnavailableOrCommFailure_isSentAgainAfterABackoff_andSucceeds(int code) {
        Server server = serve(2, RpcStatus.of(code));

        StepVerifier.create(server.client.call("work", "x", String.class, IDEMPOTENT))
                .then(() -> assertThat(server.calls).as("the first attempt, then the backoff").hasValue(1))
                .then(() -> time.advanceTimeBy(RetryPolicy.DEFAULT.firstBackoff()))
                .then(() -> assertThat(server.calls).hasValue(2))
                .then(() -> time.advanceTimeBy(RetryPolicy.DEFAULT.firstBackoff().multipliedBy(2)))
                .expectNext("done 3")
                .expectComplete()
                .verify(VERIFY);

        assertThat(server.calls).hasValue(3);
    }

    @Test
    void notIdempotent_refusedAsTooBusyByTheServer_isNotSentAgain() {
        Server server = serve(1, RpcStatus.SERVER_TOO_BUSY);

        ClientCall<String> call = server.client.start("work", "x", String.class);
        time.advanceTimeBy(Duration.ofSeconds(10));

        assertThat(call.status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY);
        assertThat(server.calls).as("the server saw one call").hasValue(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {1726, 5, 0x2000_0001})
    void idempotent_endedWithAnotherFault_isNotSentAgain(int code) {
        Server server = serve(1, RpcStatus.of(code));

        ClientCall<String> call = server.client.start("work", "x", String.class, IDEMPOTENT);
        time.advanceTimeBy(Duration.ofSeconds(10));

        assertThat(call.status()).isEqualTo(RpcStatus.of(code));
        assertThat(server.calls).hasValue(1);
    }

    @Test
    void idempotent_attemptsExhausted_theLastFaultStands() {
        Server server = serve(Integer.MAX_VALUE, RpcStatus.SERVER_TOO_BUSY);

        ClientCall<String> call = server.client.start("work", "x", String.class,
                IDEMPOTENT.withRetry(RetryPolicy.DEFAULT.withMaxAttempts(4)));
        time.advanceTimeBy(Duration.ofSeconds(10));

        assertThat(call.status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY);
        assertThat(faultOf(call).detail()).isEqualTo("busy 4");
        assertThat(server.calls).hasValue(4);
    }

    @Test
    void idempotent_aTimeoutShorterThanTheBackoff_leavesTheFirstFault() {
        Server server = serve(1, RpcStatus.SERVER_TOO_BUSY);
        RetryPolicy slow = RetryPolicy.of(3, Duration.ofSeconds(2), Duration.ofSeconds(2));

        ClientCall<String> call = server.client.start("work", "x", String.class,
                CallOptions.timeout(Duration.ofMillis(500)).withIdempotent(true).withRetry(slow));
        time.advanceTimeBy(Duration.ofMillis(100));

        assertThat(call.status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY);
        assertThat(server.calls).hasValue(1);
    }

    @Test
    void idempotent_anInheritedDeadlineShorterThanTheBackoff_leavesTheFirstFault_aLongerOneAllowsTheRetry() {
        Server server = serve(1, RpcStatus.SERVER_TOO_BUSY);
        RetryPolicy slow = RetryPolicy.of(3, Duration.ofSeconds(2), Duration.ofSeconds(2));
        CallOptions options = IDEMPOTENT.withRetry(slow);

        StepVerifier.create(server.client.call("work", "x", String.class, options)
                        .contextWrite(Deadline.after(Duration.ofMillis(500)).asContext()))
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY))
                .verify(VERIFY);
        assertThat(server.calls).hasValue(1);

        Server another = serve(1, RpcStatus.SERVER_TOO_BUSY);
        StepVerifier.create(another.client.call("work", "x", String.class, options)
                        .contextWrite(Deadline.after(Duration.ofSeconds(60)).asContext()))
                .then(() -> time.advanceTimeBy(slow.maxBackoff()))
                .expectNext("done 2")
                .expectComplete()
                .verify(VERIFY);
    }

    @Test
    void idempotent_aRetriedAttempt_sendsWhatRemainsOfTheTimeout() {
        ParleyClient client = scriptedClient(builder -> { });
        connection.script(Scripted.fault(RpcStatus.SERVER_TOO_BUSY), Scripted.reply("\"done\""));

        ClientCall<String> call = client.start("work", "x", String.class, CallOptions.timeout(Duration.ofSeconds(30)).withIdempotent(true));
        time.advanceTimeBy(RetryPolicy.DEFAULT.firstBackoff());

        assertThat(call.status()).isEqualTo(RpcStatus.OK);
        assertThat(connection.attempts.get(0).request.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(connection.attempts.get(1).request.timeout()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(30));
    }

    // ---- Cancels while a call waits to be sent again ------------------------------------------------

    @Test
    void abortiveCancel_whileWaitingToRetry_endsTheCallCancelledAtOnce_andNothingMoreIsSent() {
        Server server = serve(1, RpcStatus.SERVER_TOO_BUSY);
        ClientCall<String> call = server.client.start("work", "x", String.class, IDEMPOTENT);
        assertThat(call.status()).as("waiting for the backoff").isEqualTo(RpcStatus.ASYNC_CALL_PENDING);

        assertThat(call.cancel(CancelMode.ABORTIVE)).isEqualTo(RpcStatus.OK);

        assertThat(call.status()).isEqualTo(RpcStatus.CALL_CANCELLED);
        time.advanceTimeBy(Duration.ofSeconds(10));
        assertThat(server.calls).hasValue(1);
        assertThat(call.complete()).isEqualTo(RpcStatus.CALL_CANCELLED);
    }

    @Test
    void monoDisposed_whileWaitingToRetry_nothingMoreIsSent() {
        Server server = serve(1, RpcStatus.SERVER_TOO_BUSY);
        AtomicInteger signals = new AtomicInteger();
        Disposable subscription = server.client.call("work", "x", String.class, IDEMPOTENT)
                .subscribe(v -> signals.incrementAndGet(), e -> signals.incrementAndGet(), signals::incrementAndGet);
        assertThat(server.calls).hasValue(1);

        subscription.dispose();
        time.advanceTimeBy(Duration.ofSeconds(10));

        assertThat(server.calls).hasValue(1);
        assertThat(signals).hasValue(0);
    }

    @Test
    void gracefulCancel_whileWaitingToRetry_endsTheCallCancelled_noServerHoldsIt() {
        Server server = serve(1, RpcStatus.SERVER_TOO_BUSY);
        ClientCall<String> call = server.client.start("work", "x", String.class, IDEMPOTENT);

        assertThat(call.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);

        assertThat(call.status()).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(faultOf(call).detail()).contains("cancelled gracefully while it waited", "RPC_S_SERVER_TOO_BUSY");
        time.advanceTimeBy(Duration.ofSeconds(10));
        assertThat(server.calls).hasValue(1);
    }

    @Test
    void gracefulCancel_ofAnAttemptInFlight_reachesIt_andTheCallIsNotSentAgain() {
        ParleyClient client = scriptedClient(builder -> { });
        connection.script(Scripted.hold(), Scripted.reply("\"never\""));
        ClientCall<String> call = client.start("work", "x", String.class, IDEMPOTENT);

        call.cancel(CancelMode.GRACEFUL);
        assertThat(connection.attempts.get(0).graceful).isTrue();
        connection.attempts.get(0).listener.onFault(new RpcFault(RpcStatus.SERVER_TOO_BUSY, "wound down"));
        time.advanceTimeBy(Duration.ofSeconds(10));

        assertThat(call.status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY);
        assertThat(connection.attempts).hasSize(1);
    }

    @Test
    void cancelsRacingTheEndOfTheBackoff_endTheCallOnce_andAnAbortiveOneLeavesNothingSent() throws Exception {
        ParleyClient client = scriptedClient(builder -> { });
        ExecutorService racers = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 4000; round++) {
                CancelMode mode = round % 2 == 0 ? CancelMode.ABORTIVE : CancelMode.GRACEFUL;
                connection.script(Scripted.notSent(RpcStatus.SERVER_UNAVAILABLE), Scripted.hold());
                int before = connection.attempts.size();
                ClientCall<String> call = client.start("work", "x", String.class);
                CountDownLatch go = new CountDownLatch(1);
                Future<?> timer = racers.submit(() -> {
                    go.await();
                    time.advanceTimeBy(RetryPolicy.DEFAULT.firstBackoff());
                    return null;
                });
                Future<RpcStatus> cancel = racers.submit(() -> {
                    go.await();
                    return call.cancel(mode);
                });
                go.countDown();
                timer.get(VERIFY.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(cancel.get(VERIFY.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(RpcStatus.OK);

                List<Scripted.Attempt> made = connection.attempts.subList(before, connection.attempts.size());
                if (mode == CancelMode.ABORTIVE) {
                    assertThat(call.status()).isEqualTo(RpcStatus.CALL_CANCELLED);
                    assertThat(made).as("round %d: a second attempt started only to be cancelled", round)
                            .allSatisfy(attempt -> assertThat(attempt == made.get(0) || attempt.cancelled).isTrue());
                }
                else if (made.size() == 1) {
                    assertThat(call.status()).as("round %d: cancelled while waiting", round).isEqualTo(RpcStatus.CALL_CANCELLED);
                }
                else {
                    assertThat(made).as("round %d", round).hasSize(2);
                    assertThat(made.get(1).graceful).as("round %d: the notice reached the attempt in flight", round).isTrue();
                    assertThat(call.status()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
                    made.get(1).listener.onNext(utf8("\"wound down\""));
                    made.get(1).listener.onComplete();
                    assertThat(call.status()).isEqualTo(RpcStatus.OK);
                }
                time.advanceTimeBy(Duration.ofSeconds(10));
                assertThat(connection.attempts.size() - before).as("round %d: nothing sent later", round).isLessThanOrEqualTo(2);
                connection.script.clear();
            }
        }
        finally {
            racers.shutdownNow();
        }
    }

    // ---- Streams ------------------------------------------------------------------------------------

    @Test
    void idempotentStream_refusedBeforeItsFirstItem_isSentAgain() {
        Server server = serve(1, RpcStatus.SERVER_TOO_BUSY);

        StepVerifier.create(server.client.stream("ticks", 3, Integer.class, IDEMPOTENT))
                .then(() -> time.advanceTimeBy(RetryPolicy.DEFAULT.firstBackoff()))
                .expectNext(0, 1, 2)
                .expectComplete()
                .verify(VERIFY);

        assertThat(server.calls).hasValue(2);
    }

    @Test
    void idempotentStream_failingAfterAnItemReachedTheCaller_isNotSentAgain() {
        Server server = serve(0, RpcStatus.OK);

        StepVerifier.create(server.client.stream("tickThenBusy", 3, Integer.class, IDEMPOTENT))
                .expectNext(0)
                .then(() -> time.advanceTimeBy(Duration.ofSeconds(10)))
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY))
                .verify(VERIFY);

        assertThat(server.calls).hasValue(1);
    }

    @Test
    void idempotentClientStream_refusedAsTooBusy_isNotSentAgain() {
        Server server = serve(1, RpcStatus.SERVER_TOO_BUSY);

        StepVerifier.create(server.client.clientStream("sum", Flux.just(1, 2), Integer.class, IDEMPOTENT))
                .then(() -> time.advanceTimeBy(Duration.ofSeconds(10)))
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY))
                .verify(VERIFY);

        assertThat(server.calls).hasValue(1);
    }

    // ---- Support ------------------------------------------------------------------------------------

    private ParleyClient scriptedClient(Consumer<ParleyClient.Builder> customizer) {
        ParleyClient.Builder builder = ParleyClient.builder().transport(setup -> connection);
        customizer.accept(builder);
        ParleyClient client = builder.build();
        resources.add(client);
        return client;
    }

    /** An in-process server whose methods fail their first {@code failures} calls with {@code status}, and a client of it. */
    private Server serve(int failures, RpcStatus status) {
        AtomicInteger calls = new AtomicInteger();
        String name = "retry-" + NAMES.incrementAndGet();
        ParleyServer server = ParleyServer.builder()
                .method(ServerMethod.mono("work", String.class, request -> {
                    int n = calls.incrementAndGet();
                    return n <= failures ? Mono.error(new RpcFault(status, "busy " + n)) : Mono.just("done " + n);
                }))
                .method(ServerMethod.flux("ticks", Integer.class, count -> {
                    int n = calls.incrementAndGet();
                    return n <= failures ? Flux.error(new RpcFault(status, "busy " + n)) : Flux.range(0, count);
                }))
                .method(ServerMethod.flux("tickThenBusy", Integer.class, count -> {
                    calls.incrementAndGet();
                    return Flux.just(0).concatWith(Flux.error(new RpcFault(RpcStatus.SERVER_TOO_BUSY, "after an item")));
                }))
                .method(ServerMethod.clientStream("sum", Integer.class, numbers -> {
                    int n = calls.incrementAndGet();
                    return n <= failures ? Mono.error(new RpcFault(status, "busy " + n)) : numbers.reduce(0, Integer::sum);
                }))
                .transport(InProcessTransport.server(name))
                .bindNow();
        resources.add(server);
        ParleyClient client = ParleyClient.builder().transport(InProcessTransport.client(name)).build();
        resources.add(client);
        return new Server(client, calls);
    }

    private record Server(ParleyClient client, AtomicInteger calls) {
    }

    private static RpcFault faultOf(ClientCall<?> call) {
        RpcFault[] fault = new RpcFault[1];
        call.reply().onErrorResume(RpcFault.class, f -> {
            fault[0] = f;
            return Mono.empty();
        }).block(VERIFY);
        assertThat(fault[0]).as("the call's fault").isNotNull();
        return fault[0];
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String read(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * A connection whose attempts each do the next step of a script as they start, and which writes
     * down what each was asked: its request, its bytes (read as a careless transport would, moving
     * the buffer's position), its demand, its cancels.
     */
    static final class Scripted implements ClientConnection {

        final Queue<Consumer<Attempt>> script = new ConcurrentLinkedQueue<>();
        final List<Attempt> attempts = new CopyOnWriteArrayList<>();

        @SafeVarargs
        final void script(Consumer<Attempt>... steps) {
            for (Consumer<Attempt> step : steps) {
                script.add(step);
            }
        }

        static Consumer<Attempt> notSent(RpcStatus status) {
            return notSent(status, "not sent");
        }

        static Consumer<Attempt> notSent(RpcStatus status, String detail) {
            return attempt -> attempt.listener.onNotSent(new RpcFault(status, detail));
        }

        static Consumer<Attempt> fault(RpcStatus status) {
            return attempt -> attempt.listener.onFault(new RpcFault(status, "refused"));
        }

        static Consumer<Attempt> reply(String json) {
            return attempt -> {
                attempt.listener.onNext(utf8(json));
                attempt.listener.onComplete();
            };
        }

        static Consumer<Attempt> hold() {
            return attempt -> { };
        }

        static void complete(Attempt attempt) {
            attempt.listener.onComplete();
        }

        @Override
        public TransportCall newCall(RpcRequest request) {
            return new Attempt(request);
        }

        @Override
        public void dispose() {
        }

        final class Attempt implements TransportCall {

            final RpcRequest request;
            final java.util.concurrent.atomic.AtomicLong demand = new java.util.concurrent.atomic.AtomicLong();
            final List<String> requests = new CopyOnWriteArrayList<>();
            volatile Listener listener;
            volatile @Nullable String bytes;
            volatile boolean cancelled;
            volatile boolean graceful;

            Attempt(RpcRequest request) {
                this.request = request;
            }

            /** Subscribes to a channel's requests, as a transport sending them would. */
            void readRequests() {
                Flux.from(request.more()).map(RetryingTest::read).subscribe(requests::add);
            }

            @Override
            public void start(Listener l) {
                listener = l;
                bytes = read(request.payload());
                attempts.add(this);
                Consumer<Attempt> step = script.poll();
                if (step != null && !cancelled) {
                    step.accept(this);
                }
            }

            @Override
            public void request(long n) {
                demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            }

            @Override
            public void cancel() {
                cancelled = true;
            }

            @Override
            public void cancelGracefully() {
                graceful = true;
            }
        }
    }
}
