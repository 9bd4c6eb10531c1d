package io.parley.benchmarks;

/**
 * How the client side of a server stream reports to whatever reads it: each item as its
 * subscriber (gRPC: its observer) takes it, and an end, which a stream of the benchmark never
 * has until the client cancels it. Called by one thread at a time, as a subscriber is.
 */
interface Items {

    /** An item reached the client's subscriber. */
    void item();

    /**
     * The stream failed before the client cancelled it.
     *
     * @param error why
     */
    void failed(Throwable error);

    /** The stream completed before the client cancelled it: the server's repeat never ends, so this is a fault. */
    default void completed() {
        failed(new IllegalStateException("the stream completed, though its server repeats until cancelled"));
    }
}
