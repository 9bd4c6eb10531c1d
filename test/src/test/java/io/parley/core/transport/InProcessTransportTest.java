package io.parley.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ParleyClient;
import io.parley.core.codec.BytesCodec;
import io.parley.core.codec.JsonCodec;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.test.transport.CallTestSupport;
import io.parley.test.transport.TransportFixture;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/** Binding, connecting, and what happens to calls when either side goes away. */
class InProcessTransportTest extends CallTestSupport {

    @Override
    protected TransportFixture fixture() {
        return TransportFixture.inProcess();
    }

    /** One fault object for every call, as a handler may keep a constant. */
    private static final RpcFault SHARED = new RpcFault(0xC0DE, "shared", new IllegalStateException("the server's own cause"));

    @Test
    void fault_reachesTheClientAsOnTheWire_codeAndDetail_notTheServersObject() {
        ParleyServer server = startServer(b -> b.method(ServerMethod.mono("shared", String.class, r -> Mono.error(SHARED))));
        ParleyClient client = client(server);

        for (int i = 0; i < 3; i++) {
            RpcFault fault = faultOf(client.call("shared", "x", String.class));
            assertThat(fault).isNotSameAs(SHARED);
            assertThat(fault.faultCode()).isEqualTo(0xC0DE);
            assertThat(fault.detail()).isEqualTo("shared");
            assertThat(fault.getCause()).as("the server's cause stays on the server").isNull();
        }
        assertThat(SHARED.getSuppressed()).as("block() on the client adds nothing to the server's object").isEmpty();
    }

    @Test
    void bind_reportsItsAddress() {
        ParleyServer server = startServer();
        assertThat(server.address()).startsWith("in-process:suite-");
    }

    @Test
    void bind_aNameInUse_fails() {
        ParleyServer server = startServer();
        String name = server.address().substring("in-process:".length());
        assertThatThrownBy(() -> ParleyServer.builder().methods(methods()).transport(InProcessTransport.server(name)).bindNow())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(name);
    }

    @Test
    void connect_toANameNoServerHolds_endsWithServerUnavailable() {
        ParleyClient client = ParleyClient.builder().transport(InProcessTransport.client("nobody-here")).build();
        track(client);
        RpcFault fault = faultOf(client.call("echo", "x", String.class));
        assertThat(fault.status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);
        assertThat(fault.getMessage()).contains("nobody-here");
    }

    @Test
    void connect_withACodecTheServerLacks_endsWithProtocolError() {
        ParleyServer server = startServer();
        ParleyClient client = client(server, builder -> builder.codec(BytesCodec.create()));
        RpcFault fault = faultOf(client.call("echo", new byte[] {1}, byte[].class));
        assertThat(fault.status()).isEqualTo(RpcStatus.PROTOCOL_ERROR);
        assertThat(fault.getMessage()).contains(BytesCodec.MIME_TYPE, JsonCodec.MIME_TYPE);
    }

    @Test
    void aServerWithTwoCodecs_servesEachClientInItsOwn() {
        ParleyServer server = ParleyServer.builder()
                .method(ServerMethod.mono("echo", byte[].class, Mono::just))
                .codec(JsonCodec.create())
                .codec(BytesCodec.create())
                .transport(fixture().serverTransport())
                .bindNow();
        track(server);
        ParleyClient bytes = client(server, builder -> builder.codec(BytesCodec.create()));
        ParleyClient json = client(server);
        assertThat(bytes.call("echo", new byte[] {1, 2, 3}, byte[].class).block(TIMEOUT)).containsExactly(1, 2, 3);
        assertThat(json.call("echo", new byte[] {4, 5}, byte[].class).block(TIMEOUT)).containsExactly(4, 5);
    }

    @Test
    void serverDisposed_callsInFlightEndWithCommFailure_andTheServerSeesThemCancelled() {
        ParleyServer server = startServer();
        ClientCall<String> call = client(server).start("hold", "x", String.class);
        AsyncCall<String> serverCall = nextHeldCall();

        server.dispose();
        RpcFault fault = faultOf(call.reply());
        assertThat(fault.status()).isEqualTo(RpcStatus.COMM_FAILURE);
        awaitCancel(serverCall);
        assertThat(server.activeCalls()).isZero();
    }

    @Test
    void serverDisposed_theNextCallEndsWithServerUnavailable_andAServerBoundAgainIsReached() {
        ParleyServer server = startServer();
        String name = server.address().substring("in-process:".length());
        ParleyClient client = client(server);
        assertThat(client.call("echo", "before", String.class).block(TIMEOUT)).isEqualTo("before");

        server.dispose();
        assertThat(faultOf(client.call("echo", "while down", String.class)).status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);

        ParleyServer again = ParleyServer.builder().methods(methods()).transport(InProcessTransport.server(name)).bindNow();
        track(again);
        assertThat(client.call("echo", "after", String.class).block(TIMEOUT)).isEqualTo("after");
    }

    @Test
    void abortiveCancel_reachesTheHandlerAsTestCancel_notAsAnInterruptOfItsThread() {
        AtomicBoolean running = new AtomicBoolean();
        AtomicReference<String> seen = new AtomicReference<>();
        ParleyServer server = startServer(builder -> builder.method(ServerMethod.async("busy", String.class,
                (String request, AsyncCall<String> call) -> {
                    // Busy on the receiving thread until cancelled (bounded), then a moment more
                    // in which a stray interrupt would land. No parking: this thread is non-blocking.
                    running.set(true);
                    long cancelDeadline = System.nanoTime() + TIMEOUT.toNanos();
                    while (call.testCancel() != RpcStatus.OK && System.nanoTime() < cancelDeadline) {
                        Thread.currentThread().isInterrupted();
                    }
                    long settle = System.nanoTime() + 200_000_000L;
                    while (!Thread.currentThread().isInterrupted() && System.nanoTime() < settle) {
                        Thread.currentThread().isInterrupted();
                    }
                    seen.set("testCancel=" + call.testCancel() + ", interrupted=" + Thread.currentThread().isInterrupted());
                    call.complete("dropped");
                })));
        Disposable subscription = client(server).call("busy", "x", String.class).subscribe(v -> { }, e -> { });
        await("the handler runs", running::get);

        subscription.dispose();
        await("the handler saw the cancel", () -> seen.get() != null);
        assertThat(seen.get()).isEqualTo("testCancel=" + RpcStatus.OK + ", interrupted=false");
    }

    @Test
    void clientDisposed_itsCallsEndWithCommFailure_andTheServerSeesThemCancelled() {
        ParleyServer server = startServer();
        ParleyClient client = client(server);
        ClientCall<String> call = client.start("hold", "x", String.class);
        AsyncCall<String> serverCall = nextHeldCall();

        client.dispose();
        assertThat(faultOf(call.reply()).status()).isEqualTo(RpcStatus.COMM_FAILURE);
        awaitCancel(serverCall);
        assertThat(serverCall.complete("nobody")).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(server.activeCalls()).isZero();
        assertThat(faultOf(client.call("echo", "x", String.class)).status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);
    }
}
