package io.parley.benchmarks;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * A length-prefixed echo on plain Netty, native epoll: the machine's limit for a request and its
 * reply on loopback. A frame is a 4-byte length, a kind byte and the payload; the server writes an
 * echo frame back as it came and flushes once per read, the client matches replies to calls in
 * order. A frame of the one-way kind gets no reply: the server only notes when it read it, the
 * limit the cancel figure is held against.
 */
final class NettySystem extends ThreadNamedSystem {

    private static final byte ECHO = 0;
    private static final byte ONE_WAY = 1;

    private final EventLoopGroup serverLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(serverThreads, true), EpollIoHandler.newFactory());
    private final EventLoopGroup clientLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(clientThreads, true), EpollIoHandler.newFactory());
    private final Map<Integer, byte[]> payloads = new HashMap<>();
    private final ClientHandler clientHandler = new ClientHandler();
    private volatile @Nullable CompletableFuture<Long> oneWayRead;
    private @Nullable Channel serverChannel;
    private @Nullable Channel channel;

    @Override
    public String name() {
        return "raw Netty";
    }

    @Override
    public void start(int[] payloadSizes) throws Exception {
        serverChannel = new ServerBootstrap()
                .group(serverLoop)
                .channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(decoder(), new ServerHandler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        channel = new Bootstrap()
                .group(clientLoop)
                .channel(EpollSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(decoder(), clientHandler);
                    }
                })
                .connect(serverChannel.localAddress()).sync().channel();
        for (int size : payloadSizes) {
            payloads.put(size, Payloads.bytes(size));
            CompletableFuture<Void> reply = new CompletableFuture<>();
            call(size, new Done() {
                @Override
                public void ok() {
                    reply.complete(null);
                }

                @Override
                public void failed(Throwable error) {
                    reply.completeExceptionally(error);
                }
            });
            reply.get(10, TimeUnit.SECONDS);
        }
    }

    private static LengthFieldBasedFrameDecoder decoder() {
        return new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 0);
    }

    @Override
    public void call(int payloadSize, Done done) {
        Channel ch = channel;
        byte[] payload = payloads.get(payloadSize);
        if (ch.eventLoop().inEventLoop()) {
            clientHandler.send(ch, payload, done);
        }
        else {
            ch.eventLoop().execute(() -> {
                clientHandler.send(ch, payload, done);
                ch.flush();
            });
        }
    }

    /**
     * Writes one small one-way frame from the calling thread, as a client's cancel is written.
     *
     * @return the {@link System#nanoTime()} at which the server's handler reads it
     */
    CompletableFuture<Long> oneWay() {
        CompletableFuture<Long> read = new CompletableFuture<>();
        oneWayRead = read;
        ByteBuf frame = channel.alloc().buffer(9);
        frame.writeInt(5).writeByte(ONE_WAY).writeInt(0);
        channel.writeAndFlush(frame, channel.voidPromise());
        return read;
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        clientLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        serverLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Echoes each frame as it came; flushes once per read from the socket. */
    private final class ServerHandler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            if (frame.getByte(frame.readerIndex() + 4) == ONE_WAY) {
                long now = System.nanoTime();
                frame.release();
                CompletableFuture<Long> read = oneWayRead;
                if (read != null) {
                    read.complete(now);
                }
                return;
            }
            ctx.write(frame, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /**
     * Matches replies to calls in order, on the client's event loop; calls made from within a
     * reply's handling go out with the next flush, at the end of the read.
     */
    private static final class ClientHandler extends ChannelInboundHandlerAdapter {

        private final ArrayDeque<Done> pending = new ArrayDeque<>();

        void send(Channel ch, byte[] payload, Done done) {
            pending.add(done);
            ByteBuf frame = ch.alloc().buffer(5 + payload.length);
            frame.writeInt(1 + payload.length).writeByte(ECHO).writeBytes(payload);
            ch.write(frame, ch.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ((ByteBuf) msg).release();
            pending.poll().ok();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public boolean isSharable() {
            return true;
        }
    }
}
