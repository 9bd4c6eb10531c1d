package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.parley.core.Credentials;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.rsocket.frame.FrameHeaderCodec;
import io.rsocket.frame.FrameType;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A Parley server on RSocket's in-JVM local transport for the frame fuzz tests, one for all of a
 * test class's inputs, and the well-formed frames the tests send it around the fuzzer's: a SETUP,
 * a call held open for the whole input, and a probe call after it.
 */
final class FuzzServer implements AutoCloseable {

    /** The methods a fuzzer's requests may name, by index; any other name is unknown to the server. */
    static final List<String> METHODS = List.of("echo", "stream", "channel", "upload", "oneWay", "hold", "fault", "missing");

    /** What the "fault" method aborts with. */
    static final int FAULT_CODE = 5;

    /** The limits the fuzzer's requests run into: small, so that short inputs reach them. */
    static final int MAX_PAYLOAD = 1024;
    static final int MAX_METADATA = 256;

    /** RSocket's version 1.0 in a SETUP frame. */
    static final int VERSION_1_0 = 0x0001_0000;

    private static final AtomicInteger NAMES = new AtomicInteger();

    private final ParleyServer server;
    private final String name;
    /** Calls to "hold", by their request, until the test completes them or they are cancelled. */
    private final Map<String, AsyncCall<String>> held = new ConcurrentHashMap<>();

    /**
     * Starts a server.
     *
     * @param transport what to add to the local transport: leases, resumption, or nothing
     */
    FuzzServer(UnaryOperator<RSocketServerTransport> transport) {
        name = "fuzz-" + NAMES.incrementAndGet();
        server = ParleyServer.builder()
                .method(ServerMethod.mono("echo", String.class, Mono::just))
                .method(ServerMethod.flux("stream", String.class, request -> Flux.just(request, request, request)))
                .method(ServerMethod.channel("channel", String.class, (Flux<String> requests) -> requests))
                .method(ServerMethod.clientStream("upload", String.class, (Flux<String> requests) -> requests.count()))
                .method(ServerMethod.oneWay("oneWay", String.class, request -> Mono.empty()))
                .method(ServerMethod.async("hold", String.class, (String request, AsyncCall<String> call) -> {
                    // A handler in the seed's style that heeds a cancel: it ends its call at once.
                    call.cancelled().subscribe(null, null, () -> call.abort(RpcStatus.CALL_CANCELLED.value()));
                    held.put(String.valueOf(request), call);
                }))
                .method(ServerMethod.mono("fault", String.class, request -> Mono.error(new RpcFault(FAULT_CODE, "as asked"))))
                .authenticator(FuzzServer::authenticate)
                .maxInboundPayloadSize(MAX_PAYLOAD)
                .maxMetadataSize(MAX_METADATA)
                .transport(transport.apply(RSocketServerTransport.local(name)))
                .bindNow();
    }

    /** Alice with her password, or the one token; anyone else is refused. */
    private static Mono<Principal> authenticate(Credentials credentials) {
        boolean known = credentials instanceof Credentials.Basic basic
                ? basic.username().equals("alice") && basic.password().equals("secret")
                : ((Credentials.Bearer) credentials).token().equals("token");
        return known ? Mono.just(() -> "alice") : Mono.empty();
    }

    /** The local name to connect to. */
    String name() {
        return name;
    }

    ParleyServer server() {
        return server;
    }

    /** The call to "hold" whose request was {@code request}, once it has reached the server. */
    AsyncCall<String> awaitHeld(String request) {
        long deadline = System.nanoTime() + RawPeer.WAIT.toNanos();
        AsyncCall<String> call;
        while ((call = held.get(request)) == null) {
            if (System.nanoTime() > deadline) {
                fail("not within " + RawPeer.WAIT + ": the call to \"hold\" with " + request + " reaching the server");
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(20));
        }
        return call;
    }

