package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.transport.AbstractClientCallTest;
import io.parley.core.transport.TransportFixture;

/** The client side of the seeds over RSocket's local transport. */
@ExtendWith(LeakDetection.class)
class LocalClientCallTest extends AbstractClientCallTest {

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.LOCAL;
    }
}
