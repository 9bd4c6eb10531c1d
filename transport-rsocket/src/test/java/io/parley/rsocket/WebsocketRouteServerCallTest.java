package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.AbstractServerCallTest;
import io.parley.test.transport.TransportFixture;

/** The server side of the seeds over RSocket on a WebSocket route of an HTTP server. */
@ExtendWith(NettyLeakDetection.class)
class WebsocketRouteServerCallTest extends AbstractServerCallTest {

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.WEBSOCKET_ROUTE;
    }
}
