package io.parley.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;

import io.parley.core.RpcStatus;
import io.parley.core.codec.JsonCodec;
import io.parley.core.server.ServerSessionTest.Recorder;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.ServerSession;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * The seed's server states, read by name from a call as it goes D → (Comp | A) → End. Comp and A
 * are the winning thread's work before End; the interceptors' onEnd runs inside it, so it sees them.
 */
class ServerCallTest {

    private final Queue<AsyncCall<String>> held = new ConcurrentLinkedQueue<>();
    private final SessionTransport transport = new SessionTransport();
    /** The call whose state the interceptor records when it is told the call ended. */
    private final AtomicReference<ServerCall<?>> watched = new AtomicReference<>();
    private final Queue<String> statesAtObservedEnd = new ConcurrentLinkedQueue<>();
    private final Queue<RpcStatus> observedStatuses = new ConcurrentLinkedQueue<>();
    private ParleyServer server;
    private ServerSession session;

    @BeforeEach
    void start() {
        server = ParleyServer.builder()
                .method(ServerMethod.async("hold", String.class, (String request, AsyncCall<String> call) -> held.add(call)))
                .method(ServerMethod.async("throw", String.class, (String request, AsyncCall<String> call) -> {
                    watched.set((ServerCall<?>) call);
                    throw RpcStatus.ACCESS_DENIED.asFault();
                }))
                .interceptor(new ServerInterceptor() {
                    @Override
                    public Mono<Context> intercept(ServerCallInfo call, Context context) {
                        return Mono.just(context);
                    }

                    @Override
                    public void onEnd(ServerCallInfo ended, RpcStatus status) {
                        observedStatuses.add(status);
                        ServerCall<?> call = watched.get();
                        statesAtObservedEnd.add(call != null ? call.seedState() : "none");
                    }
                })
                .transport(transport)
                .bindNow();
        session = transport.openSession();
    }

    @AfterEach
    void stop() {
        server.dispose();
    }

    private ServerCall<?> handle(String method, long id) {
        return (ServerCall<?>) session.handle(new RpcRequest(method, id, null, JsonCodec.create().encode("x")));
    }

    private ServerCall<?> dispatchHold(long id) {
        handle("hold", id).subscribe(new Recorder(1));
        ServerCall<?> call = (ServerCall<?>) held.poll();
        assertThat(call).as("the handler ran during subscribe").isNotNull();
        watched.set(call);
        return call;
    }

    @Test
    void completeCall_goesFromDThroughCompToEnd() {
        ServerCall<?> call = dispatchHold(1);
        assertThat(call.seedState()).isEqualTo("D");

        assertThat(cast(call).complete("done")).isEqualTo(RpcStatus.OK);

        assertThat(statesAtObservedEnd).containsExactly("Comp");
        assertThat(call.seedState()).isEqualTo("End");
        assertThat(call.status()).isEqualTo(RpcStatus.OK);
    }

    @Test
    void abortCall_goesFromDThroughAToEnd() {
        ServerCall<?> call = dispatchHold(1);

        assertThat(call.abort(0xFFFFFFFF)).isEqualTo(RpcStatus.OK);

        assertThat(statesAtObservedEnd).containsExactly("A");
        assertThat(call.seedState()).isEqualTo("End");
        assertThat(call.status()).isEqualTo(RpcStatus.of(0xFFFFFFFF));
    }

    @Test
    void handlerThrows_callGoesThroughAToEnd() {
        Recorder transport = new Recorder(1);
        ServerCall<?> call = handle("throw", 1);
        call.subscribe(transport);

        assertThat(transport.awaitTerminal()).containsExactly("onSubscribe", "onError " + RpcStatus.ACCESS_DENIED);
        assertThat(statesAtObservedEnd).containsExactly("A");
        assertThat(call.seedState()).isEqualTo("End");
    }

