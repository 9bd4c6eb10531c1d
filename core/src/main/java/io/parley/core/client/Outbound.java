package io.parley.core.client;

import java.nio.ByteBuffer;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;

/**
 * A channel's requests as the transport sends them: the application's {@code Publisher}, each
 * request encoded as the transport asks for it. Its failure, or a request that cannot be encoded,
 * ends the call with a fault and cancels it; the transport sees the requests stop.
 */
final class Outbound extends Flux<ByteBuffer> {

    private final ParleyClient client;
    private final String method;
    private final Publisher<?> requests;
    private volatile @Nullable DefaultClientCall<?> call;
    /** Whether the transport has subscribed: from then on the requests are under way, and the call is never sent again. */
    private volatile boolean subscribed;

    Outbound(ParleyClient client, String method, Publisher<?> requests) {
        this.client = client;
        this.method = method;
        this.requests = requests;
    }

    /** The call the requests belong to; set before the call starts. */
    void bind(DefaultClientCall<?> call) {
        this.call = call;
    }

    /** Whether the transport has subscribed to the requests. */
    boolean subscribed() {
        return subscribed;
    }

    @Override
    public void subscribe(CoreSubscriber<? super ByteBuffer> actual) {
        subscribed = true;
        Flux.from(requests)
                .map(request -> client.encode(method, request))
                .onErrorResume(error -> {
                    DefaultClientCall<?> c = call;
                    if (c != null) {
                        c.requestsFailed(error instanceof RpcFault ? (RpcFault) error : new RpcFault(RpcStatus.CALL_FAILED,
                                "the requests of '" + method + "' failed: " + error, error));
                    }
                    return Flux.empty();
                })
                .subscribe(actual);
    }
}
