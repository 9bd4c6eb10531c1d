package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.AbstractCallContextTest;
import io.parley.test.transport.TransportFixture;

/** The call's context over RSocket on TCP. */
@ExtendWith(NettyLeakDetection.class)
class TcpCallContextTest extends AbstractCallContextTest {

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }

    @Override
    protected boolean knowsRemoteAddress() {
        return true;
    }
}
