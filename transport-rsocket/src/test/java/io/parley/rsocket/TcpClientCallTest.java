package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.transport.AbstractClientCallTest;
import io.parley.core.transport.TransportFixture;

/** The client side of the seeds over RSocket on TCP. */
@ExtendWith(LeakDetection.class)
class TcpClientCallTest extends AbstractClientCallTest {

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }
}
