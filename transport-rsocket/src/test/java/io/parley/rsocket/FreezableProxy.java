package io.parley.rsocket;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * A TCP proxy on loopback between a client and a server, for tests of a peer that goes silent or
 * vanishes, or of a network that drops connections. Bytes are forwarded by a plain Netty handler
 * on each side, so they never reach a reactive bridge; while {@linkplain #freeze() frozen} the
 * proxy keeps both sockets open and reads on, releasing every buffer it reads instead of
 * forwarding it. {@link #cut()} closes the connections it carries and goes on accepting new
 * ones, unless it is {@linkplain #refuse(boolean) refusing} them.
 */
final class FreezableProxy implements Disposable {

    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);

    private final DisposableServer server;
    private final Set<Channel> clientSides = ConcurrentHashMap.newKeySet();
    private final Set<Connection> serverSides = ConcurrentHashMap.newKeySet();
    private final AtomicLong discardedBytes = new AtomicLong();
    private volatile boolean frozen;
    private volatile boolean refusing;
    private final AtomicInteger accepted = new AtomicInteger();

    FreezableProxy(int targetPort) {
        TcpClient target = TcpClient.newConnection().host("127.0.0.1").port(targetPort);
        this.server = TcpServer.create().host("127.0.0.1").port(0)
                .doOnConnection(clientSide -> {
                    if (refusing) {
                        clientSide.channel().close();
                        return;
                    }
                    accepted.incrementAndGet();
                    Forwarder toServer = new Forwarder(clientSide.channel());
                    clientSide.addHandlerLast("proxy.forward", toServer);
                    clientSides.add(clientSide.channel());
                    target.doOnConnected(serverSide -> serverSide.addHandlerLast("proxy.forward", new Forwarder(serverSide.channel()).attached(clientSide.channel())))
                            .connect()
                            .subscribe(serverSide -> {
                                serverSides.add(serverSide);
                                toServer.attach(serverSide.channel());
                            }, error -> clientSide.dispose());
                })
                .handle((in, out) -> Mono.never())
                .bindNow(BIND_TIMEOUT);
    }

    /** The port clients connect to. */
    int port() {
        return server.port();
    }

    /** Stops forwarding both ways; the sockets stay open and what arrives is read and released. */
    void freeze() {
        frozen = true;
    }

    /** Forwards again. */
    void thaw() {
        frozen = false;
    }

    /** The bytes read and released while frozen. */
    long discardedBytes() {
        return discardedBytes.get();
    }

    /** The client connections accepted and forwarded so far, open or not. */
    int acceptedConnections() {
        return accepted.get();
    }

    /** The client connections open now. */
    int openClientConnections() {
        return (int) clientSides.stream().filter(Channel::isActive).count();
    }

    /** Resets every client connection (RST, no FIN), as a host that vanished would appear once it answers again. */
    void resetClientConnections() {
        for (Channel channel : clientSides) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
        }
    }

    /** Closes every connection the proxy carries, both sides, as a network that drops them would; new ones are accepted. */
    void cut() {
        clientSides.forEach(Channel::close);
        serverSides.forEach(Connection::dispose);
    }

    /** Whether connections that come are closed at once, as a network still down would have them fail. */
    void refuse(boolean refuse) {
        refusing = refuse;
    }

    @Override
    public void dispose() {
        server.disposeNow(BIND_TIMEOUT);
        serverSides.forEach(Connection::dispose);
        clientSides.forEach(Channel::close);
    }

    @Override
    public boolean isDisposed() {
        return server.isDisposed();
    }

    /**
     * Forwards what one side reads to the other. Reads that come before the other side is
     * connected wait in order; everything runs on the reading channel's event loop.
     */
    private final class Forwarder extends ChannelInboundHandlerAdapter {

        private final Channel own;
        private final Queue<Object> pending = new ArrayDeque<>();
        private @Nullable Channel peer;
        private boolean closed;

        Forwarder(Channel own) {
            this.own = own;
        }

        /** Reactor Netty reads on demand of its own receive(), which nobody subscribes to here. */
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        }

        Forwarder attached(Channel peer) {
            this.peer = peer;
            return this;
        }

        void attach(Channel peer) {
            own.eventLoop().execute(() -> {
                if (closed) {
                    peer.close();
                    return;
                }
                this.peer = peer;
                Object msg;
                while ((msg = pending.poll()) != null) {
                    forward(msg);
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (frozen) {
                if (msg instanceof ByteBuf) {
                    discardedBytes.addAndGet(((ByteBuf) msg).readableBytes());
                }
                ReferenceCountUtil.release(msg);
                return;
            }
            if (peer == null) {
                pending.add(msg);
                return;
            }
            forward(msg);
        }

        private void forward(Object msg) {
            Channel target = peer;
            if (frozen || target == null) {
                ReferenceCountUtil.release(msg);
                return;
            }
            // A write to a closed channel fails and releases the buffer.
            target.writeAndFlush(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            closed = true;
            Object msg;
            while ((msg = pending.poll()) != null) {
                ReferenceCountUtil.release(msg);
            }
            Channel target = peer;
            if (target != null) {
                target.close();
            }
            super.channelInactive(ctx);
        }
    }
}
