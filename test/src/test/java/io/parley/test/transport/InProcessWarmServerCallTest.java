package io.parley.test.transport;

/** The server side of the seeds over the in-process transport, with clients that have made a call before. */
class InProcessWarmServerCallTest extends AbstractServerCallTest {

    @Override
    protected TransportFixture fixture() {
        return TransportFixture.inProcess();
    }

    @Override
    protected boolean warmClient() {
        return true;
    }
}
