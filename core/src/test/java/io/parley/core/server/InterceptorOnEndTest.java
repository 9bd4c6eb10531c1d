package io.parley.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ClientCallInfo;
import io.parley.core.client.ClientInterceptor;
import io.parley.core.client.ParleyClient;
import io.parley.core.transport.InProcessTransport;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

/**
 * Both sides tell their interceptors every call's method and final status, once: the one hook
 * metrics and tracing hang on, also for calls refused before any interceptor ran.
 */
class InterceptorOnEndTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Recorder serverSide = new Recorder();
    private final Recorder clientSide = new Recorder();
    private final Sinks.Empty<Void> release = Sinks.empty();
    private final Sinks.Empty<Void> handlerCancelled = Sinks.empty();
    /** Emits once the handler of hold runs: a call on the books may not have reached it yet. */
    private final Sinks.Empty<Void> handlerStarted = Sinks.empty();
    private ParleyServer server;
    private ParleyClient client;

    private void start(String name, int maxCalls) {
        server = ParleyServer.builder()
                .method(ServerMethod.mono("echo", String.class, Mono::just))
                .method(ServerMethod.mono("fail", Integer.class, code -> Mono.error(new RpcFault(code))))
                .method(ServerMethod.mono("hold", String.class, (request, call) -> {
                    call.cancelled().subscribe(null, null, handlerCancelled::tryEmitEmpty);
                    handlerStarted.tryEmitEmpty();
                    return release.asMono().thenReturn(request);
                }))
                .maxCallsPerConnection(maxCalls)
                .interceptor(serverSide)
                .transport(InProcessTransport.server(name))
                .bindNow();
        client = ParleyClient.builder().interceptor(clientSide).transport(InProcessTransport.client(name)).build();
    }

    @AfterEach
    void stop() {
        client.dispose();
        server.dispose();
    }

    @Test
    void completedCall_isObservedOk_onBothSides() {
        start("on-end-ok", Integer.MAX_VALUE);

        StepVerifier.create(client.call("echo", "hi", String.class)).expectNext("hi").expectComplete().verify(TIMEOUT);

        assertThat(serverSide.next()).isEqualTo("echo " + RpcStatus.OK);
        assertThat(clientSide.next()).isEqualTo("echo " + RpcStatus.OK);
    }

    @Test
    void abortedCall_isObservedWithItsFaultCode_onBothSides() {
        start("on-end-fault", Integer.MAX_VALUE);

        StepVerifier.create(client.call("fail", 0xFFFFFFFF, String.class)).expectError(RpcFault.class).verify(TIMEOUT);

        assertThat(serverSide.next()).isEqualTo("fail " + RpcStatus.of(0xFFFFFFFF));
        assertThat(clientSide.next()).isEqualTo("fail " + RpcStatus.of(0xFFFFFFFF));
    }

    @Test
    void abortiveCancel_isObservedCancelled_onBothSides() {
        start("on-end-cancel", Integer.MAX_VALUE);

        Disposable call = client.call("hold", "x", String.class).subscribe();
        handlerStarted.asMono().block(TIMEOUT);
        call.dispose();
        handlerCancelled.asMono().block(TIMEOUT);

        assertThat(clientSide.next()).isEqualTo("hold " + RpcStatus.CALL_CANCELLED);
        assertThat(serverSide.next()).isEqualTo("hold " + RpcStatus.CALL_CANCELLED);
        release.tryEmitEmpty();
        assertThat(serverSide.poll()).as("the handler's late reply is not a second end").isNull();
    }

    @Test
    void connectionClosedUnderACall_isObservedCommFailure_onBothSides() {
        start("on-end-connection-closed", Integer.MAX_VALUE);
        Sinks.One<Throwable> clientError = Sinks.one();
        client.call("hold", "x", String.class).subscribe(null, clientError::tryEmitValue);
        handlerStarted.asMono().block(TIMEOUT);

        client.dispose();
        handlerCancelled.asMono().block(TIMEOUT);

        assertThat(clientError.asMono().block(TIMEOUT)).isInstanceOfSatisfying(RpcFault.class,
                fault -> assertThat(fault.status()).isEqualTo(RpcStatus.COMM_FAILURE));
        assertThat(clientSide.next()).isEqualTo("hold " + RpcStatus.COMM_FAILURE);
        assertThat(serverSide.next()).as("the server records what the client received").isEqualTo("hold " + RpcStatus.COMM_FAILURE);
        release.tryEmitEmpty();
        assertThat(serverSide.poll()).as("the handler's late reply is not a second end").isNull();
    }

    @Test
    void clientCallHandle_isObservedOnce_withItsOutcome() {
        start("on-end-handle", Integer.MAX_VALUE);

        ClientCall<String> call = client.start("hold", "x", String.class);
        awaitActive(1);
        assertThat(call.cancel(CancelMode.ABORTIVE)).isEqualTo(RpcStatus.OK);

        assertThat(clientSide.next()).isEqualTo("hold " + RpcStatus.CALL_CANCELLED);
        assertThat(call.cancel(CancelMode.ABORTIVE)).isEqualTo(RpcStatus.NOT_CANCELLED);
        assertThat(clientSide.poll()).isNull();
    }

    @Test
    void refusedCalls_areObservedWithTheRefusal_unknownMethodsUnderOneName() {
        start("on-end-refused", 1);

        StepVerifier.create(client.call("no-such-method", "x", String.class)).expectError(RpcFault.class).verify(TIMEOUT);
        assertThat(serverSide.next()).isEqualTo(ServerCallInfo.UNKNOWN_METHOD + " " + RpcStatus.PROCNUM_OUT_OF_RANGE);

        StepVerifier.create(client.call("fail", "not a number", String.class)).expectError(RpcFault.class).verify(TIMEOUT);
        assertThat(serverSide.next()).isEqualTo("fail " + RpcStatus.BAD_STUB_DATA);

        Disposable held = client.call("hold", "x", String.class).subscribe();
        awaitActive(1);
        StepVerifier.create(client.call("echo", "x", String.class)).expectError(RpcFault.class).verify(TIMEOUT);
        assertThat(serverSide.next()).isEqualTo("echo " + RpcStatus.SERVER_TOO_BUSY);
        held.dispose();
    }

    @Test
    void callOnADisposedClient_isToldItsEnd() {
        start("on-end-disposed", Integer.MAX_VALUE);
        client.dispose();

        StepVerifier.create(client.call("echo", "x", String.class)).expectError(RpcFault.class).verify(TIMEOUT);

        assertThat(clientSide.next()).isEqualTo("echo " + RpcStatus.SERVER_UNAVAILABLE);
    }

    private void awaitActive(int calls) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (server.activeCalls() != calls) {
            assertThat(System.nanoTime()).as("calls in flight: %s, waiting for %s", server.activeCalls(), calls).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    /** Records "method STATUS" per ended call; a call ended twice records twice. */
    private static final class Recorder implements ServerInterceptor, ClientInterceptor {

        /** Lock-free: calls end on event loops, where BlockHound fails a thread that parks on a lock. */
        private final Queue<String> ended = new ConcurrentLinkedQueue<>();

        @Override
        public Mono<Context> intercept(ServerCallInfo call, Context context) {
            return Mono.just(context);
        }

        @Override
        public Mono<Context> intercept(ClientCallInfo call, Context context) {
            return Mono.just(context);
        }

        @Override
        public void onEnd(ServerCallInfo call, RpcStatus status) {
            ended(call.method(), status);
        }

        @Override
        public void onEnd(ClientCallInfo call, RpcStatus status) {
            ended(call.method(), status);
        }

        private void ended(String method, RpcStatus status) {
            ended.add(method + " " + status);
        }

        String next() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String next;
            while ((next = ended.poll()) == null) {
                assertThat(System.nanoTime()).as("an observed end within 10 s").isLessThan(deadline);
                LockSupport.parkNanos(50_000);
            }
            return next;
        }

        /** The next end observed within 50 ms, or null. */
        String poll() {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            String next;
            while ((next = ended.poll()) == null && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            return next;
        }
    }
}
