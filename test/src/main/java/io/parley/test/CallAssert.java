package io.parley.test;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import org.assertj.core.api.AbstractAssert;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import reactor.core.publisher.Flux;

/**
 * Assertions on how a client's call ends. The call is subscribed once, by the first assertion that
 * needs its end, and awaited on the test's thread; a call that does not end in time fails the
 * assertion with a message saying so.
 */
public final class CallAssert extends AbstractAssert<CallAssert, Publisher<?>> {

    private Duration timeout = Await.TIMEOUT;
    private @Nullable Outcome outcome;

    CallAssert(Publisher<?> call) {
        super(Objects.requireNonNull(call, "call"), CallAssert.class);
    }

    /** What the call ended with: its values, or its error. */
    private record Outcome(List<?> values, @Nullable Throwable error) {
    }

    /**
     * Sets how long the call may take to end; {@link Await#TIMEOUT} unless set.
     *
     * @param timeout the bound
     * @return this
     */
    public CallAssert within(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    private Outcome outcome() {
        Outcome ended = outcome;
        if (ended == null) {
            List<?> values;
            try {
                values = Flux.from(actual).collectList().block(timeout);
                ended = new Outcome(values == null ? List.of() : values, null);
            }
            catch (IllegalStateException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("Timeout on blocking read")) {
                    throw failure("Expected the call to end within %s, but it had not", timeout);
                }
                ended = new Outcome(List.of(), e);
            }
            catch (RuntimeException e) {
                ended = new Outcome(List.of(), e);
            }
            outcome = ended;
        }
        return ended;
    }

    /**
     * Verifies that the call ended with {@code status}: {@link RpcStatus#OK} for a call that
     * completed, else an {@link RpcFault} with that status.
     *
     * @param status the expected status
     * @return this
     */
    public CallAssert endsWith(RpcStatus status) {
        Objects.requireNonNull(status, "status");
        RpcStatus actualStatus = statusOf(outcome());
        if (!actualStatus.equals(status)) {
            throw failureWithActualExpected(actualStatus, status, "Expected the call to end with %s, but it ended with %s%s",
                    status, actualStatus, detail(outcome()));
        }
        return this;
    }

    /**
     * Verifies that the call was aborted with exactly this fault code, as the server's
     * {@code abort(code)} gave it.
     *
     * @param faultCode the expected code
     * @return this
     */
    public CallAssert endsWithFaultCode(int faultCode) {
        Throwable error = outcome().error();
        if (!(error instanceof RpcFault fault) || fault.faultCode() != faultCode) {
            throw failure("Expected the call to end with fault code %d (0x%08X), but it ended with %s%s",
                    faultCode, faultCode, statusOf(outcome()), detail(outcome()));
        }
        return this;
    }

    /**
     * Verifies that the call completed with exactly these values: a unary call's reply, or a
     * stream's items in order.
     *
     * @param expected the values
     * @return this
     */
    public CallAssert repliesWith(Object... expected) {
        endsWith(RpcStatus.OK);
        List<?> values = outcome().values();
        if (!values.equals(List.of(expected))) {
            throw failureWithActualExpected(values, List.of(expected), "Expected the call to reply with %s, but it replied with %s",
                    List.of(expected), values);
        }
        return this;
    }

    private static RpcStatus statusOf(Outcome outcome) {
        Throwable error = outcome.error();
        if (error == null) {
            return RpcStatus.OK;
        }
        return error instanceof RpcFault fault ? fault.status() : RpcStatus.CALL_FAILED;
    }

    private static String detail(Outcome outcome) {
        Throwable error = outcome.error();
        if (error == null) {
            return " (values: " + outcome.values() + ")";
        }
        return " (" + error + ")";
    }
}
