package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.transport.AbstractStreamCallTest;
import io.parley.core.transport.TransportFixture;

/** Streams over RSocket on TCP. */
@ExtendWith(LeakDetection.class)
class TcpStreamCallTest extends AbstractStreamCallTest {

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }
}
