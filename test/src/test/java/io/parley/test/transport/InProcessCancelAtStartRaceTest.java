package io.parley.test.transport;

/** An abortive cancel racing the start of a call, over the in-process transport. */
class InProcessCancelAtStartRaceTest extends AbstractCancelAtStartRaceTest {

    @Override
    protected TransportFixture fixture() {
        return TransportFixture.inProcess();
    }
}
