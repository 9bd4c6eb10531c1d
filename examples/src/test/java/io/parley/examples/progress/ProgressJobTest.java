package io.parley.examples.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientStream;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.rsocket.RSocketClientTransport;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * The progress stream over RSocket TCP on loopback: the seed's cancels on a server stream. A
 * graceful cancel stops the job and the client still receives its summary, ending
 * {@code RPC_S_OK}; an abortive one ends the client at once with {@code RPC_S_CALL_CANCELLED},
 * and the job's {@code testCancel()} sees it.
 */
class ProgressJobTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** A job that would outlast any test: it ends only because its client cancels it. */
    private static final Job ENDLESS = new Job(1_000_000, 10);

    private final ProgressJob job = new ProgressJob();
    private ParleyServer server;
    private ParleyClient client;

    @BeforeEach
    void start() {
        server = ProgressDemo.start("127.0.0.1", 0, job);
        client = ParleyClient.builder()
                .transport(RSocketClientTransport.tcp("127.0.0.1", ProgressDemo.port(server)))
                .build();
    }

    @AfterEach
    void dispose() {
        client.dispose();
        server.dispose();
    }

    private ProgressJob.Outcome outcomeOf(long callId) {
        return job.outcomes().filter(outcome -> outcome.callId() == callId).next().block(TIMEOUT);
    }

    /** Starts an endless job and waits for two progress items; returns the handle and what it received. */
    private record Started(ClientStream<Progress> stream, Queue<Progress> items) {
    }

    private Started startEndlessJob() {
        ClientStream<Progress> stream = client.startStream(ProgressJob.NAME, ENDLESS, Progress.class);
        Queue<Progress> items = new ConcurrentLinkedQueue<>();
        Sinks.Empty<Void> twoItems = Sinks.empty();
        stream.items().subscribe(item -> {
            items.add(item);
            if (items.size() == 2) {
                twoItems.tryEmitEmpty();
            }
        }, error -> { });
        twoItems.asMono().block(TIMEOUT);
        return new Started(stream, items);
    }

    @Test
    void jobRunToTheEnd_sendsAReportPerStep_thenTheSummary_andCompletes() {
        StepVerifier.create(client.stream(ProgressJob.NAME, new Job(3, 1), Progress.class))
                .assertNext(p -> assertThat(p).returns(1, Progress::step).returns(Progress.Phase.RUNNING, Progress::phase))
                .assertNext(p -> assertThat(p).returns(2, Progress::step).returns(Progress.Phase.RUNNING, Progress::phase))
                .assertNext(p -> assertThat(p).returns(3, Progress::step).returns(Progress.Phase.RUNNING, Progress::phase))
                .assertNext(p -> assertThat(p).returns(3, Progress::step).returns(Progress.Phase.COMPLETED, Progress::phase))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void gracefulCancel_turnsTestCancelOk_andTheClientStillReceivesTheSummary_withStatusOk() {
        Started started = startEndlessJob();

        assertThat(started.stream().cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);

        assertThat(started.stream().completion().block(TIMEOUT)).isEqualTo(RpcStatus.OK);
        assertThat(started.stream().status()).isEqualTo(RpcStatus.OK);
        assertThat(started.stream().complete()).isEqualTo(RpcStatus.OK);
        assertThat(started.items()).last().satisfies(summary -> {
            assertThat(summary.phase()).isEqualTo(Progress.Phase.CANCELLED);
            assertThat(summary.step()).isGreaterThanOrEqualTo(2).isLessThan(ENDLESS.steps());
        });
        assertThat(started.items()).filteredOn(Progress::isSummary).hasSize(1);
        ProgressJob.Outcome served = outcomeOf(started.items().peek().callId());
        assertThat(served.testCancel()).isEqualTo(RpcStatus.OK);
        assertThat(served.ended()).isEqualTo(RpcStatus.OK);
        assertThat(served.stepsDone()).isEqualTo(started.items().stream().reduce((a, b) -> b).orElseThrow().step());
    }

    @Test
    void abortiveCancel_endsTheClientWithCallCancelled_andTheServersTestCancelSawIt() {
        Started started = startEndlessJob();

        assertThat(started.stream().cancel(CancelMode.ABORTIVE)).isEqualTo(RpcStatus.OK);

        assertThat(started.stream().status()).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(started.stream().completion().block(TIMEOUT)).isEqualTo(RpcStatus.CALL_CANCELLED);
        ProgressJob.Outcome served = outcomeOf(started.items().peek().callId());
        assertThat(served.testCancel()).isEqualTo(RpcStatus.OK);
        assertThat(served.ended()).as("complete(summary) after an abortive cancel").isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(started.items()).noneMatch(Progress::isSummary);
    }

    @Test
    void disposingTheFlux_isTheAbortiveCancel() {
        Queue<Progress> items = new ConcurrentLinkedQueue<>();

        StepVerifier.create(client.stream(ProgressJob.NAME, ENDLESS, Progress.class).doOnNext(items::add))
                .expectNextCount(2)
                .thenCancel()
                .verify(TIMEOUT);

        ProgressJob.Outcome served = outcomeOf(items.peek().callId());
        assertThat(served.testCancel()).isEqualTo(RpcStatus.OK);
        assertThat(served.ended()).isEqualTo(RpcStatus.CALL_CANCELLED);
    }

    @Test
    void clientThatAsksForOneItem_getsTheFirstReport_thenTheSummaryWhenItAsksAgain_andTheJobSkipsTheRest() throws InterruptedException {
        BlockingQueue<Progress> items = new LinkedBlockingQueue<>();
        Sinks.Empty<Void> ended = Sinks.empty();
        BaseSubscriber<Progress> oneAtATime = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                subscription.request(1);
            }

            @Override
            protected void hookOnNext(Progress item) {
                items.add(item);
            }

            @Override
            protected void hookOnComplete() {
                ended.tryEmitEmpty();
            }

            @Override
            protected void hookOnError(Throwable error) {
                ended.tryEmitError(error);
            }
        };
        client.stream(ProgressJob.NAME, new Job(5, 1), Progress.class).subscribe(oneAtATime);

        Progress first = items.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(first).isNotNull()
                .returns(1, Progress::step)
                .returns(Progress.Phase.RUNNING, Progress::phase);
        // The client asks again only once the job has ended, so the reports of steps 2 to 4 met no demand.
        ProgressJob.Outcome served = outcomeOf(first.callId());
        assertThat(served.stepsDone()).isEqualTo(5);
        assertThat(served.reported()).isEqualTo(1);
        assertThat(served.ended()).as("the summary is held beyond the demand, not refused").isEqualTo(RpcStatus.OK);

        oneAtATime.request(1);

        assertThat(items.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull()
                .returns(5, Progress::step)
                .returns(Progress.Phase.COMPLETED, Progress::phase);
        ended.asMono().block(TIMEOUT);
        assertThat(items).isEmpty();
    }

    @Test
    void jobWithNoSteps_isAbortedWithInvalidArg_andNoItem() {
        StepVerifier.create(client.stream(ProgressJob.NAME, new Job(0, 1), Progress.class))
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.INVALID_ARG))
                .verify(TIMEOUT);
    }

    @Test
    void demo_overTcp_allThreeScenariosEndAsExpected() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        boolean asExpected = ProgressDemo.run(new ProgressJob(), out);

        String output = bytes.toString(StandardCharsets.UTF_8);
        assertThat(asExpected).as(output).isTrue();
        assertThat(output)
                .contains("client: item step 5 of 5, COMPLETED")
                .contains("client: cancel(graceful) -> RPC_S_OK (0)")
                .containsPattern("client: item step \\d+ of 100, CANCELLED")
                .contains("client: status() -> RPC_S_CALL_CANCELLED (1818)")
                .contains("complete(summary) -> RPC_S_CALL_CANCELLED (1818)")
                .doesNotContain("UNEXPECTED");
    }
}
