package io.parley.examples.spring;

import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.parley.core.client.ParleyClient;
import io.parley.examples.progress.Job;
import io.parley.examples.progress.Progress;
import io.parley.examples.progress.ProgressJob;
import reactor.core.publisher.Flux;

/**
 * {@code GET /progress?steps=50&stepMillis=100} as server-sent events ({@code text/event-stream}):
 * each item of the Parley stream {@value ProgressJob#NAME} becomes an event named
 * {@code progress}, and the job's summary, the last, one named {@code summary}.
 *
 * <p>The HTTP response's demand is the Parley stream's: WebFlux asks for events as it writes
 * them, and the job skips the reports nobody asked for. When the browser closes the page, WebFlux
 * cancels the {@code Flux}, which cancels the Parley call abortively: an RSocket CANCEL frame
 * reaches the server, whose {@code testCancel()} turns {@code RPC_S_OK}, and the job stops.
 */
@RestController
public class ProgressController {

    private final ParleyClient client;

    public ProgressController(ParleyClient client) {
        this.client = client;
    }

    @GetMapping(path = "/progress", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<Progress>> progress(@RequestParam(defaultValue = "50") int steps,
            @RequestParam(defaultValue = "100") long stepMillis) {
        return this.client.stream(ProgressJob.NAME, new Job(steps, stepMillis), Progress.class)
            .map((progress) -> ServerSentEvent.builder(progress)
                .id(Integer.toString(progress.step()))
                .event(progress.isSummary() ? "summary" : "progress")
                .build());
    }
}
