package io.parley.core.client;

import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Per-call options: the two-stage timeout that MS-RPC leaves to the application ("cancel
 * gracefully first, abortively later").
 *
 * <pre>{@code
 * // ask the server to wind down after 2 s; stop waiting after 5 s
 * client.call("report", query, Report.class, CallOptions.timeout(Duration.ofSeconds(2), Duration.ofSeconds(5)));
 * }</pre>
 *
 * <p>At the graceful bound the client cancels {@linkplain CancelMode#GRACEFUL gracefully} and
 * goes on waiting; at the abortive bound it cancels {@linkplain CancelMode#ABORTIVE abortively}
 * and the call ends with {@code RPC_S_TIMEOUT}. Both are measured from the moment the call is
 * made. The first bound travels to the server as the call's timeout, so its {@code testCancel()}
 * turns {@code RPC_S_OK} when it passes even if the graceful notice is late.
 *
 * <p>Instances are immutable.
 */
public final class CallOptions {

    /** No timeout: the call waits as long as it takes. */
    public static final CallOptions DEFAULT = new CallOptions(null, null);

    private final @Nullable Duration graceful;
    private final @Nullable Duration abortive;

    private CallOptions(@Nullable Duration graceful, @Nullable Duration abortive) {
        this.graceful = graceful;
        this.abortive = abortive;
    }

    /**
     * A single abortive bound: the call ends with {@code RPC_S_TIMEOUT} when it passes.
     *
     * @param abortive the bound, positive
     * @return the options
     */
    public static CallOptions timeout(Duration abortive) {
        return new CallOptions(null, positive(abortive, "abortive"));
    }

    /**
     * A graceful bound, then an abortive one.
     *
     * @param graceful when to cancel gracefully, positive
     * @param abortive when to cancel abortively, after {@code graceful}
     * @return the options
     * @throws IllegalArgumentException if a bound is not positive or {@code abortive} is not after {@code graceful}
     */
    public static CallOptions timeout(Duration graceful, Duration abortive) {
        positive(graceful, "graceful");
        positive(abortive, "abortive");
        if (abortive.compareTo(graceful) <= 0) {
            throw new IllegalArgumentException(
                    "abortive: " + abortive + " (expected: > graceful, " + graceful + ")");
        }
        return new CallOptions(graceful, abortive);
    }

    /**
     * A graceful bound only: the client cancels gracefully when it passes and then waits for the
     * server's own outcome however long it takes.
     *
     * @param graceful when to cancel gracefully, positive
     * @return the options
     */
    public static CallOptions gracefulTimeout(Duration graceful) {
        return new CallOptions(positive(graceful, "graceful"), null);
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
        return d;
    }

    /** When the client cancels gracefully, or {@code null}. */
    public @Nullable Duration gracefulTimeout() {
        return graceful;
    }

    /** When the client cancels abortively, or {@code null}. */
    public @Nullable Duration abortiveTimeout() {
        return abortive;
    }

    /** The timeout sent to the server: the first bound, or {@code null} for none. */
    public @Nullable Duration serverTimeout() {
        return graceful != null ? graceful : abortive;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return this == o || (o instanceof CallOptions
                && Objects.equals(graceful, ((CallOptions) o).graceful)
                && Objects.equals(abortive, ((CallOptions) o).abortive));
    }

    @Override
    public int hashCode() {
        return Objects.hash(graceful, abortive);
    }

    @Override
    public String toString() {
        return "CallOptions{graceful=" + graceful + ", abortive=" + abortive + "}";
    }
}
