package io.parley.examples.asyncfunc;

import java.io.PrintStream;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.parley.core.RpcStatus;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ServerMethod;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The {@code AsyncFunc} manager routine of the MS-RPC documentation ("Sending the Asynchronous
 * Reply") served by Parley: it sleeps for the requested number of milliseconds, asks every few
 * steps whether the client has cancelled, and then completes the call with the reply {@code 1}.
 *
 * <pre>{@code
 * AsyncFunc asyncFunc = new AsyncFunc();
 * ParleyServer server = ParleyServer.builder()
 *         .method(asyncFunc.method())
 *         .transport(RSocketServerTransport.tcp("127.0.0.1", 7000))
 *         .bindNow();
 * }</pre>
 *
 * <p>It prints what the original prints, where the original prints it: progress and the cancel
 * notice to one stream ({@code stderr} by default), the rest to another ({@code stdout}).
 *
 * <p>Thread-safe: one instance serves any number of concurrent calls.
 */
public final class AsyncFunc {

    /** The method name clients call. */
    public static final String NAME = "AsyncFunc";

    /** The delay used when the client asks for a negative one, in milliseconds. */
    public static final long DEFAULT_ASYNC_DELAY = 20;

    /** Calls longer than this, in milliseconds, are sliced and poll for a cancel. */
    public static final long ASYNC_CANCEL_CHECK = 100;

    /** The reply of every call that completes. */
    public static final int REPLY = 1;

    private final PrintStream progress;
    private final PrintStream out;
    private final Sinks.Many<RpcStatus> completions = Sinks.many().multicast().directBestEffort();

    /** An {@code AsyncFunc} that prints progress to {@code System.err} and the rest to {@code System.out}. */
    public AsyncFunc() {
        this(System.err, System.out);
    }

    /**
     * An {@code AsyncFunc} that prints to the given streams.
     *
     * @param progress receives the progress line and the cancel notice
     * @param out receives the rest
     */
    public AsyncFunc(PrintStream progress, PrintStream out) {
        this.progress = Objects.requireNonNull(progress, "progress");
        this.out = Objects.requireNonNull(out, "out");
    }

    /**
     * The method to serve: {@value #NAME}, taking the delay in milliseconds as a {@code Long} and
     * replying with an {@code Integer}. It is marked blocking because the handler sleeps.
     *
     * @return the server method
     */
    public ServerMethod<Long, Integer> method() {
        return ServerMethod.<Long, Integer>async(NAME, Long.class, this::handle).blocking();
    }

    /**
     * For each call served, the status that ending it returned, emitted as the handler returns:
     * what {@code complete} returned ({@code RPC_S_OK}, or {@code RPC_S_CALL_CANCELLED} after an
     * abortive cancel), what {@code abort} returned when the call could not be completed, or
     * {@code RPC_S_CALL_FAILED} when the handler failed. Only subscribers present at that moment
     * see it, so subscribe before making the call.
     *
     * @return the statuses, hot
     */
    public Flux<RpcStatus> completions() {
        return completions.asFlux();
    }

    /**
     * Serves one call; blocks for about the requested delay, so it must run where blocking is
     * allowed, as {@link #method()} arranges.
     *
     * @param requestedDelay the delay in milliseconds; {@code null} or negative for the default
     * @param call the call to complete
     */
    public void handle(@Nullable Long requestedDelay, AsyncCall<Integer> call) {
        RpcStatus ended;
        try {
            ended = run(requestedDelay == null ? -1 : requestedDelay, call);
        }
        catch (InterruptedException e) {
            // Only a scheduler shutting down interrupts its workers: the server is going away.
            Thread.currentThread().interrupt();
            ended = call.abort(RpcStatus.SERVER_UNAVAILABLE.value());
            out.printf("%nAsyncFunc interrupted; RpcAsyncAbortCall returned %s%n", hex(ended));
        }
        catch (RuntimeException e) {
            // Parley ends a call whose handler throws with RPC_S_CALL_FAILED.
            emit(RpcStatus.CALL_FAILED);
            throw e;
        }
        emit(ended);
    }

    private RpcStatus run(long requestedDelay, AsyncCall<Integer> call) throws InterruptedException {
        long delay = requestedDelay;
        // The original's delay is unsigned, so its "< 0" branch is dead code there; here a Long
        // can be negative, and the branch runs as written: the default, without the 100 ms floor.
        if (delay < 0) {
            delay = DEFAULT_ASYNC_DELAY;
        }
        else if (delay < 100) {
            delay = 100;
        }

        // testCancel() is only worth polling when the call runs longer than ASYNC_CANCEL_CHECK.
        if (delay > ASYNC_CANCEL_CHECK) {
            long step = delay / 100;
            for (int i = 0; i < 100; i++) {
                Thread.sleep(step);

                if (i % 5 == 0) {
                    progress.printf("\rRunning AsyncFunc (%d ms) (%d%%) ... ", delay, i + 5);
                    progress.flush();

                    RpcStatus status = call.testCancel();
                    if (status == RpcStatus.OK) {
                        progress.printf("%nAsyncFunc has been canceled!!!%n");
                        progress.flush();
                        break;
                    }
                    else if (status != RpcStatus.CALL_IN_PROGRESS) {
                        // The original's message names RpcAsyncInitializeHandle, but the status
                        // comes from RpcServerTestCancel; the message names the real source.
                        out.printf("RpcServerTestCancel returned %s%n", hex(status));
                        // The original exits the process with this status. A server must not take
                        // the JVM and every other call down with one call, so only this call ends,
                        // aborted with the status that stopped it.
                        RpcStatus aborted = call.abort(status.value());
                        out.printf("RpcAsyncAbortCall returned %s%n", hex(aborted));
                        out.flush();
                        return aborted;
                    }
                }
            }
        }
        else {
            Thread.sleep(delay);
        }

        out.printf("%nCalling RpcAsyncCompleteCall%n");
        RpcStatus status = call.complete(REPLY);
        // The original exits the process on a nonzero status; CALL_CANCELLED after an abortive
        // cancel is a normal outcome for a server, so it is reported and the server goes on.
        out.printf("RpcAsyncCompleteCall returned %s%n", hex(status));
        out.flush();
        return status;
    }

    private void emit(RpcStatus status) {
        // Handlers of concurrent calls end on different threads; a sink takes one emitter at a time.
        synchronized (completions) {
            completions.tryEmitNext(status);
        }
    }

    /** As the original prints a status, {@code 0x71a}, followed by its name. */
    static String hex(RpcStatus status) {
        return String.format("0x%x (%s)", status.value(), status.name());
    }
}
