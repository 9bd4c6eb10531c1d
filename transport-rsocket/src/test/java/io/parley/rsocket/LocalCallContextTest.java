package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.transport.AbstractCallContextTest;
import io.parley.core.transport.TransportFixture;

/** The call's context over RSocket on the local transport. */
@ExtendWith(LeakDetection.class)
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
