package io.parley.rsocket;

import java.util.concurrent.ConcurrentHashMap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.RpcRequest;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketClient;
import io.rsocket.util.ByteBufPayload;
import reactor.core.publisher.Mono;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * A Parley client's connection: an {@link RSocketClient}, which connects on demand and again
 * after a drop. Each call remembers which RSocket carried it, so that a graceful cancel goes to
 * the same server even behind a load balancer.
 */
final class RSocketConnection implements ClientConnection {

    private static final Logger log = Loggers.getLogger(RSocketConnection.class);

    private final RSocketClient client;
    private final String target;
    private final ConcurrentHashMap<Long, RSocket> carriers = new ConcurrentHashMap<>();

    RSocketConnection(RSocketClient client, String target) {
        this.client = client;
        this.target = target;
    }

    @Override
    public <T> Mono<T> call(RpcRequest request, ReplyReader<T> reader) {
        return client.source()
                .onErrorMap(error -> !(error instanceof RpcFault), error -> new RpcFault(RpcStatus.SERVER_UNAVAILABLE,
                        "could not connect to " + target + ": " + error.getMessage(), error))
                .flatMap(rsocket -> exchange(rsocket, request, reader));
    }

    private <T> Mono<T> exchange(RSocket rsocket, RpcRequest request, ReplyReader<T> reader) {
        long callId = request.callId();
        if (callId != RpcRequest.NO_CALL_ID) {
            carriers.put(callId, rsocket);
        }
        Mono<T> reply = rsocket.requestResponse(toPayload(request))
                .<T>handle((payload, sink) -> {
                    try {
                        T value = reader.read(payload.getData());
                        if (value != null) {
                            sink.next(value);
                        }
                    }
                    finally {
                        payload.release();
                    }
                })
                .onErrorMap(FaultCodec::toFault);
        return callId == RpcRequest.NO_CALL_ID ? reply : reply.doFinally(signal -> carriers.remove(callId, rsocket));
    }

    private static Payload toPayload(RpcRequest request) {
        long timeoutMillis = request.timeout() == null ? 0 : Math.max(1, request.timeout().toMillis());
        ByteBuf metadata = ParleyMetadataCodec.encodeRequest(ByteBufAllocator.DEFAULT, request.method(),
                request.callId(), timeoutMillis);
        return ByteBufPayload.create(Unpooled.wrappedBuffer(request.payload()), metadata);
    }

    @Override
    public void cancelGracefully(long callId) {
        RSocket rsocket = carriers.get(callId);
        if (rsocket == null) {
            return;
        }
        ByteBuf metadata = ParleyMetadataCodec.encodeCancel(ByteBufAllocator.DEFAULT, callId);
        rsocket.metadataPush(ByteBufPayload.create(Unpooled.EMPTY_BUFFER, metadata))
                .subscribe(null, error -> log.debug("Graceful cancel of call {} not sent: {}", callId, error.toString()));
    }

    @Override
    public Mono<Void> onClose() {
        return client.onClose();
    }

    @Override
    public void dispose() {
        client.dispose();
    }

    @Override
    public boolean isDisposed() {
        return client.isDisposed();
    }

    @Override
    public String toString() {
        return "RSocketConnection{" + target + "}";
    }
}
