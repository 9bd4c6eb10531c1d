package io.parley.core.client;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

import io.parley.core.CallShape;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * The everyday {@code Mono} of a call of one reply (unary, client stream, one-way): each
 * subscription makes one {@link DefaultClientCall}, which is the subscriber's subscription, so
 * disposing it is the abortive cancel with nothing in between.
 */
final class CallMono<R> extends Mono<R> {

    private final ParleyClient client;
    private final CallShape shape;
    private final String method;
    private final @Nullable Object request;
    private final Type replyType;
    private final CallOptions options;

    CallMono(ParleyClient client, CallShape shape, String method, @Nullable Object request, Type replyType, CallOptions options) {
        this.client = client;
        this.shape = shape;
        this.method = method;
        this.request = request;
        this.replyType = replyType;
        this.options = options;
    }

    @Override
    public void subscribe(CoreSubscriber<? super R> actual) {
        client.subscribe(shape, method, request, replyType, options, actual);
    }
}
