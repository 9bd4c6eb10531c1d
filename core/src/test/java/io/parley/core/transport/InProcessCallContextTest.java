package io.parley.core.transport;

/** The call's context over the in-process transport. */
class InProcessCallContextTest extends AbstractCallContextTest {

    @Override
    protected TransportFixture fixture() {
        return InProcessFixture.INSTANCE;
    }

    @Override
    protected boolean knowsRemoteAddress() {
        return false;
    }
}
