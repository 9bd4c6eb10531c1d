package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.AbstractStreamCallTest;
import io.parley.test.transport.TransportFixture;

/** Streams over RSocket on TCP. */
@ExtendWith(NettyLeakDetection.class)
class TcpStreamCallTest extends AbstractStreamCallTest {

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }
}
