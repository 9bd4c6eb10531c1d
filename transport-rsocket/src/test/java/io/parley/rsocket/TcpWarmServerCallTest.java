package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.transport.AbstractServerCallTest;
import io.parley.core.transport.TransportFixture;

/** The server side of the seeds over RSocket on TCP, with clients that have made a call before. */
@ExtendWith(LeakDetection.class)
class TcpWarmServerCallTest extends AbstractServerCallTest {

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }

    @Override
    protected boolean warmClient() {
        return true;
    }
}
