package io.parley.test.transport;

/** The client side of the seeds over the in-process transport. */
class InProcessClientCallTest extends AbstractClientCallTest {

    @Override
    protected TransportFixture fixture() {
        return TransportFixture.inProcess();
    }
}
