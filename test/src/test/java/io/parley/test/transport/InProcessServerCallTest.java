package io.parley.test.transport;

/** The server side of the seeds over the in-process transport. */
class InProcessServerCallTest extends AbstractServerCallTest {

    @Override
    protected TransportFixture fixture() {
        return TransportFixture.inProcess();
    }
}
