package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.transport.AbstractCallContextTest;
import io.parley.core.transport.TransportFixture;

/** The call's context over RSocket on TCP. */
@ExtendWith(LeakDetection.class)
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
