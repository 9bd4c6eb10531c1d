package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.parley.core.RpcStatus;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import reactor.core.Disposable;

/**
 * A graceful cancel issued before the client's RSocket is connected — on a fresh client the
 * request waits for TCP and SETUP — must still reach the server, after the request it cancels.
 * RSocketConnection used to drop it: it looked for the call's RSocket, found none yet, and
 * forgot the notice.
 */
@ExtendWith(NettyLeakDetection.class)
class GracefulCancelBeforeConnectTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Queue<AsyncCall<String>> held = new ConcurrentLinkedQueue<>();
    private final List<Disposable> resources = new ArrayList<>();

    @AfterEach
    void dispose() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).dispose();
        }
    }

    @ParameterizedTest
    @EnumSource(RSocketFixture.class)
    void clientCall_cancelledGracefullyBeforeTheConnectionIsUp_serverStillSeesTheCancel(RSocketFixture fixture) {
        ParleyClient client = clientOf(fixture);

        ClientCall<String> call = client.start("hold", "x", String.class);
        assertThat(call.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);

        AsyncCall<String> serverCall = nextHeldCall();
        serverCall.cancelled().block(TIMEOUT);
        assertThat(serverCall.testCancel()).isEqualTo(RpcStatus.OK);
        assertThat(serverCall.complete("wound down")).isEqualTo(RpcStatus.OK);
        assertThat(call.reply().block(TIMEOUT)).isEqualTo("wound down");
    }

    private ParleyClient clientOf(RSocketFixture fixture) {
        ParleyServer server = ParleyServer.builder()
                .method(ServerMethod.async("hold", String.class, (String request, AsyncCall<String> call) -> held.add(call)))
                .transport(fixture.serverTransport())
                .bindNow();
        resources.add(server);
        ParleyClient client = ParleyClient.builder().transport(fixture.clientTransport(server)).build();
        resources.add(client);
        return client;
    }

    private AsyncCall<String> nextHeldCall() {
        return CallTestSupport.next(held, "a call reaching the server");
    }
}
