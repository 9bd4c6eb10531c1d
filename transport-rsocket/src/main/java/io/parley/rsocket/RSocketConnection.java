package io.parley.rsocket;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.jspecify.annotations.Nullable;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.TransportCall;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketClient;
import io.rsocket.core.RSocketConnector;
import io.rsocket.loadbalance.LoadbalanceRSocketClient;
import io.rsocket.loadbalance.LoadbalanceStrategy;
import io.rsocket.loadbalance.LoadbalanceTarget;
import io.rsocket.util.ByteBufPayload;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * A Parley client's connection over RSocket, and the one owner of what is behind it: RSocket's
 * own {@link RSocketClient}, which connects on demand and again after a drop, or RSocket's
 * {@link LoadbalanceRSocketClient} over several servers. Parley adds no reconnect or balancing
 * of its own; it only tells the balancer its targets again when a call finds a server gone, so
 * that the balancer's pool makes that server's connection anew.
 *
 * <p>Each call is an {@link RSocketCall}. To one server over a live connection it goes out at
 * once on that connection; otherwise it first waits for one ({@link #connected()}), which is the
 * only time it can be moved to another server: nothing has been sent.
 */
final class RSocketConnection implements ClientConnection {

    private static final Logger log = Loggers.getLogger(RSocketConnection.class);
    private static final Duration LET_GO_WAIT = Duration.ofSeconds(5);

    private static final AtomicReferenceFieldUpdater<RSocketConnection, RSocketClient> CLIENT =
            AtomicReferenceFieldUpdater.newUpdater(RSocketConnection.class, RSocketClient.class, "client");

    /**
     * RSocket's client. One server's ends for good when a connect fails (RSocket expects a retry
     * inside the connect); the next call that needs a connection then makes a new one from
     * {@link #connect}. A balancer's never ends while this connection lives.
     */
    private volatile RSocketClient client;
    private final @Nullable Mono<RSocket> connect;
    private final String target;
    /** What the balancer is fed; {@code null} for one server. */
    private final Sinks.@Nullable Many<List<LoadbalanceTarget>> targets;
    private final List<LoadbalanceTarget> targetList;
    /** The RSocket the last call was sent on, when there is one server; calls skip the connect while it lives. */
    private volatile @Nullable RSocket live;
    private volatile boolean disposed;
    private final ParleyMetadataCodec.Names routes = new ParleyMetadataCodec.Names();
    /** The balancer's servers handed out so far whose end is watched. */
    private final Set<RSocket> watched = ConcurrentHashMap.newKeySet();
    /** Whether the client's codec keeps what it decodes: its replies are copied out of RSocket's buffers. */
    private final boolean keepsReplies;

    private RSocketConnection(RSocketClient client, @Nullable Mono<RSocket> connect, String target,
            Sinks.@Nullable Many<List<LoadbalanceTarget>> targets, List<LoadbalanceTarget> targetList, boolean keepsReplies) {
        this.client = client;
        this.keepsReplies = keepsReplies;
        this.connect = connect;
        this.target = target;
        this.targets = targets;
        this.targetList = targetList;
    }

    /** To one server: RSocket's client connects on the first call and again after a drop. */
    static RSocketConnection single(RSocketConnector connector, io.rsocket.transport.ClientTransport transport, String target,
            boolean keepsReplies) {
        Mono<RSocket> connect = connector.connect(transport);
        return new RSocketConnection(RSocketClient.from(connect), connect, target, null, List.of(), keepsReplies);
    }

    /**
     * Over several servers with RSocket's balancer. Its targets come from a publisher that never
     * completes, so a pool whose every server has failed waits for the list again instead of
     * ending for good ("Pool is exhausted").
     */
    static RSocketConnection balanced(RSocketConnector connector, List<LoadbalanceTarget> list, LoadbalanceStrategy strategy,
            String target, boolean keepsReplies) {
        Sinks.Many<List<LoadbalanceTarget>> targets = Sinks.many().replay().latest();
        targets.tryEmitNext(list);
        LoadbalanceRSocketClient client = LoadbalanceRSocketClient.builder(targets.asFlux())
                .connector(connector)
                .loadbalanceStrategy(strategy)
                .build();
        return new RSocketConnection(client, null, target, targets, list, keepsReplies);
    }

    @Override
    public TransportCall newCall(RpcRequest request) {
        return new RSocketCall(this, request);
    }

    boolean balanced() {
        return targets != null;
    }

    /** The one server's live RSocket, if there is one: a call can go out on it at once. */
    @Nullable RSocket live() {
        RSocket rsocket = live;
        return rsocket != null && !rsocket.isDisposed() ? rsocket : null;
    }

    /**
     * An RSocket connected to a server, for a call not yet sent. It errors with an
     * {@link RpcFault} ({@code RPC_S_SERVER_UNAVAILABLE}) when no connection could be made.
     */
    Mono<RSocket> connected() {
        if (disposed) {
            return Mono.error(new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "the client is disposed"));
        }
        Mono<RSocket> connected = balanced()
                ? client.source().flatMap(this::probed)
                : client().source().flatMap(rsocket -> rsocket.isDisposed() ? afterLetGo(rsocket) : Mono.just(rsocket))
                        .doOnNext(rsocket -> live = rsocket);
        return connected.onErrorMap(error -> !(error instanceof RpcFault), error -> new RpcFault(RpcStatus.SERVER_UNAVAILABLE,
                "could not connect to " + target + ": " + error.getMessage(), error));
    }

    /** One server's client: a new one if the last ended after a failed connect. */
    private RSocketClient client() {
        RSocketClient current = client;
        Mono<RSocket> c = connect;
        if (!current.isDisposed() || c == null || disposed) {
            return current;
        }
        RSocketClient fresh = RSocketClient.from(c);
        if (CLIENT.compareAndSet(this, current, fresh)) {
            if (disposed) {
                fresh.dispose();
            }
            return fresh;
        }
        return client;
    }

    /**
     * A server of the balancer's pool, connected. The pool connects lazily, inside the first
     * request; a call must not be that request, or it could not know whether it was sent when
     * the connect fails. So an unconnected server is sent an empty METADATA_PUSH first (a
     * Parley server ignores it), which completes once the connection is there.
     *
     * <p>The pool drops a server whose connection failed or closed, and with none left it waits
     * for its targets again: each server it hands out is watched, and its end tells the pool the
     * targets again, so that it is made anew and the pool is never left empty.
     */
    private Mono<RSocket> probed(RSocket pooled) {
        if (watched.add(pooled)) {
            pooled.onClose().subscribe(null, error -> ended(pooled), () -> ended(pooled));
        }
        if (pooled.availability() > 0) {
            return Mono.just(pooled);
        }
        return pooled.metadataPush(ByteBufPayload.create(Unpooled.EMPTY_BUFFER, Unpooled.EMPTY_BUFFER)).thenReturn(pooled);
    }

    /**
     * RSocket ends a connection's requester as soon as it learns the connection is over (a
     * keepalive timeout, an ERROR on stream 0), but the client lets go of it only once the
     * connection has closed, a moment later. A call in that moment waits for the close, at most
     * {@link #LET_GO_WAIT}, and asks again: the next connection, not the dead one, carries it.
     */
    private Mono<RSocket> afterLetGo(RSocket ended) {
        return ended.onClose()
                .onErrorResume(error -> Mono.empty())
                .timeout(LET_GO_WAIT, Mono.empty())
                .then(Mono.defer(() -> client().source()))
                .flatMap(rsocket -> rsocket.isDisposed()
                        ? Mono.error(new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "no live connection to " + target))
                        : Mono.just(rsocket));
    }

    /** A server of the balancer is gone: the balancer is told its targets again, and remakes that server. */
    private void ended(RSocket pooled) {
        watched.remove(pooled);
        Sinks.Many<List<LoadbalanceTarget>> t = targets;
        if (t != null && !disposed) {
            t.emitNext(targetList, Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(100)));
        }
    }

    /** A request as RSocket sends it: Parley's metadata, and the data in direct memory. */
    /** A reply's bytes as the client takes them: a copy of its own, or RSocket's buffer for the listener's call only. */
    ByteBuffer reply(Payload payload) {
        return keepsReplies ? ByteBuffer.wrap(ByteBufUtil.getBytes(payload.data())) : payload.getData();
    }

    Payload toPayload(RpcRequest request) {
        long timeoutMillis = request.timeout() == null ? 0 : Math.max(1, request.timeout().toMillis());
        ByteBuf metadata = ParleyMetadataCodec.encodeRequest(ByteBufAllocator.DEFAULT, routes.utf8(request.method()),
                request.method(), request.callId(), timeoutMillis, request.metadata(), request.credentials());
        ByteBuf data;
        try {
            data = Payloads.direct(request.payload());
        }
        catch (Throwable error) {
            metadata.release();
            throw error;
        }
        return ByteBufPayload.create(data, metadata);
    }

    static void sendCancel(RSocket rsocket, long callId, boolean deadline) {
        ByteBuf metadata = ParleyMetadataCodec.encodeCancel(ByteBufAllocator.DEFAULT, callId, deadline);
        rsocket.metadataPush(ByteBufPayload.create(Unpooled.EMPTY_BUFFER, metadata))
                .subscribe(null, error -> log.debug("Graceful cancel of call {} not sent: {}", callId, error.toString()));
    }

    @Override
    public void dispose() {
        disposed = true;
        Sinks.Many<List<LoadbalanceTarget>> t = targets;
        if (t != null) {
            t.tryEmitComplete();
        }
        // A client whose connect failed has terminated itself; disposing it again would report
        // its "Disposed" error as dropped.
        if (!client.isDisposed()) {
            client.dispose();
        }
    }

    @Override
    public boolean isDisposed() {
        return disposed;
    }

    @Override
    public String toString() {
        return "RSocketConnection{" + target + "}";
    }
}
