package io.parley.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;

import io.parley.core.RpcStatus;
import io.parley.examples.progress.Progress;
import io.parley.examples.progress.ProgressJob;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * End to end, over real HTTP and RSocket on loopback: {@code GET /progress} streams a Parley
 * server stream as server-sent events, and an HTTP client that goes away mid-stream cancels the
 * Parley call, whose handler sees {@code testCancel()} turn {@code RPC_S_OK}.
 */
@SpringBootTest(classes = WorkApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "parley.server.port=0", "parley.server.address=127.0.0.1" })
class ProgressEventsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private static final ParameterizedTypeReference<ServerSentEvent<Progress>> EVENT = new ParameterizedTypeReference<>() {
    };

    @LocalServerPort
    int port;

    @Autowired
    ProgressJob job;

    private Flux<ServerSentEvent<Progress>> get(String uri) {
        return WebTestClient.bindToServer()
            .baseUrl("http://127.0.0.1:" + this.port)
            .responseTimeout(TIMEOUT)
            .build()
            .get()
            .uri(uri)
            .accept(MediaType.TEXT_EVENT_STREAM)
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
            .returnResult(EVENT)
            .getResponseBody();
    }

    @Test
    void jobRunToTheEnd_isProgressEvents_thenOneSummaryEvent() {
        StepVerifier.create(get("/progress?steps=3&stepMillis=1"))
            // The first demand goes out with the request, so the first step is always reported;
            // the others only if the HTTP response has asked for them by then.
            .assertNext((event) -> {
                assertThat(event.event()).isEqualTo("progress");
                assertThat(event.id()).isEqualTo("1");
                assertThat(event.data()).returns(Progress.Phase.RUNNING, Progress::phase);
            })
            .thenConsumeWhile((event) -> "progress".equals(event.event()))
            .assertNext((event) -> {
                assertThat(event.event()).isEqualTo("summary");
                assertThat(event.id()).isEqualTo("3");
                assertThat(event.data()).returns(Progress.Phase.COMPLETED, Progress::phase);
            })
            .expectComplete()
            .verify(TIMEOUT);
    }

    @Test
    void httpClientThatGoesAway_cancelsTheParleyStream_andTheHandlerSeesTestCancelOk() {
        int asked = 1_000_000;
        Queue<Progress> received = new ConcurrentLinkedQueue<>();

        StepVerifier.create(get("/progress?steps=" + asked + "&stepMillis=10").map(ServerSentEvent::data))
            .recordWith(() -> received)
            .expectNextCount(3)
            .thenCancel()
            .verify(TIMEOUT);

        long callId = received.element().callId();
        StepVerifier.create(this.job.outcomes().filter((outcome) -> outcome.callId() == callId).next())
            .assertNext((outcome) -> {
                assertThat(outcome.testCancel()).isEqualTo(RpcStatus.OK);
                assertThat(outcome.ended()).as("complete(summary) after the cancel").isEqualTo(RpcStatus.CALL_CANCELLED);
                assertThat(outcome.stepsDone()).isLessThan(asked);
            })
            .expectComplete()
            .verify(TIMEOUT);
        assertThat(received).noneMatch(Progress::isSummary);
    }
}
