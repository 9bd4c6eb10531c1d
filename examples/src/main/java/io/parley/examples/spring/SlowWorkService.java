package io.parley.examples.spring;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.parley.core.RpcStatus;
import io.parley.core.server.AsyncCall;
import io.parley.spring.ParleyMethod;
import io.parley.spring.ParleyService;
import reactor.core.publisher.Flux;

/**
 * Slow work in the seed's style: the handler is given the call, works step by step, and before
 * each step asks {@code testCancel()} whether its client has gone. When it has, the service stops,
 * logs it, and aborts the call with {@code RPC_S_CALL_CANCELLED}, as AsyncFunc does.
 */
@ParleyService
public class SlowWorkService {

    private static final Logger log = LoggerFactory.getLogger(SlowWorkService.class);

    private final WorkJournal journal;

    public SlowWorkService(WorkJournal journal) {
        this.journal = journal;
    }

    /**
     * Works through the request's steps, polling {@code testCancel()} at each.
     *
     * @param request the work
     * @param call the call, to complete, abort, or ask about its cancel
     */
    @ParleyMethod
    public void work(WorkRequest request, AsyncCall<WorkResult> call) {
        this.journal.record(call.id(), "started", 0, request.steps());
        log.info("call {}: started, {} steps of {} ms", call.id(), request.steps(), request.stepMillis());
        Flux.interval(Duration.ofMillis(request.stepMillis()))
            .map((tick) -> (int) (tick + 1))
            .takeUntil((done) -> done >= request.steps() || call.testCancel() == RpcStatus.OK)
            .last(0)
            .subscribe((done) -> finish(call, done, request.steps()));
    }

    private void finish(AsyncCall<WorkResult> call, int done, int asked) {
        RpcStatus cancel = call.testCancel();
        if (cancel == RpcStatus.OK) {
            log.warn("call {}: cancelled by its client after {} steps (testCancel() = {})", call.id(), done, cancel.name());
            this.journal.record(call.id(), "cancelled", done, asked);
            call.abort(RpcStatus.CALL_CANCELLED.value());
            return;
        }
        log.info("call {}: done, {} steps", call.id(), done);
        this.journal.record(call.id(), "completed", done, asked);
        call.complete(new WorkResult(call.id(), done));
    }
}
