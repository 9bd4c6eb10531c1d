package io.parley.benchmarks;

/**
 * One of the compared systems: a server serving an echo (and, for the stream figures, a stream
 * that repeats its request), and a client of it over one loopback TCP connection, each on an
 * event loop of one thread whose name starts with {@link #serverThreads()} or
 * {@link #clientThreads()}, so that the harness can pin them.
 */
interface EchoSystem extends AutoCloseable {

    /** The name in the report. */
    String name();

    /**
     * Binds the server, connects the client and makes one call of each payload size, so that
     * every thread the system runs on exists.
     *
     * @param payloadSizes the sizes {@link #call} will be asked for
     * @throws Exception if it cannot
     */
    void start(int[] payloadSizes) throws Exception;

    /** The name prefix of the server's event-loop thread(s). */
    String serverThreads();

    /** The name prefix of the client's event-loop thread(s). */
    String clientThreads();

    /**
     * Starts one echo call of a payload of the given size, and tells {@code done} how it ended.
     * May be called from any thread, the client's event loop included.
     */
    void call(int payloadSize, Done done);

    /** Whether this system takes part in the cancel and memory figures. */
    default boolean holds() {
        return false;
    }

    /**
     * Starts a 64-byte call to the server's {@code hold} method, which reports to
     * {@link #held()} and never answers.
     *
     * @return what cancels the call, the client's abortive cancel
     */
    default Runnable hold() {
        throw new UnsupportedOperationException(name() + " holds no calls");
    }

    /** Where the server's {@code hold} handler reports. */
    default Held held() {
        throw new UnsupportedOperationException(name() + " holds no calls");
    }

    /** Whether this system takes part in the stream figures. */
    default boolean streams() {
        return false;
    }

    /**
     * Opens a server stream: the client sends a request of the given size (JSON systems: that
     * many characters of text) to the server's {@code repeat} method, whose handler sends the
     * request back as items, one after another, as long as the client asks for them. The client
     * asks for {@code batch} items, then for {@code batch - batch / 4} more each time that many
     * have arrived, as Reactor's {@code limitRate(batch)} does, and tells {@code items} of each.
     * The handler reports to {@link #streamed()} when it starts and when it learns of the cancel.
     *
     * @param payloadSize the size of the request, and of each item: one of those given to {@link #start}
     * @param batch the client's first request and the most it ever has outstanding
     * @param items told of each item as the client's subscriber takes it
     * @return what cancels the stream, the client's abortive cancel
     */
    default Runnable stream(int payloadSize, int batch, Items items) {
        throw new UnsupportedOperationException(name() + " serves no stream");
    }

    /** Where the server's {@code repeat} handler reports. */
    default Held streamed() {
        throw new UnsupportedOperationException(name() + " serves no stream");
    }

    /** Stops client and server, and their event loops. */
    @Override
    void close();
}
