package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.transport.AbstractCancelAtStartRaceTest;
import io.parley.core.transport.TransportFixture;

/** An abortive cancel racing the start of a call, over RSocket on TCP. */
@ExtendWith(LeakDetection.class)
class TcpCancelAtStartRaceTest extends AbstractCancelAtStartRaceTest {

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }
}
