package io.parley.test.transport;

/** Streams over the in-process transport. */
class InProcessStreamCallTest extends AbstractStreamCallTest {

    @Override
    protected TransportFixture fixture() {
        return TransportFixture.inProcess();
    }
}
