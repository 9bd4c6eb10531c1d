package io.parley.rsocket;

import java.nio.ByteBuffer;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.ServerSession;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.util.ByteBufPayload;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.Logger;
import reactor.util.Loggers;
import reactor.util.context.Context;

/**
 * One connection's responder: a request-response is a Parley call, a METADATA_PUSH may carry
 * graceful cancels; a stream or a channel is refused with {@code RPC_S_PROCNUM_OUT_OF_RANGE} in
 * Parley's fault text. Payloads arrive zero-copy; a request's is released when its call gives it back.
 */
final class ParleyResponder implements RSocket {

    private static final Logger log = Loggers.getLogger(ParleyResponder.class);

    private static final RpcFault REQUEST_RESPONSE_ONLY =
            new RpcFault(RpcStatus.PROCNUM_OUT_OF_RANGE, "Parley serves request-response only");

    private final ServerSession session;
    private final boolean composite;
    private final ParleyMetadataCodec.Names names = new ParleyMetadataCodec.Names();

    ParleyResponder(ServerSession session, boolean composite) {
        this.session = session;
        this.composite = composite;
    }

    @Override
    public Mono<Payload> requestResponse(Payload payload) {
        RpcRequest request;
        try {
            request = ParleyMetadataCodec.decodeRequest(payload.metadata(), composite, names, payload.getData());
        }
        catch (ParleyMetadataCodec.MalformedMetadataException e) {
            payload.release();
            return Mono.error(new RpcFault(RpcStatus.PROTOCOL_ERROR, "malformed metadata: " + e.getMessage()));
        }
        return new Replies(session, request, payload);
    }

    /**
     * A call's reply as RSocket sends it: the encoded reply as a payload, a fault as the error
     * RSocket turns into an ERROR frame. The {@code Mono} and its one subscriber in one object,
     * with the call's own subscription handed through, where {@code map} and {@code onErrorMap}
     * would be two operators and two subscribers. RSocket subscribes to a reply once.
     *
     * <p>The request's payload arrived zero-copy: it stays with the call until the call gives it
     * back, and a reply that is a direct buffer, perhaps a view of it, keeps it until written.
     */
    private static final class Replies extends Mono<Payload> implements CoreSubscriber<ByteBuffer> {

        private final ServerSession session;
        private final RpcRequest request;
        private final Payload payload;
        private @Nullable CoreSubscriber<? super Payload> actual;

        Replies(ServerSession session, RpcRequest request, Payload payload) {
            this.session = session;
            this.request = request;
            this.payload = payload;
        }

        @Override
        public void subscribe(CoreSubscriber<? super Payload> actual) {
            if (this.actual != null) {
                Operators.error(actual, new IllegalStateException("a reply may be subscribed to only once"));
                return;
            }
            this.actual = actual;
            session.handle(request, payload::release).subscribe(this);
        }

        private CoreSubscriber<? super Payload> actual() {
            CoreSubscriber<? super Payload> a = actual;
            if (a == null) {
                throw new IllegalStateException("not subscribed");
            }
            return a;
        }

        @Override
        public Context currentContext() {
            return actual().currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            actual().onSubscribe(s);
        }

        @Override
        public void onNext(ByteBuffer reply) {
            actual().onNext(ByteBufPayload.create(Payloads.reply(reply, payload)));
        }

        @Override
        public void onError(Throwable error) {
            actual().onError(error instanceof RpcFault ? FaultCodec.toError((RpcFault) error) : error);
        }

        @Override
        public void onComplete() {
            actual().onComplete();
        }
    }

    @Override
    public Mono<Void> metadataPush(Payload payload) {
        try {
            ParleyMetadataCodec.decodeCancel(payload.metadata(), session::cancelGracefully);
        }
        catch (ParleyMetadataCodec.MalformedMetadataException e) {
            log.debug("Ignored a METADATA_PUSH with malformed metadata: {}", e.getMessage());
        }
        finally {
            payload.release();
        }
        return Mono.empty();
    }

    /** Parley serves request-response only; nothing can be answered to a fire-and-forget. */
    @Override
    public Mono<Void> fireAndForget(Payload payload) {
        payload.release();
        return Mono.empty();
    }

    /**
     * Refuses a stream with a fault a foreign client can read (RSocket's default would send the
     * bare text {@code Request-Stream not implemented.}).
     */
    @Override
    public Flux<Payload> requestStream(Payload payload) {
        payload.release();
        return Flux.error(FaultCodec.toError(REQUEST_RESPONSE_ONLY));
    }

    /**
     * Refuses a channel with a fault a foreign client can read. The inbound payloads are not
     * subscribed to; RSocket releases the first one, as it does for its own default.
     */
    @Override
    public Flux<Payload> requestChannel(Publisher<Payload> payloads) {
        return Flux.error(FaultCodec.toError(REQUEST_RESPONSE_ONLY));
    }
}
