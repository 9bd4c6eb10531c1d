package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.AbstractCancelAtStartRaceTest;
import io.parley.test.transport.TransportFixture;

/** An abortive cancel racing the start of a call, over RSocket on TCP. */
@ExtendWith(NettyLeakDetection.class)
class TcpCancelAtStartRaceTest extends AbstractCancelAtStartRaceTest {

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }
}