    /**
     * Waits until the server has no call left, once an input's connections are closed, and
     * forgets the held calls.
     */
    void awaitNoCalls() {
        long deadline = System.nanoTime() + RawPeer.WAIT.toNanos();
        while (server.activeCalls() != 0) {
            if (System.nanoTime() > deadline) {
                fail("not within " + RawPeer.WAIT + ": the server's calls ending after their connections closed; "
                        + server.calls());
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(20));
        }
        held.clear();
    }

    @Override
    public void close() {
        server.dispose();
    }

    // ---- frames ------------------------------------------------------------------------------------

    /** The SETUP of a Parley client: composite metadata, JSON, keepalives every 20 s, 90 s lifetime. */
    static ByteBuf setup(ByteBufAllocator alloc, int flags) {
        return setup(alloc, flags, VERSION_1_0, 20_000, 90_000, new byte[0], ascii(ParleyMetadataCodec.COMPOSITE_MIME_TYPE),
                ascii("application/json"), null, new byte[0]);
    }

    /**
     * A SETUP frame, field by field as RSocket lays it out, with whatever values a test gives:
     * the lengths written are those of the bytes given, up to what their fields hold.
     */
    static ByteBuf setup(ByteBufAllocator alloc, int flags, int version, int keepAlive, int lifetime, byte[] token,
            byte[] metadataMime, byte[] dataMime, byte @Nullable [] metadata, byte[] data) {
        int typeAndFlags = FrameType.SETUP.getEncodedType() << 10 | flags & 0x3FF;
        ByteBuf frame = alloc.buffer();
        frame.writeInt(0).writeShort(typeAndFlags).writeInt(version).writeInt(keepAlive).writeInt(lifetime);
        if ((flags & FLAGS_RESUME) != 0) {
            frame.writeShort(Math.min(token.length, 0xFFFF)).writeBytes(token, 0, Math.min(token.length, 0xFFFF));
        }
        frame.writeByte(Math.min(metadataMime.length, 0xFF)).writeBytes(metadataMime, 0, Math.min(metadataMime.length, 0xFF));
        frame.writeByte(Math.min(dataMime.length, 0xFF)).writeBytes(dataMime, 0, Math.min(dataMime.length, 0xFF));
        if ((flags & FrameHeaderCodec.FLAGS_M) != 0 && metadata != null) {
            frame.writeMedium(metadata.length).writeBytes(metadata);
        }
        return frame.writeBytes(data);
    }

    /** SETUP's flag: the client offers resumption and sends a token. */
    static final int FLAGS_RESUME = 0b00_1000_0000;

    /** SETUP's flag: the client honours leases. */
    static final int FLAGS_LEASE = 0b00_0100_0000;

    /** A REQUEST_RESPONSE as a Parley client sends it: the method, a call id, JSON data. */
    static ByteBuf request(ByteBufAllocator alloc, int streamId, String method, long callId, String json) {
        ByteBuf metadata = ParleyMetadataCodec.encodeRequest(alloc, method, callId, 0);
        ByteBuf frame = alloc.buffer();
        frame.writeInt(streamId).writeShort(FrameType.REQUEST_RESPONSE.getEncodedType() << 10 | FrameHeaderCodec.FLAGS_M);
        frame.writeMedium(metadata.readableBytes()).writeBytes(metadata).writeBytes(ascii(json));
        metadata.release();
        return frame;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Asserts that an answer is the JSON string given, as a complete PAYLOAD. */
    static void assertReply(RawPeer.Frame answer, String json, String what) {
        assertThat(answer.type()).as(what + ": " + answer).isEqualTo(FrameType.PAYLOAD);
        assertThat(answer.data()).as(what).isEqualTo(json);
    }

    /**
     * Asserts that an ERROR a Parley server sent on a call's stream says what status the call
     * ended with: an APPLICATION_ERROR carries Parley's fault text, never an exception's message.
     * The other stream errors are RSocket's own (REJECTED, CANCELED, INVALID).
     */
    static void assertParleysError(RawPeer.Frame error) {
        if (error.errorCode() == 0x201) {
            RpcFault fault = FaultCodec.parse(error.data());
            assertThat(fault).as("an APPLICATION_ERROR in Parley's form: " + error).isNotNull();
        }
    }
}
