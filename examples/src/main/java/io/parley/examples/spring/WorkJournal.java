package io.parley.examples.spring;

import java.time.Duration;

import org.springframework.stereotype.Component;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/** What the service did, as events others can watch: the demo's output, and what its test asserts. */
@Component
public class WorkJournal {

    /**
     * One call's news.
     *
     * @param callId the call
     * @param event started, completed or cancelled
     * @param stepsDone the steps done so far
     * @param stepsAsked the steps the request asked for
     */
    public record Entry(long callId, String event, int stepsDone, int stepsAsked) {
    }

    private final Sinks.Many<Entry> entries = Sinks.many().replay().limit(64);

    void record(long callId, String event, int stepsDone, int stepsAsked) {
        this.entries.emitNext(new Entry(callId, event, stepsDone, stepsAsked),
                Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
    }

    /** Every entry: the last 64 recorded, then new ones as they come. */
    public Flux<Entry> entries() {
        return this.entries.asFlux();
    }
}
