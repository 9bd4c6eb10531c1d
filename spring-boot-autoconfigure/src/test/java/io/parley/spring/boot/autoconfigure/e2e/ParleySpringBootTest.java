package io.parley.spring.boot.autoconfigure.e2e;

import static io.parley.test.Await.next;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CallOptions;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ClientStream;
import io.parley.spring.boot.autoconfigure.ParleyHealthIndicator;
import io.parley.spring.boot.autoconfigure.ParleyServerBootstrap;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * A real server on a random port, a {@code @ParleyStub} injected: every method shape called,
 * streams and one-way calls included, faults and both cancels observed end to end, and the
 * metrics read back from the registry.
 */
@SpringBootTest(classes = ShapesApplication.class, webEnvironment = WebEnvironment.NONE,
        properties = { "parley.server.port=0", "parley.server.address=127.0.0.1" })
class ParleySpringBootTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Autowired
    ShapesClient client;

    @Autowired
    ShapesService service;

    @Autowired
    MeterRegistry meters;

    @Autowired
    ParleyServerBootstrap bootstrap;

    @Autowired
    ParleyHealthIndicator health;

    @Test
    void monoShape_completes() {
        StepVerifier.create(this.client.place(new Order("tea", 2)))
            .assertNext((receipt) -> {
                assertThat(receipt.item()).isEqualTo("tea");
                assertThat(receipt.quantity()).isEqualTo(2);
            })
            .expectComplete()
            .verify(TIMEOUT);
        assertThat(timer("parley.server.calls", "place", "RPC_S_OK").timer().count()).isPositive();
        assertThat(timer("parley.client.calls", "place", "RPC_S_OK").timer().count()).isPositive();
    }

    @Test
    void monoShapeWithTheCall_andARenamedMethod_complete() {
        StepVerifier.create(this.client.shout("hi")).expectNext("HI (call shout)").expectComplete().verify(TIMEOUT);
    }

    @Test
    void asyncShape_completes() {
        StepVerifier.create(this.client.countLetters("parley")).expectNext(6).expectComplete().verify(TIMEOUT);
    }

    @Test
    void plainMethod_runsOffTheEventLoop() {
        StepVerifier.create(this.client.placeBlocking(new Order("cake", 1)))
            .assertNext((receipt) -> assertThat(receipt.thread()).startsWith("boundedElastic-"))
            .expectComplete()
            .verify(TIMEOUT);
    }

    @Test
    void faultCodes_reachTheClientUnchanged_andTagTheTimers() {
        for (int code : new int[] { 1, 5, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF }) {
            StepVerifier.create(this.client.fail(code))
                .expectErrorSatisfies((error) -> assertThat(((RpcFault) error).faultCode()).isEqualTo(code))
                .verify(TIMEOUT);
            StepVerifier.create(this.client.failBlocking(code))
                .expectErrorSatisfies((error) -> assertThat(((RpcFault) error).faultCode()).isEqualTo(code))
                .verify(TIMEOUT);
        }
        // Application codes share one tag value, so that they cannot make meters without bound.
        awaitTimer("parley.server.calls", "fail", "APPLICATION");
        assertThat(timer("parley.client.calls", "fail", "APPLICATION").timer().count()).isPositive();
        assertThat(this.meters.find("parley.client.calls").tag("status", RpcStatus.of(0xFFFFFFFF).name()).timer()).isNull();
        assertThat(timer("parley.client.calls", "failBlocking", RpcStatus.ACCESS_DENIED.name()).timer().count())
            .isPositive();
    }

    @Test
    void abortiveCancel_byDisposingTheMono_reachesTheServersTestCancel() {
        Sinks.One<RpcStatus> seen = Sinks.one();
        Disposable watch = this.service.cancelSeen.asFlux().next().subscribe(seen::tryEmitValue);
        Disposable call = this.client.hold("dispose me").subscribe();
        awaitInFlight(1);

        call.dispose();

        StepVerifier.create(seen.asMono()).expectNext(RpcStatus.OK).expectComplete().verify(TIMEOUT);
        watch.dispose();
        awaitInFlight(0);
        assertThat(timer("parley.client.calls", "hold", "RPC_S_CALL_CANCELLED").timer().count()).isPositive();
        awaitTimer("parley.server.calls", "hold", "RPC_S_CALL_CANCELLED");
    }

    @Test
    void gracefulCancel_throughTheCallHandle_isAnsweredByTheServer() {
        ClientCall<String> call = this.client.startHold("graceful");
        awaitInFlight(1);

        assertThat(call.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);

        StepVerifier.create(call.reply()).expectNext("cancelled gracefully").expectComplete().verify(TIMEOUT);
        assertThat(call.status()).isEqualTo(RpcStatus.OK);
    }

    @Test
    void perCallOptions_passedThroughTheInterface_apply() {
        StepVerifier.create(this.client.hold("timed", CallOptions.gracefulTimeout(Duration.ofMillis(50))))
            .expectNext("cancelled gracefully")
            .expectComplete()
            .verify(TIMEOUT);
    }

    @Test
    void gaugeOfCallsInFlight_andHealth_describeTheServer() {
        Disposable call = this.client.hold("counted").subscribe();
        awaitInFlight(1);
        assertThat(this.meters.get("parley.server.calls.in.flight").gauge().value()).isEqualTo(1.0);
        call.dispose();
        awaitInFlight(0);
        assertThat(this.meters.get("parley.server.calls.in.flight").gauge().value()).isZero();
        assertThat(this.meters.get("parley.server.replies.dropped").functionCounter()).isNotNull();

        assertThat(this.health.health(true).getStatus()).isEqualTo(Status.UP);
        assertThat(this.health.health(true).getDetails()).containsKeys("address", "activeCalls", "droppedReplies");
    }

    @Test
    void replyToACallTheClientCancelled_isDropped_andCounted() {
        double before = this.meters.get("parley.server.replies.dropped").functionCounter().count();
        Disposable call = this.client.holdAsync("too slow").subscribe();
        awaitInFlight(1);
        call.dispose();
        awaitInFlight(0);

        assertThat(this.service.heldAsync.get().complete("late")).isEqualTo(RpcStatus.CALL_CANCELLED);

        assertThat(this.meters.get("parley.server.replies.dropped").functionCounter().count()).isEqualTo(before + 1);
    }

    @Test
    void idempotentMethod_refusedAsTooBusy_isSentAgain_andTheRetryIsCounted() {
        StepVerifier.create(this.client.busyOnce("idempotent"))
            .expectNext("idempotent on attempt 2")
            .expectComplete()
            .verify(TIMEOUT);
        assertThat(this.meters.get("parley.client.retries").tag("method", "busyOnce")
            .tag("status", "RPC_S_SERVER_TOO_BUSY").counter().count()).isEqualTo(1);

        StepVerifier.create(this.client.busyOnceNotIdempotent("once"))
            .expectErrorSatisfies((e) -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY))
            .verify(TIMEOUT);
        assertThat(this.service.busyOnceCalls.get("once")).as("sent once").hasValue(1);
        assertThat(this.meters.get("parley.client.retries").counter().count()).isEqualTo(1);
    }

    // ---- streams and one-way calls ---------------------------------------------------------------

    @Test
    void serverStream_sendsEachItem_andIsObservedWithItsStatus() {
        StepVerifier.create(this.client.placeEach(new Order("tea", 3)))
            .assertNext((receipt) -> assertThat(receipt.quantity()).isEqualTo(1))
            .assertNext((receipt) -> assertThat(receipt.quantity()).isEqualTo(2))
            .assertNext((receipt) -> assertThat(receipt.quantity()).isEqualTo(3))
            .expectComplete()
            .verify(TIMEOUT);
        assertThat(timer("parley.client.calls", "placeEach", "RPC_S_OK").timer().count()).isPositive();
        awaitTimer("parley.server.calls", "placeEach", "RPC_S_OK");
    }

    @Test
    void serverStreamOfAGenericItemType_isDecodedWithItsTypeArguments() {
        StepVerifier.create(this.client.placeInPairs(new Order("cake", 3), CallOptions.DEFAULT))
            .assertNext((pair) -> assertThat(pair).extracting(Receipt::quantity).containsExactly(1, 2))
            .assertNext((pair) -> assertThat(pair).extracting(Receipt::quantity).containsExactly(3))
            .expectComplete()
            .verify(TIMEOUT);
    }

    @Test
    void clientStream_sendsEveryRequest_andCompletesWithOneReply() {
        StepVerifier.create(this.client.placeTotal(Flux.just(new Order("tea", 2), new Order("cake", 3))))
            .assertNext((receipt) -> assertThat(receipt).extracting(Receipt::item, Receipt::quantity).containsExactly("total", 5))
            .expectComplete()
            .verify(TIMEOUT);
        assertThat(timer("parley.client.calls", "placeTotal", "RPC_S_OK").timer().count()).isPositive();
        awaitTimer("parley.server.calls", "placeTotal", "RPC_S_OK");
    }

    @Test
    void channel_answersEachRequest() {
        StepVerifier.create(this.client.placeAll(Flux.just(new Order("tea", 2), new Order("cake", 3))))
            .assertNext((receipt) -> assertThat(receipt).extracting(Receipt::item, Receipt::quantity).containsExactly("tea", 2))
            .assertNext((receipt) -> assertThat(receipt).extracting(Receipt::item, Receipt::quantity).containsExactly("cake", 3))
            .expectComplete()
            .verify(TIMEOUT);
        awaitTimer("parley.server.calls", "placeAll", "RPC_S_OK");
    }

    @Test
    void oneWayCall_reachesTheServer_whichRunsItOffTheEventLoop() {
        this.client.record(new Order("journal", 7));

        Receipt recorded = next(this.service.recorded, "the one-way request");
        assertThat(recorded).extracting(Receipt::item, Receipt::quantity).containsExactly("journal", 7);
        assertThat(recorded.thread()).startsWith("boundedElastic-");
        awaitTimer("parley.server.calls", "record", "RPC_S_OK");
        // The client's observation ends once the request is sent: RPC_S_OK says sent, not run.
        awaitTimer("parley.client.calls", "record", "RPC_S_OK");
    }

    @Test
    void seedStyleStream_gracefulCancelThroughTheHandle_isAnsweredWithTheServersLastItem() {
        ClientStream<String> job = this.client.progress("report");

        StepVerifier.create(job.items())
            .expectNext("report started")
            .then(() -> assertThat(job.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK))
            .expectNext("report stopped")
            .expectComplete()
            .verify(TIMEOUT);
        assertThat(next(this.service.progressCancelSeen, "the server's testCancel()")).isEqualTo(RpcStatus.OK);
        assertThat(job.status()).isEqualTo(RpcStatus.OK);
        assertThat(job.received()).isEqualTo(2);
        assertThat(job.complete()).isEqualTo(RpcStatus.OK);
        awaitTimer("parley.server.calls", "progress", "RPC_S_OK");
    }

    @Test
    void abortiveCancel_byDisposingAStream_reachesTheServersTestCancel_andIsCounted() {
        Queue<String> items = new ConcurrentLinkedQueue<>();
        Disposable stream = this.client.watch("prices").subscribe(items::add);
        assertThat(next(items, "the first item")).isEqualTo("prices watched");
        awaitInFlight(1);
        assertThat(this.health.health(true).getDetails()).containsEntry("activeCalls", 1);

        stream.dispose();

        assertThat(next(this.service.watchCancelSeen, "the server's testCancel()")).isEqualTo(RpcStatus.OK);
        awaitInFlight(0);
        assertThat(timer("parley.client.calls", "watch", "RPC_S_CALL_CANCELLED").timer().count()).isPositive();
        awaitTimer("parley.server.calls", "watch", "RPC_S_CALL_CANCELLED");
    }

    @Test
    void faultCodeInTheMiddleOfAStream_reachesTheClientsFluxAfterTheItemsBeforeIt() {
        StepVerifier.create(this.client.countThenFail(RpcStatus.ACCESS_DENIED.value()))
            .expectNext(1, 2)
            .expectErrorSatisfies((error) -> assertThat(((RpcFault) error).status()).isEqualTo(RpcStatus.ACCESS_DENIED))
            .verify(TIMEOUT);
        StepVerifier.create(this.client.countThenAbort(0xFFFFFFFF))
            .expectNext(1, 2)
            .expectErrorSatisfies((error) -> assertThat(((RpcFault) error).faultCode()).isEqualTo(0xFFFFFFFF))
            .verify(TIMEOUT);
        assertThat(timer("parley.client.calls", "countThenFail", "RPC_S_ACCESS_DENIED").timer().count()).isPositive();
        awaitTimer("parley.server.calls", "countThenFail", "RPC_S_ACCESS_DENIED");
        assertThat(timer("parley.client.calls", "countThenAbort", "APPLICATION").timer().count()).isPositive();
        awaitTimer("parley.server.calls", "countThenAbort", "APPLICATION");
    }

    @Test
    void callInAnotherShapeThanServed_endsWithInvalidAsyncCall() {
        StepVerifier.create(this.client.placeEachAsUnary(new Order("tea", 1)))
            .expectErrorSatisfies((error) -> assertThat(((RpcFault) error).status()).isEqualTo(RpcStatus.INVALID_ASYNC_CALL))
            .verify(TIMEOUT);
    }

    private RequiredSearch timer(String name, String method, String status) {
        return this.meters.get(name).tag("method", method).tag("status", status);
    }

    /** The server's observation ends on its own thread, a moment after the client's. */
    private void awaitTimer(String name, String method, String status) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (this.meters.find(name).tag("method", method).tag("status", status).timer() == null) {
            assertThat(System.nanoTime()).as("timer %s %s %s", name, method, status).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private void awaitInFlight(int calls) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (this.bootstrap.getServer().activeCalls() != calls) {
            assertThat(System.nanoTime()).as("calls in flight: %s, waiting for %s",
                    this.bootstrap.getServer().activeCalls(), calls).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
