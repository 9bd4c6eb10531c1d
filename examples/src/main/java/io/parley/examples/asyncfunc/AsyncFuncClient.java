package io.parley.examples.asyncfunc;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;

import io.parley.core.RpcStatus;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ParleyClient;
import reactor.core.publisher.Mono;

/**
 * Calls {@link AsyncFunc} in the MS-RPC style, through a {@link ClientCall} handle, and prints
 * every status the handle returns by name and number: the call's status while it is pending,
 * what a cancel returned, and the outcome collected with {@code complete}.
 *
 * <pre>{@code
 * AsyncFuncClient asyncFunc = new AsyncFuncClient(client);
 * asyncFunc.call(500);                                                       // RPC_S_OK (0), reply 1
 * asyncFunc.callAndCancel(3000, Duration.ofMillis(300), CancelMode.ABORTIVE); // RPC_S_CALL_CANCELLED (1818)
 * }</pre>
 *
 * <p>Its methods block the calling thread until the outcome is known, as a {@code main} method
 * may; every wait is bounded, so a call that never ends is cancelled abortively, never waited on
 * forever.
 */
public final class AsyncFuncClient {

    /** The longest delay this client asks for, in milliseconds: one hour. */
    public static final long MAX_DELAY = Duration.ofHours(1).toMillis();

    /** How long past the call's own delay the client waits before it gives up. */
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final ParleyClient client;
    private final PrintStream out;

    /**
     * A client that prints to {@code System.out}.
     *
     * @param client the client connected to a server serving {@link AsyncFunc}
     */
    public AsyncFuncClient(ParleyClient client) {
        this(client, System.out);
    }

    /**
     * A client that prints to the given stream.
     *
     * @param client the client connected to a server serving {@link AsyncFunc}
     * @param out receives what the client reports
     */
    public AsyncFuncClient(ParleyClient client, PrintStream out) {
        this.client = Objects.requireNonNull(client, "client");
        this.out = Objects.requireNonNull(out, "out");
    }

    /**
     * Calls {@code AsyncFunc} and waits for its outcome.
     *
     * @param delayMillis how long the server sleeps, in milliseconds; negative for its default
     * @return the outcome
     * @throws IllegalArgumentException if {@code delayMillis} is above {@link #MAX_DELAY}
     */
    public Result call(long delayMillis) {
        return call(delayMillis, null, CancelMode.ABORTIVE);
    }

    /**
     * Calls {@code AsyncFunc}, cancels it if its outcome has not arrived after
     * {@code cancelAfter}, and waits for its outcome.
     *
     * @param delayMillis how long the server sleeps, in milliseconds; negative for its default
     * @param cancelAfter how long to wait before cancelling, positive
     * @param mode how to cancel: {@link CancelMode#ABORTIVE} ends the call at once with
     *        {@code RPC_S_CALL_CANCELLED}; {@link CancelMode#GRACEFUL} asks the server to wind
     *        down and waits for its reply
     * @return the outcome
     * @throws IllegalArgumentException if {@code delayMillis} is above {@link #MAX_DELAY} or
     *         {@code cancelAfter} is not positive
     */
    public Result callAndCancel(long delayMillis, Duration cancelAfter, CancelMode mode) {
        Objects.requireNonNull(cancelAfter, "cancelAfter");
        Objects.requireNonNull(mode, "mode");
        if (cancelAfter.isNegative() || cancelAfter.isZero()) {
            throw new IllegalArgumentException("cancelAfter: " + cancelAfter + " (expected: > 0)");
        }
        return call(delayMillis, cancelAfter, mode);
    }

    private Result call(long delayMillis, @Nullable Duration cancelAfter, CancelMode mode) {
        if (delayMillis > MAX_DELAY) {
            throw new IllegalArgumentException("delayMillis: " + delayMillis + " (expected: <= " + MAX_DELAY + ")");
        }
        out.printf("client: calling %s(%d ms)%n", AsyncFunc.NAME, delayMillis);
        ClientCall<Integer> call = client.start(AsyncFunc.NAME, delayMillis, Integer.class);
        report("status()", call.status(), "");

        @Nullable RpcStatus cancelled = null;
        if (cancelAfter != null && !awaitOutcome(call, cancelAfter)) {
            cancelled = call.cancel(mode);
            report("cancel(" + mode.name().toLowerCase(Locale.ROOT) + ")", cancelled, "");
            report("status()", call.status(), "");
        }

        Duration patience = Duration.ofMillis(Math.max(delayMillis, AsyncFunc.ASYNC_CANCEL_CHECK)).plus(PATIENCE);
        if (!awaitOutcome(call, patience)) {
            // MS-RPC leaves time bounds to the application: this one gives up abortively.
            out.printf("client: no outcome within %d ms; cancel(abortive) -> %s%n",
                    patience.toMillis(), call.cancel(CancelMode.ABORTIVE));
        }

        AtomicReference<@Nullable Integer> reply = new AtomicReference<>();
        RpcStatus status = call.complete(reply::set);
        Integer value = reply.get();
        report("complete()", status, value != null ? ", reply " + value : "");
        return new Result(status, value, cancelled);
    }

    private void report(String operation, RpcStatus status, String detail) {
        out.printf("client: %-16s -> %s%s%n", operation, status, detail);
        out.flush();
    }

    /** Waits, at most {@code bound}, for the call's outcome to arrive; true if it has. */
    private static boolean awaitOutcome(ClientCall<?> call, Duration bound) {
        return call.completion().timeout(bound, Mono.empty()).blockOptional().isPresent();
    }

    /**
     * What a call came to.
     *
     * @param status what {@code complete} returned: {@code RPC_S_OK}, {@code RPC_S_CALL_CANCELLED}
     *        or the fault code
     * @param reply the reply when {@code status} is {@code RPC_S_OK}, else {@code null}
     * @param cancel what {@code cancel} returned, or {@code null} if the client did not cancel
     */
    public record Result(RpcStatus status, @Nullable Integer reply, @Nullable RpcStatus cancel) {

        /** Checks the components. */
        public Result {
            Objects.requireNonNull(status, "status");
        }
    }
}
