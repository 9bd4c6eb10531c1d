package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.AbstractClientCallTest;
import io.parley.test.transport.TransportFixture;

/** The client side of the seeds over RSocket on TCP. */
@ExtendWith(NettyLeakDetection.class)
class TcpClientCallTest extends AbstractClientCallTest {

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }
}
