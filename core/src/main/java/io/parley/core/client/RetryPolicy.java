package io.parley.core.client;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;

/**
 * How often, and how far apart, a client sends a call again: at most {@link #maxAttempts()} attempts
 * in all, the retries waiting an exponential backoff from {@link #firstBackoff()} up to
 * {@link #maxBackoff()}, with jitter.
 *
 * <pre>{@code
 * ParleyClient.builder()
 *         .retry(RetryPolicy.of(5, Duration.ofMillis(100), Duration.ofSeconds(2)))
 *         ...
 * client.call("report", query, Report.class, CallOptions.DEFAULT.withRetry(RetryPolicy.NONE));
 * }</pre>
 *
 * <p>What may be sent again is the call model's, not the policy's: a call the transport knows never
 * left the client, whatever its method; and a call declared idempotent
 * ({@link CallOptions#withIdempotent(boolean)}) that ended with {@code RPC_S_SERVER_TOO_BUSY},
 * {@code RPC_S_SERVER_UNAVAILABLE} or {@code RPC_S_COMM_FAILURE}. A retry is made only while the
 * call's deadline leaves more time than its backoff; otherwise the last fault stands.
 *
 * <p>The backoff before the n-th retry is {@code firstBackoff * 2^(n-1)}, at most
 * {@code maxBackoff}, less a random part of up to half of it, so that clients refused together do
 * not come back together.
 *
 * <p>Instances are immutable.
 */
public final class RetryPolicy {

    /** Three attempts in all, the retries 50 ms and then 100 ms apart (less jitter), never more than 1 s. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofMillis(50), Duration.ofSeconds(1));

    /** One attempt: nothing is ever sent again. */
    public static final RetryPolicy NONE = new RetryPolicy(1, DEFAULT.firstBackoff, DEFAULT.maxBackoff);

    private final int maxAttempts;
    private final Duration firstBackoff;
    private final Duration maxBackoff;

    private RetryPolicy(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {
        this.maxAttempts = maxAttempts;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
    }

    /**
     * A policy.
     *
     * @param maxAttempts the attempts in all, the first included; 1 for no retry
     * @param firstBackoff the backoff before the first retry, positive
     * @param maxBackoff the longest backoff, at least {@code firstBackoff}
     * @return the policy
     * @throws IllegalArgumentException if a value is out of range
     */
    public static RetryPolicy of(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: >= 1)");
        }
        Objects.requireNonNull(firstBackoff, "firstBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (firstBackoff.isNegative() || firstBackoff.isZero()) {
            throw new IllegalArgumentException("firstBackoff: " + firstBackoff + " (expected: > 0)");
        }
        if (maxBackoff.compareTo(firstBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff: " + maxBackoff + " (expected: >= firstBackoff, " + firstBackoff + ")");
        }
        return new RetryPolicy(maxAttempts, firstBackoff, maxBackoff);
    }

    /**
     * The same backoff with another number of attempts.
     *
     * @param maxAttempts the attempts in all, the first included; 1 for no retry
     * @return the policy
     */
    public RetryPolicy withMaxAttempts(int maxAttempts) {
        return of(maxAttempts, firstBackoff, maxBackoff);
    }

    /** The attempts in all, the first included; 1 means no retry. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The backoff before the first retry, before jitter. */
    public Duration firstBackoff() {
        return firstBackoff;
    }

    /** The longest backoff, before jitter. */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /**
     * The wait before a retry, in nanoseconds: the exponential backoff less up to half of it.
     *
     * @param retry 1 for the first retry (the second attempt), 2 for the next, ...
     */
    long backoffNanos(int retry) {
        long max = saturatedNanos(maxBackoff);
        long nanos = Math.min(saturatedNanos(firstBackoff), max);
        for (int i = 1; i < retry && nanos < max; i++) {
            nanos = nanos > max / 2 ? max : nanos * 2;
        }
        return nanos - ThreadLocalRandom.current().nextLong(nanos / 2 + 1);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        }
        catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return this == o || (o instanceof RetryPolicy
                && maxAttempts == ((RetryPolicy) o).maxAttempts
                && firstBackoff.equals(((RetryPolicy) o).firstBackoff)
                && maxBackoff.equals(((RetryPolicy) o).maxBackoff));
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, firstBackoff, maxBackoff);
    }

    @Override
    public String toString() {
        return maxAttempts == 1 ? "RetryPolicy{none}"
                : "RetryPolicy{maxAttempts=" + maxAttempts + ", backoff=" + firstBackoff + ".." + maxBackoff + "}";
    }
}
