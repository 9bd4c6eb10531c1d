package io.parley.examples.spring;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import reactor.core.publisher.Mono;

/**
 * {@code GET /work?steps=50&stepMillis=100}: does the work through the {@link WorkClient}. When
 * the HTTP client disconnects, WebFlux cancels the returned {@code Mono}, which cancels the
 * Parley call: an RSocket CANCEL frame reaches the server, whose {@code testCancel()} turns
 * {@code RPC_S_OK}.
 */
@RestController
public class WorkController {

    private final WorkClient work;

    public WorkController(WorkClient work) {
        this.work = work;
    }

    @GetMapping("/work")
    public Mono<WorkResult> work(@RequestParam(defaultValue = "50") int steps,
            @RequestParam(defaultValue = "100") long stepMillis) {
        return this.work.work(new WorkRequest(steps, stepMillis));
    }
}
