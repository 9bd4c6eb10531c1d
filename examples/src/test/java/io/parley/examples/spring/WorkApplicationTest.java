package io.parley.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import reactor.core.Disposable;
import reactor.netty.http.client.HttpClient;
import reactor.test.StepVerifier;

/**
 * End to end, over real HTTP and RSocket on loopback: an HTTP request aborted by its client
 * becomes an RSocket CANCEL, and the Parley service's {@code testCancel()} returns
 * {@code RPC_S_OK}, so it stops its work.
 */
@SpringBootTest(classes = WorkApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "parley.server.port=0", "parley.server.address=127.0.0.1" })
class WorkApplicationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @LocalServerPort
    int port;

    @Autowired
    WorkJournal journal;

    private HttpClient http() {
        return HttpClient.create().baseUrl("http://127.0.0.1:" + this.port);
    }

    @Test
    void requestThatRunsToTheEnd_getsTheResult() {
        StepVerifier.create(http().get().uri("/work?steps=3&stepMillis=10").responseContent().aggregate().asString())
            .assertNext((body) -> assertThat(body).contains("\"steps\":3"))
            .expectComplete()
            .verify(TIMEOUT);
    }

    @Test
    void httpClientThatGoesAway_cancelsTheParleyCall_andTheServiceSeesTestCancelOk() {
        int asked = 99_999;
        Disposable request = http().get().uri("/work?steps=" + asked + "&stepMillis=10").responseContent().aggregate()
            .asString()
            .subscribe();
        WorkJournal.Entry begun = this.journal.entries()
            .filter((entry) -> entry.event().equals("started") && entry.stepsAsked() == asked)
            .next()
            .block(TIMEOUT);
        assertThat(begun).isNotNull();

        request.dispose();

        StepVerifier.create(this.journal.entries()
                .filter((entry) -> entry.callId() == begun.callId() && !entry.event().equals("started"))
                .next())
            .assertNext((entry) -> {
                assertThat(entry.event()).isEqualTo("cancelled");
                assertThat(entry.stepsDone()).isLessThan(asked);
            })
            .expectComplete()
            .verify(TIMEOUT);
    }
}
