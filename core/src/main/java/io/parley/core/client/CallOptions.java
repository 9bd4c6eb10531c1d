package io.parley.core.client;

import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.parley.core.CallMetadata;
import io.parley.core.Credentials;

/**
 * Per-call options: the two-stage timeout that MS-RPC leaves to the application ("cancel
 * gracefully first, abortively later"), the call's metadata and its own credentials, whether the
 * method is safe to repeat, and how the call is retried.
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
 * <p>A call made by a Parley handler, or by any code whose Reactor {@code Context} holds a
 * {@link io.parley.core.Deadline}, inherits what remains of it: the earlier of the call's own
 * graceful bound and that deadline is the graceful bound it sends. A call made once the deadline
 * has passed ends at once with {@code RPC_S_TIMEOUT}, without being sent.
 *
 * <pre>{@code
 * CallOptions.timeout(Duration.ofSeconds(5))
 *         .withMetadata(CallMetadata.of("tenant", "acme"))
 *         .withCredentials(Credentials.bearer(token));
 * }</pre>
 *
 * <p>A call is sent again, within its deadline and its {@link RetryPolicy}, when the transport
 * knows it never left the client; a call {@linkplain #withIdempotent(boolean) declared idempotent}
 * also after {@code RPC_S_SERVER_TOO_BUSY}, {@code RPC_S_SERVER_UNAVAILABLE} or
 * {@code RPC_S_COMM_FAILURE}. Nothing else is ever sent twice.
 *
 * <pre>{@code
 * CallOptions.timeout(Duration.ofSeconds(5)).withIdempotent(true);         // a read: retried when refused
 * CallOptions.DEFAULT.withRetry(RetryPolicy.NONE);                          // never sent again
 * }</pre>
 *
 * <p>Instances are immutable.
 */
public final class CallOptions {

    /** No timeout, not idempotent, the client's retry policy: the call waits as long as it takes. */
    public static final CallOptions DEFAULT = new CallOptions(null, null, CallMetadata.EMPTY, null, false, null);

    private final @Nullable Duration graceful;
    private final @Nullable Duration abortive;
    private final CallMetadata metadata;
    private final @Nullable Credentials credentials;
    private final boolean idempotent;
    private final @Nullable RetryPolicy retry;

    private CallOptions(@Nullable Duration graceful, @Nullable Duration abortive, CallMetadata metadata,
            @Nullable Credentials credentials, boolean idempotent, @Nullable RetryPolicy retry) {
        this.graceful = graceful;
        this.abortive = abortive;
        this.metadata = metadata;
        this.credentials = credentials;
        this.idempotent = idempotent;
        this.retry = retry;
    }

    private CallOptions(@Nullable Duration graceful, @Nullable Duration abortive) {
        this(graceful, abortive, CallMetadata.EMPTY, null, false, null);
    }

    /**
     * The same options with metadata entries added after the options' own.
     *
     * @param metadata the entries
     * @return the options
     */
    public CallOptions withMetadata(CallMetadata metadata) {
        Objects.requireNonNull(metadata, "metadata");
        return new CallOptions(graceful, abortive, this.metadata.with(metadata), credentials, idempotent, retry);
    }

    /**
     * The same options with the call's own credentials, which win over the connection's.
     *
     * @param credentials the credentials
     * @return the options
     */
    public CallOptions withCredentials(Credentials credentials) {
        Objects.requireNonNull(credentials, "credentials");
        return new CallOptions(graceful, abortive, metadata, credentials, idempotent, retry);
    }

    /**
     * The same options for a method that is, or is not, safe to repeat: one whose second run has
     * no effect the first did not have (a read, a put of a whole value). An idempotent call is
     * also sent again after {@code RPC_S_SERVER_TOO_BUSY}, {@code RPC_S_SERVER_UNAVAILABLE} or
     * {@code RPC_S_COMM_FAILURE}, as its {@link RetryPolicy} allows; a unary call so, and a server
     * stream before its first item reached the caller. Client streams, channels and one-way calls
     * are only sent again when they never left the client.
     *
     * @param idempotent whether the method is safe to repeat
     * @return the options
     */
    public CallOptions withIdempotent(boolean idempotent) {
        return idempotent == this.idempotent ? this : new CallOptions(graceful, abortive, metadata, credentials, idempotent, retry);
    }

    /**
     * The same options with a retry policy of the call's own, in place of the client's
     * ({@code ParleyClient.Builder.retry}); {@link RetryPolicy#NONE} sends the call once only.
     *
     * @param retry the policy
     * @return the options
     */
    public CallOptions withRetry(RetryPolicy retry) {
        Objects.requireNonNull(retry, "retry");
        return new CallOptions(graceful, abortive, metadata, credentials, idempotent, retry);
    }

    /** Whether the method is declared safe to repeat. */
    public boolean isIdempotent() {
        return idempotent;
    }

    /** The call's own retry policy, or {@code null} for the client's. */
    public @Nullable RetryPolicy retryPolicy() {
        return retry;
    }

    /** The metadata the call sends. */
    public CallMetadata metadata() {
        return metadata;
    }

    /** The call's own credentials, or {@code null} for the connection's. */
    public @Nullable Credentials credentials() {
        return credentials;
    }

    /**
     * The same options bound by a deadline inherited from the caller's context: the earlier of
     * the options' graceful bound and what remains of the deadline becomes the graceful bound,
     * unless an abortive bound comes first.
     *
     * @param remaining what remains of the deadline; positive
     * @return the options
     */
    CallOptions within(Duration remaining) {
        if ((abortive != null && abortive.compareTo(remaining) <= 0) || (graceful != null && graceful.compareTo(remaining) <= 0)) {
            return this;
        }
        return new CallOptions(remaining, abortive, metadata, credentials, idempotent, retry);
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
                && Objects.equals(abortive, ((CallOptions) o).abortive)
                && metadata.equals(((CallOptions) o).metadata)
                && Objects.equals(credentials, ((CallOptions) o).credentials)
                && idempotent == ((CallOptions) o).idempotent
                && Objects.equals(retry, ((CallOptions) o).retry));
    }

    @Override
    public int hashCode() {
        return Objects.hash(graceful, abortive, metadata, credentials, idempotent, retry);
    }

    @Override
    public String toString() {
        return "CallOptions{graceful=" + graceful + ", abortive=" + abortive
                + (metadata.isEmpty() ? "" : ", " + metadata) + (credentials == null ? "" : ", " + credentials)
                + (idempotent ? ", idempotent" : "") + (retry == null ? "" : ", " + retry) + "}";
    }
}
