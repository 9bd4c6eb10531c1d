package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import io.parley.test.transport.TransportFixture;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;

/**
 * {@code runOn(LoopResources)}: the server handles its calls, and the client receives its
 * replies, on the event loops they were given, over TCP and WebSocket.
 */
@ExtendWith(NettyLeakDetection.class)
class RunOnTest extends CallTestSupport {

    private final LoopResources serverLoops = LoopResources.create("run-on-server", 1, true);
    private final LoopResources clientLoops = LoopResources.create("run-on-client", 1, true);

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }

    @AfterEach
    void disposeLoops() {
        serverLoops.disposeLater(Duration.ZERO, TIMEOUT).block(TIMEOUT);
        clientLoops.disposeLater(Duration.ZERO, TIMEOUT).block(TIMEOUT);
    }

    @Test
    void tcp_serverAndClientOnTheirOwnLoops_handleAndReceiveOnThem() {
        assertCallsRunOnTheGivenLoops(RSocketServerTransport.tcp("127.0.0.1", 0).runOn(serverLoops), false);
    }

    @Test
    void websocket_serverAndClientOnTheirOwnLoops_handleAndReceiveOnThem() {
        assertCallsRunOnTheGivenLoops(RSocketServerTransport.websocket("127.0.0.1", 0).runOn(serverLoops), true);
    }

    private void assertCallsRunOnTheGivenLoops(RSocketServerTransport serverTransport, boolean websocket) {
        AtomicReference<String> handlerThread = new AtomicReference<>();
        ParleyServer server = startServer(b -> b
                .method(ServerMethod.mono("where", String.class, request -> {
                    handlerThread.set(Thread.currentThread().getName());
                    return Mono.just(request);
                }))
                .transport(serverTransport));
        int port = RSocketFixture.port(server);
        RSocketClientTransport clientTransport = websocket
                ? RSocketClientTransport.websocket("127.0.0.1", port)
                : RSocketClientTransport.tcp("127.0.0.1", port);
        ParleyClient client = client(server, b -> b.transport(clientTransport.runOn(clientLoops)));

        String replyThread = client.call("where", "here", String.class)
                .map(reply -> Thread.currentThread().getName())
                .block(TIMEOUT);

        assertThat(handlerThread.get()).startsWith("run-on-server");
        assertThat(replyThread).startsWith("run-on-client");
    }

    @Test
    void runOn_localOrBalancedTransport_isRefused() {
        assertThatThrownBy(() -> RSocketServerTransport.local("x").runOn(serverLoops))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("runOn");
        assertThatThrownBy(() -> RSocketClientTransport.local("x").runOn(clientLoops))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> RSocketClientTransport.roundRobin(RSocketClientTransport.tcp("127.0.0.1", 1)).runOn(clientLoops))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> RSocketServerTransport.tcp("127.0.0.1", 0).runOn(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("loopResources");
    }
}
