package io.parley.test;

import org.jspecify.annotations.Nullable;

import io.parley.core.CancelReason;
import io.parley.core.RpcStatus;

/**
 * How a call ended on the server, as {@link ParleyExtension} recorded it.
 *
 * @param method the method called
 * @param id the client's call id
 * @param status the call's final status on the server: {@code RPC_S_OK}, the handler's fault
 *        code, or {@code RPC_S_CALL_CANCELLED} / {@code RPC_S_COMM_FAILURE} for a call its client
 *        abandoned before its handler ended it
 * @param cancelReason why {@code testCancel()} turned {@code RPC_S_OK} on the server, or
 *        {@code null} if it never did
 */
public record ServedCall(String method, long id, RpcStatus status, @Nullable CancelReason cancelReason) {

    /**
     * Whether the server saw a cancel (abortive, graceful, the deadline or a lost connection)
     * before the call ended.
     *
     * @return whether {@code testCancel()} turned {@code RPC_S_OK}
     */
    public boolean sawCancel() {
        return cancelReason != null;
    }
}
