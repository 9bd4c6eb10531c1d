package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.transport.AbstractServerCallTest;
import io.parley.core.transport.TransportFixture;

/** The server side of the seeds over RSocket on a WebSocket route of an HTTP server. */
@ExtendWith(LeakDetection.class)
class WebsocketRouteServerCallTest extends AbstractServerCallTest {

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.WEBSOCKET_ROUTE;
    }
}
