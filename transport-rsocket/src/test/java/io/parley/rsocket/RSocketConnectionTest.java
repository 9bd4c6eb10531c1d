package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.test.NettyLeakDetection;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

/** A client's RSocket connection while it is being made, and after it could not be. */
@ExtendWith(NettyLeakDetection.class)
class RSocketConnectionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private ParleyServer server;
    private ParleyClient client;

    @AfterEach
    void dispose() {
        if (client != null) {
            client.dispose();
        }
        if (server != null) {
            server.dispose();
        }
        Hooks.resetOnErrorDropped();
    }

    @Test
    void gracefulCancel_madeBeforeTheConnectionIsUp_reachesTheServer_andTheReplyStillArrives() {
        CompletableFuture<RpcStatus> seenByServer = new CompletableFuture<>();
        server = ParleyServer.builder()
                .method(ServerMethod.<String, String>async("wait", String.class, (request, call) ->
                        // Completes only once told of the cancel: a lost cancel leaves the call open.
                        call.cancelled().subscribe(null, null, () -> {
                            seenByServer.complete(call.testCancel());
                            call.complete("wound down");
                        })))
                .transport(RSocketServerTransport.tcp("127.0.0.1", 0))
                .bindNow();
        client = ParleyClient.builder()
                .transport(RSocketClientTransport.tcp("127.0.0.1", RSocketFixture.port(server)))
                .build();

        // A new client connects on its first call; the cancel is made while TCP is still connecting.
        ClientCall<String> call = client.start("wait", "x", String.class);
        RpcStatus cancelled = call.cancel(CancelMode.GRACEFUL);

        assertThat(cancelled).isEqualTo(RpcStatus.OK);
        assertThat(seenByServer).succeedsWithin(WAIT).isEqualTo(RpcStatus.OK);
        assertThat(call.completion().block(WAIT)).isEqualTo(RpcStatus.OK);
        List<String> reply = new CopyOnWriteArrayList<>();
        assertThat(call.complete(reply::add)).isEqualTo(RpcStatus.OK);
        assertThat(reply).containsExactly("wound down");
    }

    @Test
    void dispose_afterTheConnectFailed_dropsNoError() throws IOException {
        List<Throwable> dropped = new CopyOnWriteArrayList<>();
        Hooks.onErrorDropped(dropped::add);
        int port;
        // A port that was free a moment ago and has nobody listening now.
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        client = ParleyClient.builder()
                .transport(RSocketClientTransport.tcp("127.0.0.1", port))
                .build();

        Mono<String> reply = client.call("echo", "x", String.class);

        assertThat(reply.materialize().block(WAIT).getThrowable())
                .isInstanceOfSatisfying(RpcFault.class, fault -> assertThat(fault.status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE));
        client.dispose();
        assertThat(dropped).isEmpty();
    }
}
