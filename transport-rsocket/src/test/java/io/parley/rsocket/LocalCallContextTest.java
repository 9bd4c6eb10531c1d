package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.AbstractCallContextTest;
import io.parley.test.transport.TransportFixture;

/** The call's context over RSocket on the local transport. */
@ExtendWith(NettyLeakDetection.class)
class LocalCallContextTest extends AbstractCallContextTest {

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.LOCAL;
    }

    @Override
    protected boolean knowsRemoteAddress() {
        return true;
    }
}
