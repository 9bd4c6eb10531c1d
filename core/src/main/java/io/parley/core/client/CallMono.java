package io.parley.core.client;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

import io.parley.core.RpcFault;
import io.parley.core.transport.RpcRequest;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * The everyday {@code Mono} of a call: each subscription makes one {@link DefaultClientCall},
 * which is the subscriber's subscription, so disposing it is the abortive cancel with nothing in
 * between.
 */
final class CallMono<R> extends Mono<R> {

    private final ParleyClient client;
    private final String method;
    private final @Nullable Object request;
    private final Type replyType;
    private final CallOptions options;

    CallMono(ParleyClient client, String method, @Nullable Object request, Type replyType, CallOptions options) {
        this.client = client;
        this.method = method;
        this.request = request;
        this.replyType = replyType;
        this.options = options;
    }

    @Override
    public void subscribe(CoreSubscriber<? super R> actual) {
        RpcRequest rpcRequest;
        try {
            rpcRequest = client.newRequest(method, request, options);
        }
        catch (RpcFault fault) {
            Operators.error(actual, fault);
            return;
        }
        client.<R>newCall(rpcRequest, replyType, options, actual).start();
    }
}
