package io.parley.benchmarks;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.parley.rsocket.ParleyMetadataCodec;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketConnector;
import io.rsocket.core.RSocketServer;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import io.rsocket.util.ByteBufPayload;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * RSocket-Java request-response, the floor Parley builds on: zero-copy payloads, the server hands
 * the request's data back as the reply. A request whose data is empty is a held call. Without
 * metadata, or with the very metadata a Parley request carries (a routing entry naming the method
 * and Parley's call entry, 49 bytes for {@code echo}): what RSocket itself costs to carry them.
 *
 * <p>Its request-stream, the floor of Parley's streams (the plain system only: a stream's items
 * carry no metadata, so the other would repeat it): each item is a retained slice of the
 * request's data, sent without a copy; {@code doOnCancel} is where the handler learns of the
 * client's cancel.
 */
final class RawRSocketSystem extends ThreadNamedSystem {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final LoopResources serverLoops = Loops.reactor(serverThreads);
    private final LoopResources clientLoops = Loops.reactor(clientThreads);
    private final Held held = new Held();
    private final Held streamed = new Held();
    private final Map<Integer, byte[]> payloads = new HashMap<>();
    private final boolean metadata;
    private final AtomicLong callIds = new AtomicLong();
    private @Nullable CloseableChannel server;
    private @Nullable RSocket client;

    private RawRSocketSystem(boolean metadata) {
        this.metadata = metadata;
    }

    static RawRSocketSystem plain() {
        return new RawRSocketSystem(false);
    }

    static RawRSocketSystem withParleyMetadata() {
        return new RawRSocketSystem(true);
    }

    @Override
    public String name() {
        return metadata ? "raw RSocket + metadata" : "raw RSocket";
    }

    private Payload request(byte[] data) {
        if (!metadata) {
            return ByteBufPayload.create(data);
        }
        ByteBuf routeAndCall = ParleyMetadataCodec.encodeRequest(ByteBufAllocator.DEFAULT, "echo", callIds.incrementAndGet(), 0);
        return ByteBufPayload.create(Unpooled.wrappedBuffer(data), routeAndCall);
    }

    @Override
    public void start(int[] payloadSizes) {
        RSocket responder = new RSocket() {
            @Override
            public Mono<Payload> requestResponse(Payload request) {
                return respond(request);
            }

            @Override
            public Flux<Payload> requestStream(Payload request) {
                return repeat(request);
            }
        };
        server = RSocketServer.create(SocketAcceptor.with(responder))
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .bind(TcpServerTransport.create(TcpServer.create().host("127.0.0.1").port(0).runOn(serverLoops)))
                .block(TIMEOUT);
        client = RSocketConnector.create()
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .connect(TcpClientTransport.create(TcpClient.create()
                        .host("127.0.0.1").port(server.address().getPort()).runOn(clientLoops)))
                .block(TIMEOUT);
        for (int size : payloadSizes) {
            payloads.put(size, Payloads.bytes(size));
            client.requestResponse(request(payloads.get(size))).doOnNext(Payload::release).block(TIMEOUT);
        }
    }

    private Mono<Payload> respond(Payload request) {
        if (request.data().readableBytes() > 0) {
            if (!request.hasMetadata()) {
                return Mono.just(request);
            }
            Payload reply = ByteBufPayload.create(request.data().retain());
            request.release();
            return Mono.just(reply);
        }
        request.release();
        held.started();
        return Mono.<Payload>never().doOnCancel(held::cancelled);
    }

    private Flux<Payload> repeat(Payload request) {
        streamed.started();
        ByteBuf data = request.data();
        return Flux.<Payload>generate(sink -> sink.next(ByteBufPayload.create(data.retainedSlice())))
                .doOnCancel(streamed::cancelled)
                .doFinally(signal -> request.release());
    }

    @Override
    public void call(int payloadSize, Done done) {
        client.requestResponse(request(payloads.get(payloadSize)))
                .subscribe(reply -> {
                    reply.release();
                    done.ok();
                }, done::failed);
    }

    @Override
    public boolean holds() {
        return true;
    }

    @Override
    public Runnable hold() {
        return client.requestResponse(ByteBufPayload.create(new byte[0])).subscribe(Payload::release, error -> { })::dispose;
    }

    @Override
    public Held held() {
        return held;
    }

    @Override
    public boolean streams() {
        return !metadata;
    }

    @Override
    public Runnable stream(int payloadSize, int batch, Items items) {
        return Batches.read(client.requestStream(ByteBufPayload.create(payloads.get(payloadSize))), batch, items,
                item -> ((Payload) item).release());
    }

    @Override
    public Held streamed() {
        return streamed;
    }

    @Override
    public void close() {
        if (client != null) {
            client.dispose();
        }
        if (server != null) {
            server.dispose();
        }
        Loops.dispose(clientLoops);
        Loops.dispose(serverLoops);
    }
}
