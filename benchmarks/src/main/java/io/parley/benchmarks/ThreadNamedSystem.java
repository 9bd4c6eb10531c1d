package io.parley.benchmarks;

/**
 * A system whose server and client event-loop threads are named with prefixes of their own,
 * fresh for each instance, so that the harness finds exactly this instance's threads to pin.
 */
abstract class ThreadNamedSystem implements EchoSystem {

    /** The name prefix for the server's event-loop thread. */
    protected final String serverThreads = Loops.prefix('s');

    /** The name prefix for the client's event-loop thread. */
    protected final String clientThreads = Loops.prefix('c');

    @Override
    public final String serverThreads() {
        return serverThreads;
    }

    @Override
    public final String clientThreads() {
        return clientThreads;
    }
}
