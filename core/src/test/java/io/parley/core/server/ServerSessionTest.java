package io.parley.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.codec.JsonCodec;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.ServerSession;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A call's reply as a transport sees it through the SPI: a {@code Mono} that obeys the Reactive
 * Streams rules toward the transport — no reply without demand, a reply that waits for demand is
 * not lost, and one subscriber only. The in-process transport requests at once, so the seed suites
 * cannot see these.
 */
class ServerSessionTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Queue<AsyncCall<String>> held = new ConcurrentLinkedQueue<>();
    private final SessionTransport transport = new SessionTransport();
    /** The server's nanoTime, moved by the tests. */
    private final AtomicLong now = new AtomicLong();
    private ParleyServer server;
    private ServerSession session;

    @BeforeEach
    void start() {
        server = ParleyServer.builder()
                .method(ServerMethod.async("hold", String.class, (String request, AsyncCall<String> call) -> held.add(call)))
                .nanoClock(now::get)
                .transport(transport)
                .bindNow();
        session = transport.openSession();
    }

    @AfterEach
    void stop() {
        server.dispose();
    }

    private Flux<ByteBuffer> handleHold(long id) {
        return session.handle(new RpcRequest("hold", id, null, JsonCodec.create().encode("x")));
    }

    private AsyncCall<String> heldCall() {
        AsyncCall<String> call = held.poll();
        assertThat(call).as("the handler ran during subscribe").isNotNull();
        return call;
    }

    @Test
    void completeCall_beforeTheTransportRequests_sendsNoReplyUntilDemand_thenSendsItOnce() {
        Recorder transport = new Recorder(0);
        handleHold(1).subscribe(transport);
        AsyncCall<String> call = heldCall();

        assertThat(call.complete("waiting for demand")).isEqualTo(RpcStatus.OK);
        assertThat(transport.signals).as("no onNext without demand (Reactive Streams 1.1)").containsExactly("onSubscribe");
        assertThat(server.activeCalls()).as("the call has ended on the server").isZero();

        transport.subscription.request(1);
        assertThat(transport.awaitTerminal()).containsExactly("onSubscribe", "onNext \"waiting for demand\"", "onComplete");
        transport.subscription.request(1);
        assertThat(transport.signals).as("a second request sends nothing more").hasSize(3);
    }

    @Test
    void completeCall_afterTheTransportRequested_sendsTheReplyOnce() {
        Recorder transport = new Recorder(1);
        handleHold(1).subscribe(transport);

        assertThat(heldCall().complete("asked for")).isEqualTo(RpcStatus.OK);
        assertThat(transport.awaitTerminal()).containsExactly("onSubscribe", "onNext \"asked for\"", "onComplete");
    }

    @Test
    void abortCall_withoutDemand_sendsTheFaultAtOnce() {
        Recorder transport = new Recorder(0);
        handleHold(1).subscribe(transport);

        assertThat(heldCall().abort(RpcStatus.ACCESS_DENIED.value())).isEqualTo(RpcStatus.OK);
        assertThat(transport.awaitTerminal()).as("onError needs no demand")
                .containsExactly("onSubscribe", "onError " + RpcStatus.ACCESS_DENIED);
    }

    @Test
    void gracefulCancel_arrivingBeforeItsCall_isAppliedWhenTheCallArrives() {
        session.cancelGracefully(7);
        handleHold(7).subscribe(new Recorder(1));

        AsyncCall<String> call = heldCall();
        assertThat(call.testCancel()).as("the handler sees the cancel from the start").isEqualTo(RpcStatus.OK);
        assertThat(call.complete("wound down")).isEqualTo(RpcStatus.OK);
    }

    @Test
    void gracefulCancel_forAnotherCall_doesNotTouchThisOne_andIsUsedOnlyOnce() {
        session.cancelGracefully(8);
        handleHold(7).subscribe(new Recorder(1));
        assertThat(heldCall().testCancel()).isEqualTo(RpcStatus.CALL_IN_PROGRESS);

        handleHold(8).subscribe(new Recorder(1));
        AsyncCall<String> eight = heldCall();
        assertThat(eight.testCancel()).isEqualTo(RpcStatus.OK);
        eight.complete("done");

        handleHold(8).subscribe(new Recorder(1));
        assertThat(heldCall().testCancel()).as("a notice cancels one call, not every later call of that id")
                .isEqualTo(RpcStatus.CALL_IN_PROGRESS);
    }

    @Test
    void gracefulCancel_arrivingBeforeItsCall_isKeptForTenSeconds() {
        session.cancelGracefully(7);
        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        handleHold(7).subscribe(new Recorder(1));

        assertThat(heldCall().testCancel()).isEqualTo(RpcStatus.OK);
    }

    @Test
    void gracefulCancel_arrivingBeforeItsCall_isForgottenAfterTenSeconds() {
        session.cancelGracefully(7);
        now.addAndGet(TimeUnit.SECONDS.toNanos(10) + 1);
        handleHold(7).subscribe(new Recorder(1));

        assertThat(heldCall().testCancel()).as("a call arriving later with that id is not cancelled")
                .isEqualTo(RpcStatus.CALL_IN_PROGRESS);
    }

    @Test
    void gracefulCancel_overTheLimitOf1024Notices_dropsOnlyTheOldest() {
        for (long id = 1; id <= 1025; id++) {
            session.cancelGracefully(id);
            now.incrementAndGet();
        }

        handleHold(1).subscribe(new Recorder(1));
        assertThat(heldCall().testCancel()).as("the oldest notice made room").isEqualTo(RpcStatus.CALL_IN_PROGRESS);
        handleHold(2).subscribe(new Recorder(1));
        assertThat(heldCall().testCancel()).as("the next oldest is kept").isEqualTo(RpcStatus.OK);
        handleHold(1025).subscribe(new Recorder(1));
        assertThat(heldCall().testCancel()).as("the newest is kept").isEqualTo(RpcStatus.OK);
    }

    @Test
    void gracefulCancel_repeated_isKeptFromItsLatestNotice() {
        session.cancelGracefully(7);
        now.addAndGet(TimeUnit.SECONDS.toNanos(6));
        session.cancelGracefully(7);
        now.addAndGet(TimeUnit.SECONDS.toNanos(6));
        handleHold(7).subscribe(new Recorder(1));

        assertThat(heldCall().testCancel()).isEqualTo(RpcStatus.OK);
    }

    @Test
    void reply_subscribedTwice_theSecondSubscriberIsRefused_andTheHandlerRunsOnce() {
        Flux<ByteBuffer> reply = handleHold(1);
        Recorder first = new Recorder(1);
        Recorder second = new Recorder(1);
        reply.subscribe(first);
        reply.subscribe(second);

        assertThat(second.awaitTerminal()).hasSize(2).last().asString().startsWith("onError java.lang.IllegalStateException");
        heldCall().complete("once");
        assertThat(held).as("the handler ran once").isEmpty();
        assertThat(first.awaitTerminal()).containsExactly("onSubscribe", "onNext \"once\"", "onComplete");
    }

    /** A transport's subscriber: records every signal and requests as told. */
    static final class Recorder implements CoreSubscriber<ByteBuffer> {

        final Queue<String> signals = new ConcurrentLinkedQueue<>();
        private final long initialRequest;
        volatile Subscription subscription;

        Recorder(long initialRequest) {
            this.initialRequest = initialRequest;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            signals.add("onSubscribe");
            if (initialRequest > 0) {
                s.request(initialRequest);
            }
        }

        @Override
        public void onNext(ByteBuffer value) {
            signals.add("onNext " + StandardCharsets.UTF_8.decode(value.duplicate()));
        }

        @Override
        public void onError(Throwable t) {
            signals.add("onError " + (t instanceof RpcFault ? ((RpcFault) t).status() : t));
        }

        @Override
        public void onComplete() {
            signals.add("onComplete");
        }

        List<String> awaitTerminal() {
            Predicate<String> terminal = s -> s.startsWith("onError") || s.equals("onComplete");
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (signals.stream().noneMatch(terminal)) {
                if (System.nanoTime() > deadline) {
                    fail("no terminal signal within " + TIMEOUT + ": " + signals);
                }
                LockSupport.parkNanos(10_000);
            }
            return new ArrayList<>(signals);
        }
    }
}
