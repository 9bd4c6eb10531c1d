package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import io.parley.test.transport.TransportFixture;
import reactor.core.publisher.Mono;

/**
 * A client whose connection dropped connects again for its next call: the call in flight when
 * the server went away ends with RPC_S_COMM_FAILURE, a call while nothing listens with
 * RPC_S_SERVER_UNAVAILABLE, and the same client reaches a server bound again on the same port.
 */
@ExtendWith(NettyLeakDetection.class)
class ReconnectTest extends CallTestSupport {

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }

    @Test
    void serverGoneAndBack_inFlightCallEndsCommFailure_nextCallServerUnavailable_thenTheSameClientReconnects() {
        ParleyServer first = startServer();
        int port = RSocketFixture.port(first);
        ParleyClient client = client(first);
        assertThat(client.call("echo", "before", String.class).block(TIMEOUT)).isEqualTo("before");

        Mono<String> inFlight = client.call("hold", "x", String.class).cache();
        track(inFlight.subscribe(reply -> { }, error -> { }));
        nextHeldCall();
        first.dispose();

        assertThat(faultOf(inFlight).status()).as("the call in flight when the connection dropped")
                .isEqualTo(RpcStatus.COMM_FAILURE);
        assertThat(faultOf(client.call("echo", "while down", String.class)).status())
                .as("a call while nothing listens on the port is refused")
                .isEqualTo(RpcStatus.SERVER_UNAVAILABLE);

        startServer(builder -> builder.transport(RSocketServerTransport.tcp("127.0.0.1", port)));

        assertThat(client.call("echo", "after", String.class).block(TIMEOUT)).isEqualTo("after");
    }

    @Test
    void connectionRefusedTwice_clientStillConnectsOnceTheServerIsUp() {
        ParleyServer first = startServer();
        int port = RSocketFixture.port(first);
        ParleyClient client = client(first);
        first.dispose();

        assertThat(faultOf(client.call("echo", "1", String.class)).status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);
        assertThat(faultOf(client.call("echo", "2", String.class)).status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);

        startServer(builder -> builder.transport(RSocketServerTransport.tcp("127.0.0.1", port)));

        assertThat(client.call("echo", "up", String.class).block(TIMEOUT)).isEqualTo("up");
    }

    @Test
    void serverRestartedTwentyTimes_theCallRightAfterEachDrop_isRefusedUnavailable_neverCommFailure() {
        ParleyServer first = startServer();
        int port = RSocketFixture.port(first);
        ParleyClient client = client(first);
        for (int round = 0; round < 20; round++) {
            assertThat(client.call("echo", "round " + round, String.class).block(TIMEOUT)).isEqualTo("round " + round);
            Mono<String> inFlight = client.call("hold", "x", String.class).cache();
            track(inFlight.subscribe(reply -> { }, error -> { }));
            nextHeldCall();
            first.dispose();
            assertThat(faultOf(inFlight).status()).isEqualTo(RpcStatus.COMM_FAILURE);
            assertThat(faultOf(client.call("echo", "down", String.class)).status())
                    .as("round %d: the call right after the in-flight call failed", round)
                    .isEqualTo(RpcStatus.SERVER_UNAVAILABLE);
            first = startServer(builder -> builder.transport(RSocketServerTransport.tcp("127.0.0.1", port)));
        }
    }
}
