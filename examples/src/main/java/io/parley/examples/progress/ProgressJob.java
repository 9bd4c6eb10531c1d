package io.parley.examples.progress;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import io.parley.core.RpcStatus;
import io.parley.core.server.ServerMethod;
import io.parley.core.server.ServerStream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * A long job served as a server stream in the MS-RPC style, as {@code AsyncFunc} is a unary call:
 * the handler is given the {@link ServerStream}, works step by step, asks {@code testCancel()}
 * before each step, sends a progress item after it, and ends the stream with a summary item
 * through {@code complete(summary)}.
 *
 * <pre>{@code
 * ProgressJob job = new ProgressJob();
 * ParleyServer server = ParleyServer.builder()
 *         .method(job.method())
 *         .transport(RSocketServerTransport.tcp("127.0.0.1", 7000))
 *         .bindNow();
 *
 * ClientStream<Progress> stream = client.startStream("progress", new Job(100, 50), Progress.class);
 * stream.items().subscribe(System.out::println);
 * stream.cancel(CancelMode.GRACEFUL);           // the job stops; its summary still arrives
 * }</pre>
 *
 * <p>Progress is news, not data: a report the client has no demand for is skipped, not held, so
 * a slow client slows no job and a job never runs into the stream's buffer. The summary is always
 * sent; beyond the client's demand, it waits until the client asks for it.
 *
 * <p>A graceful cancel turns {@code testCancel()} to {@code RPC_S_OK} and leaves the stream open:
 * the job stops and completes with a {@link Progress.Phase#CANCELLED} summary, which the client
 * receives before its stream ends with {@code RPC_S_OK}. After an abortive cancel the same summary
 * is dropped: {@code complete} returns {@code RPC_S_CALL_CANCELLED}.
 *
 * <p>Thread-safe: one instance serves any number of concurrent calls.
 */
public final class ProgressJob {

    /** The method name clients call. */
    public static final String NAME = "progress";

    private final Sinks.Many<Outcome> outcomes = Sinks.many().replay().limit(64);

    /**
     * How one call ended, as its handler saw it.
     *
     * @param callId the call
     * @param job what it asked for; {@code null} if the client sent no job
     * @param stepsDone the steps done
     * @param reported how many progress items were sent (the summary not counted)
     * @param testCancel what {@code testCancel()} said last: {@code RPC_S_OK} once the client had
     *        cancelled, either way
     * @param ended what ending the stream returned: {@code RPC_S_OK} when the summary went out,
     *        {@code RPC_S_CALL_CANCELLED} when the client had cancelled abortively
     */
    public record Outcome(long callId, @Nullable Job job, int stepsDone, int reported, RpcStatus testCancel, RpcStatus ended) {
    }

    /**
     * The method to serve: {@value #NAME}, taking a {@link Job} and streaming {@link Progress}
     * items. It is marked blocking because the handler sleeps through each step.
     *
     * @return the server method
     */
    public ServerMethod<Job, Progress> method() {
        return ServerMethod.<Job, Progress>stream(NAME, Job.class, this::handle).blocking();
    }

    /**
     * How the calls served ended: the last 64, then each as its handler returns.
     *
     * @return the outcomes
     */
    public Flux<Outcome> outcomes() {
        return outcomes.asFlux();
    }

    /**
     * Serves one call; blocks for the job's steps, so it must run where blocking is allowed, as
     * {@link #method()} arranges.
     *
     * @param job the job; {@code null} if the client sent none
     * @param stream the stream to report on and end
     */
    public void handle(@Nullable Job job, ServerStream<Progress> stream) {
        if (job == null || job.steps() < 1 || job.stepMillis() < 0) {
            // The seed's RpcAsyncAbortCall: the client receives the code, and no item.
            RpcStatus cancel = stream.testCancel();
            record(new Outcome(stream.id(), job, 0, 0, cancel, stream.abort(RpcStatus.INVALID_ARG.value())));
            return;
        }
        int done = 0;
        int reported = 0;
        try {
            while (done < job.steps() && stream.testCancel() != RpcStatus.OK) {
                Thread.sleep(job.stepMillis());
                done++;
                if (stream.demand() > 0
                        && stream.next(new Progress(stream.id(), done, job.steps(), Progress.Phase.RUNNING)) == RpcStatus.OK) {
                    reported++;
                }
            }
        }
        catch (InterruptedException e) {
            // Only a scheduler shutting down interrupts its workers: the server is going away.
            Thread.currentThread().interrupt();
            RpcStatus cancel = stream.testCancel();
            record(new Outcome(stream.id(), job, done, reported, cancel, stream.abort(RpcStatus.SERVER_UNAVAILABLE.value())));
            return;
        }
        // Asked before the end: on an ended call, testCancel() answers RPC_S_INVALID_BINDING.
        RpcStatus cancel = stream.testCancel();
        Progress.Phase phase = done < job.steps() ? Progress.Phase.CANCELLED : Progress.Phase.COMPLETED;
        RpcStatus ended = stream.complete(new Progress(stream.id(), done, job.steps(), phase));
        record(new Outcome(stream.id(), job, done, reported, cancel, ended));
    }

    private void record(Outcome outcome) {
        outcomes.emitNext(outcome, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
    }
}
