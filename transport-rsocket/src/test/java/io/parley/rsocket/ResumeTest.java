package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.CancelReason;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.core.server.ServerStream;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import io.parley.test.transport.TransportFixture;
import reactor.core.publisher.Mono;

/**
 * RSocket's session resumption between one client and one server, through a TCP proxy whose
 * connections are cut: calls and a stream in flight go on over the next connection when it comes
 * within the window, and end as the connection's loss on both sides when it does not.
 */
@ExtendWith(NettyLeakDetection.class)
class ResumeTest extends CallTestSupport {

    private static final Duration LONG_WINDOW = Duration.ofSeconds(30);
    private static final Duration SHORT_WINDOW = Duration.ofSeconds(1);

    /** The streams that reached "feed", for the test to send items on. */
    private final Queue<ServerStream<Integer>> streams = new ConcurrentLinkedQueue<>();
    private FreezableProxy proxy;

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }

    @AfterEach
    void closeProxy() {
        if (proxy != null) {
            proxy.dispose();
        }
    }

    @Test
    void aCutConnection_resumedWithinTheWindow_callsAndAStreamInFlightEndOk_andNoHandlerSawACancel() {
        ParleyClient client = resumingClient(LONG_WINDOW, LONG_WINDOW);
        assertThat(client.call("echo", "warm", String.class).block(TIMEOUT)).isEqualTo("warm");
        ClientCall<String> first = client.start("hold", "first", String.class);
        ClientCall<String> second = client.start("hold", "second", String.class);
        AsyncCall<String> firstOnServer = nextHeldCall();
        AsyncCall<String> secondOnServer = nextHeldCall();
        Queue<Integer> items = new ConcurrentLinkedQueue<>();
        Mono<List<Integer>> stream = client.stream("feed", 4, Integer.class).doOnNext(items::add).collectList().cache();
        track(stream.subscribe(list -> { }, error -> { }));
        ServerStream<Integer> feed = next(streams, "the stream reaching the server");
        feed.next(1);
        feed.next(2);
        await("the first items", () -> items.size() == 2);

        proxy.refuse(true);
        proxy.cut();
        // While the connection is down: what the server sends is kept for the client.
        assertThat(firstOnServer.complete("first, while down")).isEqualTo(RpcStatus.OK);
        assertThat(feed.next(3)).isEqualTo(RpcStatus.OK);
        proxy.refuse(false);
        await("the client connects again", () -> proxy.acceptedConnections() == 2);
        assertThat(secondOnServer.complete("second, after")).isEqualTo(RpcStatus.OK);
        feed.next(4);
        feed.complete();

        assertThat(first.reply().block(TIMEOUT)).isEqualTo("first, while down");
        assertThat(first.completion().block(TIMEOUT)).isEqualTo(RpcStatus.OK);
        assertThat(second.reply().block(TIMEOUT)).isEqualTo("second, after");
        assertThat(second.completion().block(TIMEOUT)).isEqualTo(RpcStatus.OK);
        assertThat(stream.block(TIMEOUT)).containsExactly(1, 2, 3, 4);
        assertThat(firstOnServer.cancelReason()).isNull();
        assertThat(secondOnServer.cancelReason()).isNull();
        assertThat(feed.cancelReason()).isNull();
        assertThat(client.call("echo", "same session", String.class).block(TIMEOUT)).isEqualTo("same session");
        assertThat(proxy.acceptedConnections()).isEqualTo(2);
    }

    @Test
    void aCutConnection_notResumedWithinTheWindow_callsEndCommFailure_andTheServerSeesTheConnectionLost() {
        ParleyClient client = resumingClient(SHORT_WINDOW, SHORT_WINDOW);
        assertThat(client.call("echo", "warm", String.class).block(TIMEOUT)).isEqualTo("warm");
        ClientCall<String> unary = client.start("hold", "unary", String.class);
        AsyncCall<String> unaryOnServer = nextHeldCall();
        Mono<List<Integer>> stream = client.stream("feed", 4, Integer.class).collectList().cache();
        track(stream.subscribe(list -> { }, error -> { }));
        ServerStream<Integer> feed = next(streams, "the stream reaching the server");

        proxy.refuse(true);
        proxy.cut();

        assertThat(unary.completion().block(TIMEOUT)).isEqualTo(RpcStatus.COMM_FAILURE);
        assertThat(faultOf(stream).status()).isEqualTo(RpcStatus.COMM_FAILURE);
        awaitCancel(unaryOnServer);
        awaitCancel(feed);
        assertThat(unaryOnServer.cancelReason()).isEqualTo(CancelReason.CONNECTION_LOST);
        assertThat(feed.cancelReason()).isEqualTo(CancelReason.CONNECTION_LOST);

        proxy.refuse(false);
        assertThat(client.call("echo", "a new session", String.class).block(TIMEOUT)).isEqualTo("a new session");
    }

    @Test
    void aClientWithoutResumption_isServedByAResumingServer_andItsCallsEndAtTheFirstDrop() {
        ParleyServer server = startServer(builder -> builder.transport(RSocketServerTransport.tcp("127.0.0.1", 0).resume(LONG_WINDOW)));
        proxy = new FreezableProxy(RSocketFixture.port(server));
        ParleyClient client = ParleyClient.builder().transport(RSocketClientTransport.tcp("127.0.0.1", proxy.port())).build();
        track(client);
        ClientCall<String> call = client.start("hold", "x", String.class);
        AsyncCall<String> onServer = nextHeldCall();

        proxy.cut();

        assertThat(call.completion().block(TIMEOUT)).isEqualTo(RpcStatus.COMM_FAILURE);
        awaitCancel(onServer);
        assertThat(onServer.cancelReason()).isEqualTo(CancelReason.CONNECTION_LOST);
    }

    @Test
    void aResumingClient_refusedAtSetup_hearsTheServersFault_andTheServerClosesTheConnection() {
        ParleyServer server = startServer(builder -> builder.transport(
                RSocketServerTransport.tcp("127.0.0.1", 0).resume(LONG_WINDOW).leases(Duration.ofSeconds(10))));
        // A client that asks to resume its session but does not honour leases: the server refuses it at SETUP.
        ParleyClient client = ParleyClient.builder()
                .transport(RSocketClientTransport.tcp("127.0.0.1", RSocketFixture.port(server)).resume(LONG_WINDOW))
                .build();
        track(client);

        RpcFault fault = faultOf(client.call("echo", "x", String.class));

        assertThat(fault.status()).isEqualTo(RpcStatus.PROTOCOL_ERROR);
        assertThat(fault.detail()).contains("leases");
        assertThat(server.activeCalls()).isZero();
    }

    @Test
    void resume_onABalancedTransport_isRefused() {
        RSocketClientTransport one = RSocketClientTransport.tcp("127.0.0.1", 7000);

        assertThatThrownBy(() -> RSocketClientTransport.roundRobin(one).resume(LONG_WINDOW))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("balancer");
        assertThatThrownBy(() -> RSocketClientTransport.weighted(reactor.core.publisher.Flux.just(List.of(one))).resume(LONG_WINDOW))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("balancer");
        assertThatThrownBy(() -> RSocketClientTransport.roundRobin(one.resume(LONG_WINDOW)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("resumes sessions");
    }

    @Override
    protected List<ServerMethod<?, ?>> methods() {
        List<ServerMethod<?, ?>> methods = super.methods();
        methods.add(ServerMethod.stream("feed", Integer.class, (Integer request, ServerStream<Integer> stream) -> streams.add(stream)));
        return methods;
    }

    /** A server resuming sessions for {@code serverWindow}, and a client resuming for {@code clientWindow} through the proxy. */
    private ParleyClient resumingClient(Duration serverWindow, Duration clientWindow) {
        ParleyServer server = startServer(builder -> builder.transport(RSocketServerTransport.tcp("127.0.0.1", 0).resume(serverWindow)));
        proxy = new FreezableProxy(RSocketFixture.port(server));
        ParleyClient client = ParleyClient.builder()
                .transport(RSocketClientTransport.tcp("127.0.0.1", proxy.port()).resume(clientWindow))
                .build();
        track(client);
        return client;
    }
}
