package io.parley.core;

/**
 * Watches calls start and end: the hook for metrics and tracing. A server and a client each take
 * one ({@code ParleyServer.builder().observer(...)}, {@code ParleyClient.builder().observer(...)});
 * Parley's Spring Boot starter plugs Micrometer's Observation API in here.
 *
 * <p>For every call, {@link #start} is called once, and {@link Scope#end} once on what it
 * returns, with the call's final status:
 * <ul>
 *   <li>on a server: {@code RPC_S_OK} for a completed call, the fault code of an aborted or failed
 *       one, {@code RPC_S_CALL_CANCELLED} when the client cancelled abortively before the call
 *       ended, {@code RPC_S_COMM_FAILURE} when its connection closed before the call ended (what
 *       the client receives then); a call refused before its handler ran (unknown method,
 *       undecodable request, a limit) starts and ends at once with the refusal's status;</li>
 *   <li>on a client: {@code RPC_S_OK}, the fault the call ended with (the server's code unchanged,
 *       {@code RPC_S_TIMEOUT}, {@code RPC_S_COMM_FAILURE}, ...), or {@code RPC_S_CALL_CANCELLED}
 *       when the caller cancelled.</li>
 * </ul>
 *
 * <p>Both run on whatever thread starts or ends the call, an event loop included: they must be
 * quick and must not block.
 */
@FunctionalInterface
public interface CallObserver {

    /** The method name observed for a call to a method the server does not serve. */
    String UNKNOWN_METHOD = "UNKNOWN";

    /** Observes nothing. */
    CallObserver NONE = method -> Scope.NONE;

    /**
     * A call starts.
     *
     * @param method the method called; {@link #UNKNOWN_METHOD} on a server for a method it does
     *        not serve, so that a client cannot create names without bound
     * @return what to tell when the call ends
     */
    Scope start(String method);

    /** One observed call. */
    @FunctionalInterface
    interface Scope {

        /** A scope that does nothing. */
        Scope NONE = status -> { };

        /**
         * The call ended. Called once.
         *
         * @param status the call's final status
         */
        void end(RpcStatus status);
    }
}