    @Test
    void endedCall_secondCompleteOrAbort_leavesItAtEnd() {
        ServerCall<?> call = dispatchHold(1);
        call.abort(RpcStatus.ACCESS_DENIED.value());

        assertThat(cast(call).complete("late")).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
        assertThat(call.abort(1)).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
        assertThat(call.seedState()).isEqualTo("End");
        assertThat(call.status()).isEqualTo(RpcStatus.ACCESS_DENIED);
        assertThat(statesAtObservedEnd).as("observed once").hasSize(1);
    }

    @Test
    void refusedCall_isNeverDispatched_andEndsWithTheRefusal() {
        dispatchHold(7);
        Recorder transport = new Recorder(1);
        ServerCall<?> duplicate = handle("hold", 7);

        duplicate.subscribe(transport);

        assertThat(transport.awaitTerminal()).containsExactly("onSubscribe", "onError " + RpcStatus.PROTOCOL_ERROR);
        assertThat(held).as("no handler saw the refused call").isEmpty();
        assertThat(duplicate.seedState()).isEqualTo("End");
        assertThat(duplicate.status()).isEqualTo(RpcStatus.PROTOCOL_ERROR);
    }

    @Test
    void callAbandonedBeforeDispatch_endsWithoutReachingItsHandler() {
        ServerCall<?> call = handle("hold", 1);
        Queue<String> signals = new ConcurrentLinkedQueue<>();
        // A transport whose stream is cancelled as it subscribes: the client's cancel came first.
        call.subscribe(new CoreSubscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.cancel();
            }

            @Override
            public void onNext(ByteBuffer value) {
                signals.add("onNext");
            }

            @Override
            public void onError(Throwable t) {
                signals.add("onError " + t);
            }

            @Override
            public void onComplete() {
                signals.add("onComplete");
            }
        });

        assertThat(held).as("the handler never ran").isEmpty();
        assertThat(call.seedState()).isEqualTo("End");
        assertThat(call.status()).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(signals).as("nothing to a transport that cancelled").isEmpty();
        assertThat(server.activeCalls()).isZero();
    }

    @Test
    void connectionClosedUnderADispatchedCall_callEndsCommFailure_thoughItsLateReplyIsDroppedAsCancelled() {
        ServerCall<?> call = dispatchHold(1);

        session.close();

        assertThat(call.testCancel()).isEqualTo(RpcStatus.OK);
        assertThat(observedStatuses).containsExactly(RpcStatus.COMM_FAILURE);
        assertThat(cast(call).complete("too late")).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(call.status()).isEqualTo(RpcStatus.COMM_FAILURE);
        assertThat(observedStatuses).as("observed once").hasSize(1);
    }

    @Test
    void connectionClosedBeforeTheTransportSubscribes_callIsRefused_andObservedCommFailure() {
        ServerCall<?> call = handle("hold", 1);
        session.close();
        Recorder transport = new Recorder(1);

        call.subscribe(transport);

        assertThat(transport.awaitTerminal()).containsExactly("onSubscribe", "onError " + RpcStatus.COMM_FAILURE);
        assertThat(held).as("no handler saw the call").isEmpty();
        assertThat(observedStatuses).containsExactly(RpcStatus.COMM_FAILURE);
        assertThat(call.status()).isEqualTo(RpcStatus.COMM_FAILURE);
        assertThat(server.activeCalls()).isZero();
    }

    @Test
    void abortiveCancelOfADispatchedCall_callEndsCancelled() {
        Recorder transport = new Recorder(1);
        handle("hold", 1).subscribe(transport);
        ServerCall<?> call = (ServerCall<?>) held.poll();

        transport.subscription.cancel();

        assertThat(observedStatuses).containsExactly(RpcStatus.CALL_CANCELLED);
        assertThat(cast(call).complete("too late")).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(call.status()).isEqualTo(RpcStatus.CALL_CANCELLED);
    }

    @Test
    void toString_namesTheSeedState() {
        ServerCall<?> call = dispatchHold(3);
        assertThat(call.toString()).contains("hold", "id=3", ", D, ");

        call.abort(1);
        assertThat(call.toString()).contains(", End, ");
    }

    @SuppressWarnings("unchecked")
    private static AsyncCall<String> cast(ServerCall<?> call) {
        return (AsyncCall<String>) call;
    }
}
