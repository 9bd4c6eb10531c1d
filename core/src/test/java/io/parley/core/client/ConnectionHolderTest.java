package io.parley.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.ClientTransport;
import io.parley.core.transport.RpcRequest;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.Scannable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.util.RaceTestUtils;

/**
 * The client's one connection while it is being made: calls waiting for it share one connect,
 * and disposing one of them, from any thread at any moment, neither throws nor disturbs the
 * connect the others wait for.
 */
class ConnectionHolderTest {

    private static final int RACES = 2_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    private Scheduler racers;

    @BeforeEach
    void start() {
        // RaceTestUtils spins with Thread.yield, which BlockHound forbids on non-blocking threads: a plain pool.
        racers = Schedulers.fromExecutorService(Executors.newFixedThreadPool(2), "racer");
        Hooks.onErrorDropped(errors::add);
    }

    @AfterEach
    void stop() {
        racers.dispose();
        Hooks.resetOnErrorDropped();
    }

    @Test
    void disposeFirstCall_fromAnotherThreadAsItIsSubscribed_neverThrows() {
        for (int i = 0; i < RACES; i++) {
            Sinks.One<ClientConnection> connected = Sinks.one();
            ParleyClient client = ParleyClient.builder().transport(mimeType -> connected.asMono()).build();
            Mono<String> call = client.call("hold", "x", String.class);
            AtomicReference<Subscription> subscription = new AtomicReference<>();
            RaceTestUtils.race(racers,
                    () -> guarded(() -> call.subscribe(new Handing(subscription))),
                    () -> guarded(() -> {
                        Subscription s;
                        while ((s = subscription.get()) == null) {
                            Thread.onSpinWait();
                        }
                        s.cancel();
                    }));
            client.dispose();
        }
        assertThat(errors).as("thrown by subscribe() or dispose(), or dropped").isEmpty();
    }

    @Test
    void disposeFirstCall_insideItsOwnSubscribe_neverThrows() {
        ParleyClient client = ParleyClient.builder().transport(mimeType -> Mono.never()).build();
        guarded(() -> client.call("hold", "x", String.class).subscribe(new BaseSubscriber<String>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                subscription.cancel();
            }
        }));
        client.dispose();
        assertThat(errors).as("thrown by subscribe() or dispose(), or dropped").isEmpty();
    }

    @Test
    void disposeOneWaitingCall_theOthersStillConnect_onOneConnect() {
        AtomicInteger connects = new AtomicInteger();
        Sinks.One<ClientConnection> connected = Sinks.one();
        ParleyClient client = ParleyClient.builder().transport(mimeType -> {
            connects.incrementAndGet();
            return connected.asMono();
        }).build();
        Sinks.Many<String> wire = Sinks.many().replay().all();

        Disposable first = client.call("hold", "first", String.class).subscribe();
        Disposable second = client.call("hold", "second", String.class).subscribe();
        first.dispose();
        connected.tryEmitValue(new FakeConnection(wire));

        second.dispose();
        client.dispose();
        assertThat(connects).hasValue(1);
        StepVerifier.create(wire.asFlux().take(2))
                .expectNext("request 2", "cancel 2")
                .expectNoEvent(Duration.ofMillis(10))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void callAfterTheConnectionClosed_connectsAgain() {
        AtomicInteger connects = new AtomicInteger();
        Sinks.Many<String> wire = Sinks.many().replay().all();
        Queue<FakeConnection> connections = new ConcurrentLinkedQueue<>();
        ParleyClient client = ParleyClient.builder().transport(mimeType -> Mono.fromSupplier(() -> {
            connects.incrementAndGet();
            FakeConnection c = new FakeConnection(wire);
            connections.add(c);
            return c;
        })).build();

        client.call("hold", "first", String.class).subscribe().dispose();
        client.call("hold", "second", String.class).subscribe().dispose();
        assertThat(connects).as("one connection for both").hasValue(1);

        connections.remove().dispose();
        client.call("hold", "third", String.class).subscribe().dispose();
        assertThat(connects).as("connected again").hasValue(2);
        client.dispose();
    }

    @Test
    void connectFails_callEndsWithServerUnavailable_andTheNextCallTriesAgain() {
        AtomicInteger connects = new AtomicInteger();
        ParleyClient client = ParleyClient.builder().transport(mimeType -> {
            connects.incrementAndGet();
            return Mono.error(new ConnectException("refused"));
        }).build();

        for (int i = 1; i <= 2; i++) {
            StepVerifier.create(client.call("hold", "x", String.class))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(RpcFault.class,
                            fault -> assertThat(fault.status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE)))
                    .verify(TIMEOUT);
            assertThat(connects).hasValue(i);
        }
        client.dispose();
    }

    @Test
    void callOnADisposedClient_endsWithServerUnavailable() {
        ParleyClient client = ParleyClient.builder().transport(mimeType -> Mono.fromSupplier(() -> new FakeConnection(Sinks.many().replay().all()))).build();
        client.call("hold", "x", String.class).subscribe().dispose();
        client.dispose();

        StepVerifier.create(client.call("hold", "x", String.class))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(RpcFault.class, fault -> {
                    assertThat(fault.status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);
                    assertThat(fault.getMessage()).contains("the client is disposed");
                }))
                .verify(TIMEOUT);
    }

    private void guarded(Runnable action) {
        try {
            action.run();
        }
        catch (Throwable t) {
            errors.add(t);
        }
    }

    /** Hands its subscription to the cancelling thread as soon as it has one. */
    private static final class Handing implements CoreSubscriber<String> {

        private final AtomicReference<Subscription> subscription;

        Handing(AtomicReference<Subscription> subscription) {
            this.subscription = subscription;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription.set(s);
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String value) {
        }

        @Override
        public void onError(Throwable error) {
        }

        @Override
        public void onComplete() {
        }
    }

    /** A connection that writes what goes out on it to a "wire" and closes when disposed. */
    private static final class FakeConnection implements ClientConnection {

        private final Sinks.Many<String> wire;
        private final Sinks.Empty<Void> closed = Sinks.empty();

        FakeConnection(Sinks.Many<String> wire) {
            this.wire = wire;
        }

        @Override
        public <T> Mono<T> call(RpcRequest request, ReplyReader<T> reader) {
            return Mono.<T>never()
                    .doOnSubscribe(s -> wire.tryEmitNext("request " + request.callId()))
                    .doOnCancel(() -> wire.tryEmitNext("cancel " + request.callId()));
        }

        @Override
        public void cancelGracefully(long callId) {
            wire.tryEmitNext("graceful " + callId);
        }

        @Override
        public Mono<Void> onClose() {
            return closed.asMono();
        }

        @Override
        public void dispose() {
            closed.tryEmitEmpty();
        }

        @Override
        public boolean isDisposed() {
            return closed.scan(Scannable.Attr.TERMINATED) == Boolean.TRUE;
        }
    }
}
