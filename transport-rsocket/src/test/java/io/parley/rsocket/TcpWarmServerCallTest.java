package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.AbstractServerCallTest;
import io.parley.test.transport.TransportFixture;

/** The server side of the seeds over RSocket on TCP, with clients that have made a call before. */
@ExtendWith(NettyLeakDetection.class)
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
