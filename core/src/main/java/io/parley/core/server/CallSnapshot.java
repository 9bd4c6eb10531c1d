package io.parley.core.server;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import io.parley.core.CallShape;
import io.parley.core.CancelReason;

/**
 * One call in flight on a server, as {@link ParleyServer#calls()} saw it: what an operator needs
 * to find a call that runs too long, and the id to {@linkplain ParleyServer#abort abort} it with.
 *
 * @param id the server's id of the call, for {@link ParleyServer#abort(long, int)}; unique within the server
 * @param method the method's name
 * @param shape the call's shape
 * @param callId the id its client gave it, unique within its connection; {@code -1} for none
 * @param remoteAddress where the call came from, as the transport reports it; {@code null} if unknown
 * @param principal the name of who made the call, once its credentials are accepted; {@code null} otherwise
 * @param age how long since the call arrived
 * @param state the seed's name for the call's server state: {@code D} (dispatched, its handler
 *        runs), {@code Comp} or {@code A} (completing, aborting), or {@code queued} while it
 *        waits for a place under the server's limit ({@link ParleyServer.Builder#maxCallsInFlight})
 * @param clientGone whether its client will read nothing more (an abortive cancel, a lost
 *        connection): a handler still running then works for nobody
 * @param cancelReason why the call was cancelled; {@code null} if it was not
 * @param deadlineRemaining how long until its deadline, negative once passed; {@code null} without one
 * @param itemsSent the replies handed to the transport so far: a stream's items
 */
public record CallSnapshot(long id, String method, CallShape shape, long callId, @Nullable String remoteAddress,
        @Nullable String principal, Duration age, String state, boolean clientGone, @Nullable CancelReason cancelReason,
        @Nullable Duration deadlineRemaining, long itemsSent) {

    /** Whether the call's client cancelled it (or its deadline passed): its {@code testCancel()} answers OK. */
    public boolean cancelRequested() {
        return cancelReason != null;
    }
}
