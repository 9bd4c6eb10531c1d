package io.parley.examples.spring;

import io.parley.spring.ParleyStub;
import reactor.core.publisher.Mono;

/** The {@link SlowWorkService}, as its callers see it. Injected like any Spring bean. */
@ParleyStub
public interface WorkClient {

    /**
     * Does the work. Cancelling the subscription cancels the call on the server.
     *
     * @param request the work
     * @return the result, once the work is done
     */
    Mono<WorkResult> work(WorkRequest request);
}
