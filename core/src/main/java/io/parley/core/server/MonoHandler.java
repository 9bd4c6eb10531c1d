package io.parley.core.server;

import org.jspecify.annotations.Nullable;

import reactor.core.publisher.Mono;

/**
 * A reactive handler that can reach its call: the {@code Mono} it returns completes the call
 * with its value (or without one if empty) or aborts it with its error, and the handler may use
 * the {@link AsyncCall} to poll {@link AsyncCall#testCancel()} or watch
 * {@link AsyncCall#cancelled()}.
 *
 * <pre>{@code
 * MonoHandler<Query, Report> report = (query, call) -> repository.scan(query)
 *         .takeUntilOther(call.cancelled())
 *         .collect(Report::new, Report::add);
 * }</pre>
 *
 * <p>An abortive cancel by the client cancels the subscription to the returned {@code Mono}.
 *
 * @param <Q> the request type
 * @param <R> the reply type
 */
@FunctionalInterface
public interface MonoHandler<Q, R> {

    /**
     * Handles one call.
     *
     * @param request the decoded request ({@code null} if the client sent none)
     * @param call the call
     * @return the reply; an error aborts the call
     * @throws Exception to abort the call
     */
    Mono<? extends R> handle(@Nullable Q request, AsyncCall<R> call) throws Exception;
}
