package io.parley.core.server;

import java.util.Locale;

import io.parley.core.CancelReason;

/**
 * What cancels cost a server, call by call: how long a handler goes on after its client cancelled
 * (abortively, gracefully, by its deadline, or by losing its connection), and what it produced
 * that nobody read. A handler that honours {@code testCancel()} or {@code cancelled()} ends its
 * call soon after the cancel; one that ignores it runs to its natural end, or until the server's
 * cancel grace ({@link ParleyServer.Builder#cancelGrace}) runs out and the server ends the call.
 *
 * <p>Set one with {@link ParleyServer.Builder#cancelCosts}; the Spring Boot starter records them as
 * Micrometer meters. Called on the thread that ends the call; must be quick and must not throw.
 */
public interface CancelCostListener {

    /** Who ended a call after its client had cancelled it. */
    enum Ending {

        /** The handler itself: it completed or aborted the call, or its publisher ended. */
        HANDLER,

        /**
         * Parley, as the cancel arrived: a reactive handler's subscription is cancelled when its
         * client abandons the call, which stops the work that honours Reactor's cancel.
         */
        CANCEL_SIGNAL,

        /** The server, because the handler had not ended the call when the cancel grace ran out. */
        SERVER;

        /** The name used as a metric tag: lower case, {@code cancel_signal} for {@link #CANCEL_SIGNAL}. */
        public String tagValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A call whose client had cancelled it has ended.
     *
     * @param call the call
     * @param reason the first cause of the cancel
     * @param nanosAfterCancel the time from the cancel reaching the server to the end, in nanoseconds
     * @param ending who ended it
     */
    void ended(ServerCallInfo call, CancelReason reason, long nanosAfterCancel, Ending ending);

    /**
     * The handler produced a reply or a stream item after its client had abandoned the call; it
     * was dropped, not sent.
     *
     * @param call the call
     */
    default void dropped(ServerCallInfo call) {
    }
}
