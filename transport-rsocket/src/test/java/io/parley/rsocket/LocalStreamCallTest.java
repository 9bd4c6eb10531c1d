package io.parley.rsocket;

import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.transport.AbstractStreamCallTest;
import io.parley.core.transport.TransportFixture;

/** Streams over RSocket's local transport. */
@ExtendWith(LeakDetection.class)
class LocalStreamCallTest extends AbstractStreamCallTest {

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.LOCAL;
    }
}
