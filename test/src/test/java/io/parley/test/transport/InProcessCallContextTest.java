package io.parley.test.transport;

/** The call's context over the in-process transport. */
class InProcessCallContextTest extends AbstractCallContextTest {

    @Override
    protected TransportFixture fixture() {
        return TransportFixture.inProcess();
    }

    @Override
    protected boolean knowsRemoteAddress() {
        return false;
    }
}
