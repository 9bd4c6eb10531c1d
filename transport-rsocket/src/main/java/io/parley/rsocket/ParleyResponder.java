package io.parley.rsocket;

import java.nio.ByteBuffer;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.transport.Interaction;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.ServerSession;
import io.netty.buffer.ByteBufUtil;
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
 * One connection's responder: each of RSocket's four interactions is a Parley call of that
 * shape — request-response, request-stream, request-channel, fire-and-forget — and a
 * METADATA_PUSH may carry graceful cancels. Payloads arrive zero-copy; a request's is released
 * when its call gives it back. A channel's further requests are copied out of RSocket's buffers
 * as they arrive.
 */
final class ParleyResponder implements RSocket {

    private static final Logger log = Loggers.getLogger(ParleyResponder.class);

    private final ServerSession session;
    private final boolean composite;
    private final ParleyMetadataCodec.Names names = new ParleyMetadataCodec.Names();
    /**
     * The requester of a resumable session's connection: RSocket ends it before it cancels this
     * responder's streams when the session ends, so a cancel that finds it ended is the
     * session's loss, not the client's cancel. {@code null} for a plain connection, whose close
     * the session hears first.
     */
    private final @Nullable RSocket resumable;

    ParleyResponder(ServerSession session, boolean composite) {
        this(session, composite, null);
    }

    ParleyResponder(ServerSession session, boolean composite, @Nullable RSocket resumable) {
        this.session = session;
        this.composite = composite;
        this.resumable = resumable;
    }

    @Override
    public Mono<Payload> requestResponse(Payload payload) {
        RpcRequest request;
        try {
            request = decode(payload, Interaction.REQUEST_RESPONSE, null);
        }
        catch (RpcFault fault) {
            return Mono.error(FaultCodec.toError(fault));
        }
        return new Replies(session, request, payload, resumable);
    }

    @Override
    public Flux<Payload> requestStream(Payload payload) {
        RpcRequest request;
        try {
            request = decode(payload, Interaction.REQUEST_STREAM, null);
        }
        catch (RpcFault fault) {
            return Flux.error(FaultCodec.toError(fault));
        }
        return new Replies(session, request, payload, resumable).many();
    }

    /**
     * A channel: its first payload, in the REQUEST_CHANNEL frame, names the method; the call's
     * replies are subscribed to once it has come.
     */
    @Override
    public Flux<Payload> requestChannel(Publisher<Payload> payloads) {
        return new Channel(payloads);
    }

    /**
     * A one-way call: served, and whatever it ends with is dropped. RSocket does not track a
     * fire-and-forget, so neither a CANCEL nor the connection's end reaches it through RSocket;
     * the session still cancels it when the connection closes.
     */
    @Override
    public Mono<Void> fireAndForget(Payload payload) {
        RpcRequest request;
        try {
            request = decode(payload, Interaction.FIRE_AND_FORGET, null);
        }
        catch (RpcFault fault) {
            log.debug("Dropped a fire-and-forget: {}", fault.getMessage());
            return Mono.empty();
        }
        session.handle(request, payload::release)
                .subscribe(null, error -> log.debug("A fire-and-forget ended with {}", error.toString()));
        return Mono.empty();
    }

    /**
     * The request a payload carries. The payload is released if it cannot be read.
     *
     * @throws RpcFault {@code RPC_S_PROTOCOL_ERROR} for malformed metadata
     */
    private RpcRequest decode(Payload payload, Interaction interaction, @Nullable Publisher<ByteBuffer> more) {
        try {
            return ParleyMetadataCodec.decodeRequest(payload.metadata(), composite, names, payload.getData(), interaction, more);
        }
        catch (ParleyMetadataCodec.MalformedMetadataException e) {
            payload.release();
            throw new RpcFault(RpcStatus.PROTOCOL_ERROR, "malformed metadata: " + e.getMessage());
        }
    }

    /**
     * A call's replies as RSocket sends them: each encoded reply as a payload, a fault as the
     * error RSocket turns into an ERROR frame. The {@code Mono} and its one subscriber in one
     * object, with the call's own subscription handed through, where {@code map} and
     * {@code onErrorMap} would be two operators and two subscribers. RSocket subscribes once.
     *
     * <p>The request's payload arrived zero-copy: it stays with the call until the call gives it
     * back, and a reply that is a direct buffer, perhaps a view of it, keeps it until written.
     */
    private static final class Replies extends Mono<Payload> implements CoreSubscriber<ByteBuffer> {

        private final ServerSession session;
        private final RpcRequest request;
        private final Payload payload;
        private final @Nullable RSocket resumable;
        private @Nullable CoreSubscriber<? super Payload> actual;

        Replies(ServerSession session, RpcRequest request, Payload payload, @Nullable RSocket resumable) {
            this.session = session;
            this.request = request;
            this.payload = payload;
            this.resumable = resumable;
        }

