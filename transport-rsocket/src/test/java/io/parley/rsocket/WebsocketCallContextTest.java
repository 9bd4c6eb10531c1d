package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.AbstractCallContextTest;
import io.parley.test.transport.TransportFixture;

/** The call's context over RSocket on WebSocket. */
@ExtendWith(NettyLeakDetection.class)
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
