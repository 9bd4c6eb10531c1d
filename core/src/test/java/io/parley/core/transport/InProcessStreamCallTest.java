package io.parley.core.transport;

/** Streams over the in-process transport. */
class InProcessStreamCallTest extends AbstractStreamCallTest {

    @Override
    protected TransportFixture fixture() {
        return InProcessFixture.INSTANCE;
    }
}