        /** The same replies, as the {@code Flux} of a stream or a channel. */
        Flux<Payload> many() {
            return new Flux<Payload>() {
                @Override
                public void subscribe(CoreSubscriber<? super Payload> subscriber) {
                    Replies.this.subscribe(subscriber);
                }
            };
        }

        @Override
        public void subscribe(CoreSubscriber<? super Payload> actual) {
            if (this.actual != null) {
                Operators.error(actual, new IllegalStateException("replies may be subscribed to only once"));
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
            RSocket r = resumable;
            actual().onSubscribe(r == null ? s : new SessionCancel(s, r, session));
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

    /**
     * A call's subscription on a resumable session: a cancel once the session has ended closes
     * the session first, so the call ends as the connection's loss.
     */
    private record SessionCancel(Subscription call, RSocket requester, ServerSession session) implements Subscription {

        @Override
        public void request(long n) {
            call.request(n);
        }

        @Override
        public void cancel() {
            if (requester.isDisposed()) {
                session.close();
            }
            call.cancel();
        }
    }

    /**
     * A channel's replies, and the reader of its requests: it asks RSocket for the first payload,
     * makes the call of it, and hands the call the rest as {@code more} — a view of the same
     * subscription, each request copied to the heap and its payload released as it arrives.
     */
    private final class Channel extends Flux<Payload> implements CoreSubscriber<Payload> {

        private final Publisher<Payload> payloads;
        private @Nullable CoreSubscriber<? super Payload> actual;
        private volatile @Nullable Subscription upstream;
        /** The call's subscriber of {@code more}, once it has subscribed. */
        private volatile @Nullable CoreSubscriber<? super ByteBuffer> rest;
        private boolean first = true;

        Channel(Publisher<Payload> payloads) {
            this.payloads = payloads;
        }

        @Override
        public void subscribe(CoreSubscriber<? super Payload> subscriber) {
            if (actual != null) {
                Operators.error(subscriber, new IllegalStateException("replies may be subscribed to only once"));
                return;
            }
            actual = subscriber;
            payloads.subscribe(this);
        }

        @Override
        public void onSubscribe(Subscription s) {
            upstream = s;
            s.request(1);
        }

        @Override
        public void onNext(Payload payload) {
            if (first) {
                first = false;
                start(payload);
                return;
            }
            CoreSubscriber<? super ByteBuffer> r = rest;
            ByteBuffer copy;
            try {
                copy = ByteBuffer.wrap(ByteBufUtil.getBytes(payload.data()));
            }
            finally {
                payload.release();
            }
            if (r != null) {
                r.onNext(copy);
            }
        }

        private void start(Payload payload) {
            CoreSubscriber<? super Payload> a = actual;
            RpcRequest request;
            try {
                request = decode(payload, Interaction.REQUEST_CHANNEL, more());
            }
            catch (RpcFault fault) {
                Subscription s = upstream;
                if (s != null) {
                    s.cancel();
                }
                if (a != null) {
                    Operators.error(a, FaultCodec.toError(fault));
                }
                return;
            }
            if (a != null) {
                new Replies(session, request, payload, resumable).many().subscribe(a);
            }
        }

        /** The requests after the first, for the call: one subscriber, on RSocket's subscription. */
        private Flux<ByteBuffer> more() {
            return new Flux<ByteBuffer>() {
                @Override
                public void subscribe(CoreSubscriber<? super ByteBuffer> subscriber) {
                    Subscription s = upstream;
                    if (rest != null || s == null) {
                        Operators.error(subscriber, new IllegalStateException("a channel's requests may be read only once"));
                        return;
                    }
                    rest = subscriber;
                    subscriber.onSubscribe(s);
                }
            };
        }

        @Override
        public void onError(Throwable error) {
            ended(error);
        }

        @Override
        public void onComplete() {
            ended(null);
        }

        /** RSocket's requests ended: the call's reader of them hears it, or, before the first came, the replies' subscriber. */
        private void ended(@Nullable Throwable error) {
            CoreSubscriber<? super ByteBuffer> r = rest;
            if (r != null) {
                if (error != null) {
                    r.onError(FaultCodec.toFault(error));
                }
                else {
                    r.onComplete();
                }
            }
            else if (first) {
                first = false;
                CoreSubscriber<? super Payload> a = actual;
                if (a != null) {
                    if (error != null) {
                        Operators.error(a, error);
                    }
                    else {
                        Operators.complete(a);
                    }
                }
            }
        }
    }

    @Override
    public Mono<Void> metadataPush(Payload payload) {
        try {
            ParleyMetadataCodec.decodeCancel(payload.metadata(), session::cancelGracefully, session::deadlinePassed);
        }
        catch (ParleyMetadataCodec.MalformedMetadataException e) {
            log.debug("Ignored a METADATA_PUSH with malformed metadata: {}", e.getMessage());
        }
        finally {
            payload.release();
        }
        return Mono.empty();
    }
}
