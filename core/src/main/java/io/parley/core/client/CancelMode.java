package io.parley.core.client;

/**
 * How a client cancels a call: the {@code fAbort} argument of {@code RpcAsyncCancelCall}.
 */
public enum CancelMode {

    /**
     * {@code fAbort = TRUE}: the client stops waiting at once and its call ends with
     * {@code RPC_S_CALL_CANCELLED}; the server is told (on RSocket, by a CANCEL frame), its
     * {@code testCancel()} turns {@code RPC_S_OK} and a reply it sends later is dropped. Disposing
     * the subscription to a call's {@code Mono} is the same thing.
     */
    ABORTIVE,

    /**
     * {@code fAbort = FALSE}: the server is told (its {@code testCancel()} turns {@code RPC_S_OK})
     * and the client goes on waiting for the server's own complete or abort, whose outcome it
     * receives.
     */
    GRACEFUL
}
