package io.parley.core;

import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import reactor.util.context.ContextView;

/**
 * A point in time by which a call must be done, on this JVM's monotonic clock. A server's
 * handler runs with its call's deadline in its Reactor {@code Context}, under the key
 * {@code Deadline.class}, when the client sent a timeout; the Parley calls the handler makes
 * inherit what remains of it, so a chain of services winds down together when the first
 * caller's time is up.
 *
 * <pre>{@code
 * // a caller of its own that is not a Parley handler sets one the same way
 * client.call("report", query, Report.class)
 *       .contextWrite(Deadline.after(Duration.ofSeconds(2)).asContext());
 * }</pre>
 *
 * <p>Immutable.
 */
public final class Deadline {

    private final long nanos;

    private Deadline(long nanos) {
        this.nanos = nanos;
    }

    /**
     * The deadline this far from now.
     *
     * @param timeout how long from now; may be zero or negative for a deadline already passed
     * @return the deadline
     */
    public static Deadline after(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return new Deadline(System.nanoTime() + saturatedNanos(timeout));
    }

    /**
     * The deadline in a Reactor {@code Context}, if there is one.
     *
     * @param context the context
     * @return the deadline, or {@code null}
     */
    public static @Nullable Deadline from(ContextView context) {
        return context.getOrDefault(Deadline.class, null);
    }

    /** A Reactor {@code Context} that holds this deadline, for {@code contextWrite}. */
    public reactor.util.context.Context asContext() {
        return reactor.util.context.Context.of(Deadline.class, this);
    }

    /** How long remains; zero or negative once it has passed. */
    public Duration remaining() {
        return Duration.ofNanos(nanos - System.nanoTime());
    }

    /** Whether it has passed. */
    public boolean isExpired() {
        return nanos - System.nanoTime() <= 0;
    }

    /**
     * The earlier of this deadline and another.
     *
     * @param other the other deadline, or {@code null}
     * @return the earlier one
     */
    public Deadline earlier(@Nullable Deadline other) {
        return other == null || nanos - other.nanos <= 0 ? this : other;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        }
        catch (ArithmeticException overflow) {
            return d.isNegative() ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
        }
    }

    @Override
    public String toString() {
        return "Deadline{remaining=" + remaining() + "}";
    }
}
