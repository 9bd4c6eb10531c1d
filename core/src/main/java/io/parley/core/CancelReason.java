package io.parley.core;

/**
 * Why a server's call was cancelled, as far as the server can tell: its
 * {@code testCancel()} answers {@code RPC_S_OK} for each of these. The first cause is the one
 * kept; one that comes later (an abortive cancel after a graceful one) does not replace it.
 */
public enum CancelReason {

    /** The client cancelled abortively: over RSocket, a CANCEL frame. The client reads no reply. */
    ABORTIVE,

    /** The client cancelled gracefully: the call goes on to the server's own complete or abort. */
    GRACEFUL,

    /** The timeout the client sent with the call passed (its deadline). */
    DEADLINE,

    /** The connection the call came on ended. The client reads no reply. */
    CONNECTION_LOST;

    /** The name used as a metric tag: lower case, {@code connection_lost} for {@link #CONNECTION_LOST}. */
    public String tagValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
