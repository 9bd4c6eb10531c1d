package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.AbstractClientCallTest;
import io.parley.test.transport.TransportFixture;

/** The client side of the seeds over RSocket on the local transport, with clients that have made a call before. */
@ExtendWith(NettyLeakDetection.class)
class LocalWarmClientCallTest extends AbstractClientCallTest {

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.LOCAL;
    }

    @Override
    protected boolean warmClient() {
        return true;
    }
}
