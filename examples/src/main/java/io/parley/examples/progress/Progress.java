package io.parley.examples.progress;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * One item of a {@link ProgressJob}'s stream: a report while the job runs, or its summary, the
 * stream's last item.
 *
 * @param callId the Parley call that runs the job, as the server knows it
 * @param step the steps done
 * @param steps the steps the job asked for
 * @param phase whether the job is running, or how it ended
 */
public record Progress(long callId, int step, int steps, Phase phase) {

    /** Where the job is. */
    public enum Phase {
        /** A report: the job goes on. */
        RUNNING,
        /** The summary of a job that did all its steps. */
        COMPLETED,
        /** The summary of a job its client cancelled: it stopped after {@code step} steps. */
        CANCELLED
    }

    /** Whether this is the summary, the stream's last item. Not a field of its own on the wire. */
    @JsonIgnore
    public boolean isSummary() {
        return phase != Phase.RUNNING;
    }

    @Override
    public String toString() {
        return "step " + step + " of " + steps + ", " + phase;
    }
}
