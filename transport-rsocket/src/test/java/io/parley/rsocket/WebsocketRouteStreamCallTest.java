package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.AbstractStreamCallTest;
import io.parley.test.transport.TransportFixture;

/** Streams over RSocket on a WebSocket route of an HTTP server. */
@ExtendWith(NettyLeakDetection.class)
class WebsocketRouteStreamCallTest extends AbstractStreamCallTest {

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.WEBSOCKET_ROUTE;
    }
}
