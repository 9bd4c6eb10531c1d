package io.parley.core.server;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;

/**
 * A reactive stream handler that can reach its call: the {@code Publisher} it returns (a
 * {@code Flux}) sends its items, its completion completes the stream and its error aborts it. The
 * client's demand is the publisher's; the handler may watch {@link ServerStream#cancelled()} or
 * poll {@link ServerStream#testCancel()}, and a graceful cancel leaves the publisher running for
 * its own end.
 *
 * <pre>{@code
 * FluxHandler<Query, Row> scan = (query, stream) -> repository.scan(query)
 *         .takeUntilOther(stream.cancelled())         // a graceful cancel: stop, then complete
 *         .concatWith(Mono.fromSupplier(Row::endMarker));
 * }</pre>
 *
 * <p>An abortive cancel by the client cancels the subscription.
 *
 * @param <Q> the request type: for a channel, a {@code Flux} of the requests
 * @param <R> the item type
 */
@FunctionalInterface
public interface FluxHandler<Q, R> {

    /**
     * Handles one call.
     *
     * @param request the decoded request ({@code null} if the client sent none); for a channel,
     *        the requests
     * @param stream the call
     * @return the items; an error aborts the call
     * @throws Exception to abort the call
     */
    Publisher<? extends R> handle(@Nullable Q request, ServerStream<R> stream) throws Exception;
}
