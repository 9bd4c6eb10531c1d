package io.parley.core.client;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

import io.parley.core.CallShape;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

/**
 * The everyday {@code Flux} of a stream (server or bidirectional): each subscription makes one
 * {@link DefaultClientCall}, which is the subscriber's subscription, so its demand reaches the
 * transport and disposing it is the abortive cancel, with nothing in between.
 */
final class CallFlux<R> extends Flux<R> {

    private final ParleyClient client;
    private final CallShape shape;
    private final String method;
    private final @Nullable Object request;
    private final Type itemType;
    private final CallOptions options;

    CallFlux(ParleyClient client, CallShape shape, String method, @Nullable Object request, Type itemType, CallOptions options) {
        this.client = client;
        this.shape = shape;
        this.method = method;
        this.request = request;
        this.itemType = itemType;
        this.options = options;
    }

    @Override
    public void subscribe(CoreSubscriber<? super R> actual) {
        client.subscribe(shape, method, request, itemType, options, actual);
    }
}
