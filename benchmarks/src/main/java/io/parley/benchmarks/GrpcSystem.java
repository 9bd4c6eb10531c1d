package io.parley.benchmarks;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.jspecify.annotations.Nullable;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

/**
 * gRPC-Java unary calls over its shaded Netty, native epoll: a hand-written
 * {@link MethodDescriptor} with a {@code byte[]} marshaller, so that no protobuf is involved.
 * Either with a direct executor on both sides (handlers and callbacks on the event loops), or with
 * gRPC's default executor (a cached pool, not pinned).
 *
 * <p>Its stream is gRPC server streaming with flow control on both sides: the server sends while
 * {@code isReady()} and goes on from {@code setOnReadyHandler}; the client turns automatic
 * requests off ({@code disableAutoRequestWithInitial}) and asks for its batches with
 * {@code request(n)}. gRPC does not send a client's {@code request(n)} to the server: it lets
 * messages through to the observer, and HTTP/2 flow control (the window the client gives back as
 * it reads) is what holds the server.
 */
final class GrpcSystem extends ThreadNamedSystem {

    /**
     * Bytes as gRPC's own marshallers treat them: the outgoing stream tells its length and drains
     * straight into gRPC's framer, the incoming one, whose length gRPC knows, is read once into an
     * array of that length.
     */
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new BytesStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                if (stream instanceof KnownLength) {
                    byte[] bytes = new byte[stream.available()];
                    stream.readNBytes(bytes, 0, bytes.length);
                    return bytes;
                }
                return stream.readAllBytes();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    /** A {@code byte[]} that gRPC's framer can size and drain without copying through a buffer. */
    private static final class BytesStream extends ByteArrayInputStream implements KnownLength, Drainable {

        BytesStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int length = count - pos;
            target.write(buf, pos, length);
            pos = count;
            return length;
        }
    }

    /**
     * gRPC's server handler, which logs at WARNING, with its stack trace, each write that a client's
     * RST_STREAM overtook: every cancelled stream has some. Expected here, and slow to print in the
     * middle of a measurement; a real failure still fails its call or stream. Held, as
     * {@code java.util.logging} keeps its loggers only weakly.
     */
    private static final Logger STREAM_ERRORS = Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler");

    static {
        STREAM_ERRORS.setLevel(Level.SEVERE);
    }

    private static final MethodDescriptor<byte[], byte[]> ECHO = method("echo");
    private static final MethodDescriptor<byte[], byte[]> HOLD = method("hold");
    private static final MethodDescriptor<byte[], byte[]> REPEAT = method("repeat", MethodDescriptor.MethodType.SERVER_STREAMING);

    private final boolean direct;
    private final EventLoopGroup serverLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(serverThreads, true), EpollIoHandler.newFactory());
    private final EventLoopGroup clientLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(clientThreads, true), EpollIoHandler.newFactory());
    private final Held held = new Held();
    private final Held streamed = new Held();
    private final Map<Integer, byte[]> payloads = new HashMap<>();
    private @Nullable Server server;
    private @Nullable ManagedChannel channel;

    private GrpcSystem(boolean direct) {
        this.direct = direct;
    }

    static GrpcSystem directExecutor() {
        return new GrpcSystem(true);
    }

    static GrpcSystem defaultExecutor() {
        return new GrpcSystem(false);
    }

    private static MethodDescriptor<byte[], byte[]> method(String name) {
        return method(name, MethodDescriptor.MethodType.UNARY);
    }

    private static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("parley.bench.Echo", name))
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
    }

    @Override
    public String name() {
        return direct ? "gRPC direct executor" : "gRPC default executor";
    }

    @Override
    public void start(int[] payloadSizes) throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder("parley.bench.Echo")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((byte[] request, StreamObserver<byte[]> reply) -> {
                    reply.onNext(request);
                    reply.onCompleted();
                }))
                .addMethod(HOLD, ServerCalls.asyncUnaryCall((byte[] request, StreamObserver<byte[]> reply) -> {
                    held.started();
                    ((ServerCallStreamObserver<byte[]>) reply).setOnCancelHandler(held::cancelled);
                }))
                .addMethod(REPEAT, ServerCalls.asyncServerStreamingCall(this::repeat))
                .build();
        NettyServerBuilder serverBuilder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .channelType(EpollServerSocketChannel.class)
                .bossEventLoopGroup(serverLoop)
                .workerEventLoopGroup(serverLoop)
                .withChildOption(ChannelOption.TCP_NODELAY, true)
                .addService(service);
        if (direct) {
            serverBuilder.directExecutor();
        }
        server = serverBuilder.build().start();
        NettyChannelBuilder channelBuilder = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                .channelType(EpollSocketChannel.class)
                .eventLoopGroup(clientLoop)
                .withOption(ChannelOption.TCP_NODELAY, true)
                .usePlaintext();
        if (direct) {
            channelBuilder.directExecutor();
        }
        channel = channelBuilder.build();
        for (int size : payloadSizes) {
            payloads.put(size, Payloads.bytes(size));
            ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), payloads.get(size));
        }
        payloads.put(0, Payloads.bytes(64));
    }

    /** Sends the request back while the transport takes more, and again each time it is ready. */
    private void repeat(byte[] request, StreamObserver<byte[]> items) {
        ServerCallStreamObserver<byte[]> out = (ServerCallStreamObserver<byte[]>) items;
        streamed.started();
        out.setOnCancelHandler(streamed::cancelled);
        out.setOnReadyHandler(() -> {
            while (out.isReady() && !out.isCancelled()) {
                out.onNext(request);
            }
        });
    }

    @Override
    public void call(int payloadSize, Done done) {
        ClientCalls.asyncUnaryCall(channel.newCall(ECHO, CallOptions.DEFAULT), payloads.get(payloadSize), new StreamObserver<byte[]>() {
            @Override
            public void onNext(byte[] value) {
            }

            @Override
            public void onError(Throwable t) {
                done.failed(t);
            }

            @Override
            public void onCompleted() {
                done.ok();
            }
        });
    }

    @Override
    public boolean holds() {
        return true;
    }

    @Override
    public Runnable hold() {
        ClientCall<byte[], byte[]> call = channel.newCall(HOLD, CallOptions.DEFAULT);
        ClientCalls.asyncUnaryCall(call, payloads.get(0), new StreamObserver<byte[]>() {
            @Override
            public void onNext(byte[] value) {
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        return () -> call.cancel("cancelled by the benchmark", null);
    }

    @Override
    public Held held() {
        return held;
    }

    @Override
    public boolean streams() {
        return true;
    }

    @Override
    public Runnable stream(int payloadSize, int batch, Items items) {
        ClientCall<byte[], byte[]> call = channel.newCall(REPEAT, CallOptions.DEFAULT);
        BatchObserver observer = new BatchObserver(batch, items);
        ClientCalls.asyncServerStreamingCall(call, payloads.get(payloadSize), observer);
        return () -> {
            observer.cancelled = true;
            call.cancel("cancelled by the benchmark", null);
        };
    }

    @Override
    public Held streamed() {
        return streamed;
    }

    /** The client's side of a stream: {@link Batches}' requests, made through gRPC's manual flow control. */
    private static final class BatchObserver implements ClientResponseObserver<byte[], byte[]> {

        private final int batch;
        private final int replenish;
        private final Items items;
        private @Nullable ClientCallStreamObserver<byte[]> requests;
        private int sinceRequest;
        /** Set by the client's cancel, after which the CANCELLED error it causes is no failure. */
        volatile boolean cancelled;

        BatchObserver(int batch, Items items) {
            this.batch = batch;
            this.replenish = Batches.replenish(batch);
            this.items = items;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<byte[]> requests) {
            this.requests = requests;
            requests.disableAutoRequestWithInitial(batch);
        }

        @Override
        public void onNext(byte[] item) {
            items.item();
            if (++sinceRequest == replenish) {
                sinceRequest = 0;
                requests.request(replenish);
            }
        }

        @Override
        public void onError(Throwable t) {
            if (!cancelled) {
                items.failed(t);
            }
        }

        @Override
        public void onCompleted() {
            items.completed();
        }
    }

    @Override
    public void close() {
        try {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
            if (server != null) {
                server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clientLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        serverLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
