package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.transport.AbstractCallContextTest;
import io.parley.core.transport.TransportFixture;

/** The call's context over RSocket on WebSocket. */
@ExtendWith(LeakDetection.class)
class WebsocketCallContextTest extends AbstractCallContextTest {

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.WEBSOCKET;
    }

    @Override
    protected boolean knowsRemoteAddress() {
        return true;
    }
}
