package io.parley.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.parley.core.RpcStatus;
import io.parley.core.codec.JsonCodec;
import io.parley.core.server.ServerSessionTest.Recorder;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.ServerSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The request's bytes go back to the transport once, when the call is done with them: after its
 * reply is handed on (a reply may be a view of them), when its fault is sent, or when a reactive
 * handler is cancelled; an abandoned MS-RPC-style call keeps them until its handler ends it.
 */
class RequestReleaseTest {

    private final Queue<AsyncCall<String>> held = new ConcurrentLinkedQueue<>();
    private final SessionTransport transport = new SessionTransport();
    private final AtomicInteger releases = new AtomicInteger();
    private ParleyServer server;
    private ServerSession session;

    @BeforeEach
    void start() {
        server = ParleyServer.builder()
                .method(ServerMethod.async("hold", String.class, (String request, AsyncCall<String> call) -> held.add(call)))
                .method(ServerMethod.mono("echo", String.class, Mono::just))
                .method(ServerMethod.mono("never", String.class, request -> Mono.<String>never()))
                .transport(transport)
                .bindNow();
        session = transport.openSession();
    }

    @AfterEach
    void stop() {
        server.dispose();
    }

    /** Serves a call whose release is recorded among the transport's signals, in order. */
    private Flux<ByteBuffer> handle(String method, Recorder transport) {
        return session.handle(new RpcRequest(method, 1, null, JsonCodec.create().encode("x")), () -> {
            releases.incrementAndGet();
            transport.signals.add("released");
        });
    }

    @Test
    void completedCall_releasesAfterItsReplyIsHandedOn() {
        Recorder transport = new Recorder(1);

        handle("echo", transport).subscribe(transport);

        assertThat(transport.signals).containsExactly("onSubscribe", "onNext \"x\"", "onComplete", "released");
    }

    @Test
    void replyWaitingForDemand_keepsTheRequestUntilItIsHandedOn() {
        Recorder transport = new Recorder(0);
        handle("hold", transport).subscribe(transport);

        held.remove().complete("done");
        assertThat(releases).hasValue(0);
        transport.subscription.request(1);

        assertThat(transport.signals).containsExactly("onSubscribe", "onNext \"done\"", "onComplete", "released");
    }

    @Test
    void replyWaitingForDemand_cancelled_releasesWithoutSending() {
        Recorder transport = new Recorder(0);
        handle("hold", transport).subscribe(transport);
        held.remove().complete("done");

        transport.subscription.cancel();
        transport.subscription.request(1);

        assertThat(transport.signals).containsExactly("onSubscribe", "released");
    }

    @Test
    void abortedCall_releasesWithItsFault() {
        Recorder transport = new Recorder(1);
        handle("hold", transport).subscribe(transport);

        held.remove().abort(5);

        assertThat(transport.signals).containsExactly("onSubscribe", "onError RPC_S_ACCESS_DENIED (5)", "released");
    }

    @Test
    void refusedCall_releasesBeforeItIsSubscribedTo() {
        Recorder transport = new Recorder(1);

        Flux<ByteBuffer> reply = handle("missing", transport);
        assertThat(releases).hasValue(1);
        reply.subscribe(transport);

        assertThat(transport.signals).containsExactly("released", "onSubscribe", "onError RPC_S_PROCNUM_OUT_OF_RANGE (1745)");
    }

    @Test
    void abandonedAsyncCall_keepsTheRequestUntilItsHandlerEndsIt() {
        Recorder transport = new Recorder(1);
        handle("hold", transport).subscribe(transport);
        AsyncCall<String> call = held.remove();

        transport.subscription.cancel();
        assertThat(call.testCancel()).isEqualTo(RpcStatus.OK);
        assertThat(releases).as("the handler may still read the request").hasValue(0);

        assertThat(call.complete("late")).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(releases).hasValue(1);
    }

    @Test
    void abandonedMonoCall_releasesOnceItsSubscriptionIsCancelled() {
        Recorder transport = new Recorder(1);
        handle("never", transport).subscribe(transport);
        assertThat(releases).hasValue(0);

        transport.subscription.cancel();

        assertThat(releases).hasValue(1);
    }

    @Test
    void connectionClosed_asyncCallKeepsTheRequestUntilEnded_monoCallReleases() {
        Recorder asyncTransport = new Recorder(1);
        handle("hold", asyncTransport).subscribe(asyncTransport);
        Recorder monoTransport = new Recorder(1);
        session.handle(new RpcRequest("never", 2, null, JsonCodec.create().encode("x")), releases::incrementAndGet)
                .subscribe(monoTransport);

        session.close();
        assertThat(releases).hasValue(1);
        held.remove().abort(5);

        assertThat(releases).hasValue(2);
    }

    @Test
    void nonPositiveRequest_whileTheHandlerRuns_endsTheExchange_butTheHandlerKeepsTheRequestUntilItEnds() {
        Recorder transport = new Recorder(0);
        handle("hold", transport).subscribe(transport);
        AsyncCall<String> call = held.remove();

        transport.subscription.request(0);
        assertThat(transport.signals).hasSize(2).last().asString().startsWith("onError java.lang.IllegalArgumentException: §3.9");
        assertThat(releases).as("the handler may still read the request").hasValue(0);

        assertThat(call.complete("late")).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(releases).hasValue(1);
    }

    @Test
    void nonPositiveRequest_withAReplyWaiting_dropsItAndReleases() {
        Recorder transport = new Recorder(0);
        handle("hold", transport).subscribe(transport);
        held.remove().complete("done");

        transport.subscription.request(-1);

        assertThat(transport.signals).hasSize(3).doesNotContain("onNext \"done\"").last().isEqualTo("released");
    }
}
