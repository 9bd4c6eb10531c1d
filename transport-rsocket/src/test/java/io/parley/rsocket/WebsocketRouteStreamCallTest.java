package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.transport.AbstractStreamCallTest;
import io.parley.core.transport.TransportFixture;

/** Streams over RSocket on a WebSocket route of an HTTP server. */
@ExtendWith(LeakDetection.class)
class WebsocketRouteStreamCallTest extends AbstractStreamCallTest {

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.WEBSOCKET_ROUTE;
    }
}
