package io.parley.test.transport;

/** The client side of the seeds over the in-process transport, with clients that have made a call before. */
class InProcessWarmClientCallTest extends AbstractClientCallTest {

    @Override
    protected TransportFixture fixture() {
        return TransportFixture.inProcess();
    }

    @Override
    protected boolean warmClient() {
        return true;
    }
}
