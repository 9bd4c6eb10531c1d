package io.parley.test;

import java.util.Objects;

import org.assertj.core.api.AbstractAssert;

import io.parley.core.CancelReason;
import io.parley.core.RpcStatus;

/** Assertions on how a call ended on the server. */
public final class ServedCallAssert extends AbstractAssert<ServedCallAssert, ServedCall> {

    ServedCallAssert(ServedCall call) {
        super(Objects.requireNonNull(call, "call"), ServedCallAssert.class);
    }

    /**
     * Verifies the call's final status on the server.
     *
     * @param status the expected status
     * @return this
     */
    public ServedCallAssert endedWith(RpcStatus status) {
        if (!actual.status().equals(status)) {
            throw failureWithActualExpected(actual.status(), status, "Expected %s to end with %s on the server, but it ended with %s",
                    actual.method(), status, actual.status());
        }
        return this;
    }

    /**
     * Verifies that the server saw a cancel, for whatever reason, before the call ended.
     *
     * @return this
     */
    public ServedCallAssert sawCancel() {
        if (!actual.sawCancel()) {
            throw failure("Expected the server to see %s cancelled, but testCancel() never turned RPC_S_OK (ended %s)",
                    actual.method(), actual.status());
        }
        return this;
    }

    /**
     * Verifies that the server saw a cancel first for the given reason.
     *
     * @param reason the expected reason
     * @return this
     */
    public ServedCallAssert sawCancel(CancelReason reason) {
        if (actual.cancelReason() != reason) {
            throw failureWithActualExpected(actual.cancelReason(), reason, "Expected the server to see %s cancelled (%s), but it saw %s",
                    actual.method(), reason, actual.cancelReason() == null ? "no cancel" : actual.cancelReason());
        }
        return this;
    }

    /**
     * Verifies that the server saw no cancel.
     *
     * @return this
     */
    public ServedCallAssert sawNoCancel() {
        if (actual.sawCancel()) {
            throw failure("Expected the server to see no cancel of %s, but it saw one (%s)", actual.method(), actual.cancelReason());
        }
        return this;
    }
}
