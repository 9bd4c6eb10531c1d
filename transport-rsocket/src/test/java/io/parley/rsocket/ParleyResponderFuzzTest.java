package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.parley.core.CallMetadata;
import io.parley.core.Credentials;
import io.parley.core.server.AsyncCall;
import io.parley.test.NettyLeakDetection;
import io.rsocket.frame.FrameHeaderCodec;
import io.rsocket.frame.FrameType;

/**
 * A Parley server's responder fed whatever frames a peer may send on a connection it has set up:
 * requests of every kind naming any method with any metadata and data, PAYLOAD, REQUEST_N,
 * CANCEL and ERROR frames on any stream, METADATA_PUSH, KEEPALIVE, and frames RSocket does not
 * expect from a client or cannot read at all. A call held open on the connection beforehand, and
 * a call made after the fuzzer's frames, must both be answered as if nothing had happened; no
 * APPLICATION_ERROR carries anything but Parley's fault text; once the connection closes the
 * server keeps no call and no buffer of it.
 *
 * <p>Frames the RSocket protocol makes a matter of the connection (an ERROR, SETUP, RESUME or
 * LEASE on stream 0 from a client, frames on the even streams a server would start, frames that
 * cannot be read) may make the server close it, as RSocket-Java does: then the held call must end
 * with it, and a new connection is served. Every other frame concerns one stream, and must leave
 * the connection and its other calls alone.
 *
 * <p>Input layout: up to {@value #MAX_FRAMES} frames, each a kind, a stream, flags and the fields
 * its kind reads (see {@link #next}). The corpus under {@code ParleyResponderFuzzTestInputs/} is
 * replayed by every build; see the README's "Fuzzing".
 */
@ExtendWith(NettyLeakDetection.class)
class ParleyResponderFuzzTest {

    private static final int MAX_FRAMES = 12;

    /** The stream of the call held open through the fuzzer's frames. */
    private static final int HELD_STREAM = 1;

    /** The held call's id, and the probe's: none of the fuzzer's calls or graceful cancels has them (those are one byte). */
    private static final long HELD_CALL_ID = 0x5EED_0000_0000_0001L;
    private static final long PROBE_CALL_ID = 0x5EED_0000_0000_0002L;

    /** The stream of the call made after them. */
    private static final int PROBE_STREAM = 0x7FFF_FFFF;

    private static final AtomicLong INPUTS = new AtomicLong();

    private static @Nullable FuzzServer fuzzServer;

    @BeforeAll
    static void startServer() {
        fuzzServer = new FuzzServer(transport -> transport);
    }

    @AfterAll
    static void stopServer() {
        FuzzServer s = fuzzServer;
        if (s != null) {
            s.close();
        }
    }

    @FuzzTest
    void anyFrames_leaveTheConnectionsOtherCallsServed_orCloseItAsRSocketSays(byte[] input) {
        FuzzServer server = Objects.requireNonNull(fuzzServer);
        String heldRequest = "held-" + INPUTS.incrementAndGet();
        List<Chosen> sent = new ArrayList<>();
        boolean closed;
        List<RawPeer.Frame> received;
        try (RawPeer peer = new RawPeer(server.name())) {
            peer.send(0, FuzzServer.setup(peer.alloc(), 0));
            peer.send(HELD_STREAM, FuzzServer.request(peer.alloc(), HELD_STREAM, "hold", HELD_CALL_ID, "\"" + heldRequest + "\""));
            AsyncCall<String> held = server.awaitHeld(heldRequest);

            FuzzInput in = new FuzzInput(input);
            Reassembly reassembly = new Reassembly();
            for (int i = 0; i < MAX_FRAMES && in.hasMore() && !peer.isClosed(); i++) {
                Chosen chosen = next(in, peer.alloc());
                if (!classifiable(chosen.frame())) {
                    chosen.frame().release();
                    continue;
                }
                if (reassembly.breaksRSocketJava(chosen.frame())) {
                    chosen = chosen.ofTheConnection();
                }
                sent.add(chosen);
                peer.send(chosen.streamId(), chosen.frame());
            }
            boolean streamLevelOnly = sent.stream().allMatch(Chosen::streamLevel);

            if (!peer.isClosed()) {
                peer.send(PROBE_STREAM, FuzzServer.request(peer.alloc(), PROBE_STREAM, "echo", PROBE_CALL_ID, "\"probe\""));
            }
            RawPeer.Frame probe = peer.awaitEnd("the answer to the call after " + sent, PROBE_STREAM);
            if (probe != null) {
                FuzzServer.assertReply(probe, "\"probe\"", "the call after " + sent);
                held.complete("kept");
                RawPeer.Frame heldReply = peer.awaitEnd("the held call's reply after " + sent, HELD_STREAM);
                assertThat(heldReply).as("the held call's reply after " + sent).isNotNull();
                FuzzServer.assertReply(heldReply, "\"kept\"", "the held call after " + sent);
            }
            else {
                assertThat(streamLevelOnly).as("the connection closed after frames that concern single streams only: "
                        + sent + "; received " + peer.received()).isFalse();
                // The held call hears of its connection's loss (and its handler ends it); block throws if not in time.
                held.cancelled().block(RawPeer.WAIT);
            }
            closed = peer.isClosed();
            received = peer.received();
        }
        // RSocket-Java answers a frame it does not expect on a stream, one of the connection's, with
        // an APPLICATION_ERROR of its own; on the others every APPLICATION_ERROR is Parley's.
        Set<Integer> connectionFramesOn = sent.stream().filter(c -> !c.streamLevel()).map(Chosen::streamId).collect(Collectors.toSet());
        for (RawPeer.Frame frame : received) {
            if (frame.isError() && frame.streamId() != 0 && !connectionFramesOn.contains(frame.streamId())) {
                FuzzServer.assertParleysError(frame);
            }
        }
        server.awaitNoCalls();

        if (closed) {
            // The connection is gone; the server serves the next one.
            try (RawPeer fresh = new RawPeer(server.name())) {
                fresh.send(0, FuzzServer.setup(fresh.alloc(), 0));
                fresh.send(HELD_STREAM, FuzzServer.request(fresh.alloc(), HELD_STREAM, "echo", 1, "\"fresh\""));
                RawPeer.Frame answer = fresh.awaitEnd("a new connection's call after " + sent, HELD_STREAM);
                assertThat(answer).as("a new connection's call after " + sent).isNotNull();
                FuzzServer.assertReply(answer, "\"fresh\"", "a new connection's call");
            }
            server.awaitNoCalls();
        }
    }

    /**
     * A frame the fuzzer chose.
     *
     * @param streamId its stream
     * @param frame the frame, the connection's once sent
     * @param streamLevel whether it concerns one stream only, so that the connection must outlive it
     * @param description what it is, for a failure's message
     */
    private record Chosen(int streamId, ByteBuf frame, boolean streamLevel, String description) {

        Chosen ofTheConnection() {
            return new Chosen(streamId, frame, false, description + " (during a fragmented request)");
        }

        @Override
        public String toString() {
            return description + (streamLevel ? "" : " (of the connection)");
        }
    }

    /** The kinds of frame, by the input's first byte of each. */
    private enum Kind {
        REQUEST_RESPONSE, REQUEST_FNF, REQUEST_STREAM, REQUEST_CHANNEL, PAYLOAD, REQUEST_N, CANCEL, ERROR,
        METADATA_PUSH, KEEPALIVE, LEASE, SETUP, EXT, RESUME, RAW
    }

    /** The next frame the input describes. */
    private static Chosen next(FuzzInput in, ByteBufAllocator alloc) {
        Kind kind = Kind.values()[in.u8() % Kind.values().length];
        int streamId = streamId(in);
        int flags = in.u8();
        boolean follows = (flags & 1) != 0;
        boolean complete = (flags & 2) != 0;
        boolean next = (flags & 4) != 0;
        boolean ofAStream = streamId != 0 && (streamId & 1) == 1;
        String where = " on stream " + streamId;
        switch (kind) {
            case REQUEST_RESPONSE, REQUEST_FNF -> {
                FrameType type = kind == Kind.REQUEST_RESPONSE ? FrameType.REQUEST_RESPONSE : FrameType.REQUEST_FNF;
                Body body = body(in, alloc);
                return new Chosen(streamId, frame(alloc, streamId, type, follows ? FrameHeaderCodec.FLAGS_F : 0, null, body),
                        ofAStream, kind + where + (follows ? " (follows)" : "") + body);
            }
            case REQUEST_STREAM, REQUEST_CHANNEL -> {
                int n = in.i32();
                FrameType type = kind == Kind.REQUEST_STREAM ? FrameType.REQUEST_STREAM : FrameType.REQUEST_CHANNEL;
                int f = (follows ? FrameHeaderCodec.FLAGS_F : 0) | (complete && type == FrameType.REQUEST_CHANNEL ? FrameHeaderCodec.FLAGS_C : 0);
                Body body = body(in, alloc);
                return new Chosen(streamId, frame(alloc, streamId, type, f, buf -> buf.writeInt(n), body), ofAStream && n > 0,
                        kind + where + " n=" + n + " flags=" + Integer.toBinaryString(f) + body);
            }
            case PAYLOAD -> {
                int f = (follows ? FrameHeaderCodec.FLAGS_F : 0) | (complete ? FrameHeaderCodec.FLAGS_C : 0)
                        | (next ? FrameHeaderCodec.FLAGS_N : 0);
                Body body = body(in, alloc);
                // A PAYLOAD with neither NEXT nor COMPLETE breaks the protocol: RSocket-Java closes the connection.
                return new Chosen(streamId, frame(alloc, streamId, FrameType.PAYLOAD, f, null, body), ofAStream && (next || complete),
                        kind + where + " flags=" + Integer.toBinaryString(f) + body);
            }
            case REQUEST_N -> {
                int n = in.i32();
                return new Chosen(streamId, frame(alloc, streamId, FrameType.REQUEST_N, 0, buf -> buf.writeInt(n), Body.NONE),
                        ofAStream && n > 0, kind + where + " n=" + n);
            }
            case CANCEL -> {
                return new Chosen(streamId, frame(alloc, streamId, FrameType.CANCEL, 0, null, Body.NONE), ofAStream, kind + where);
            }
            case ERROR -> {
                int code = in.i32();
                byte[] text = in.shortBytes();
                return new Chosen(streamId, frame(alloc, streamId, FrameType.ERROR, 0, buf -> buf.writeInt(code),
                        new Body(null, text, "")), ofAStream && isStreamErrorCode(code),
                        kind + where + " code=0x" + Integer.toHexString(code) + " \"" + new String(text, StandardCharsets.UTF_8) + "\"");
            }
            case METADATA_PUSH -> {
                ByteBuf metadata = metadata(in, alloc, in.u8());
                ByteBuf frame = alloc.buffer();
                frame.writeInt(streamId).writeShort(FrameType.METADATA_PUSH.getEncodedType() << 10 | FrameHeaderCodec.FLAGS_M);
                if (metadata != null) {
                    frame.writeBytes(metadata);
                    metadata.release();
                }
                return new Chosen(streamId, frame, streamId == 0, kind + where);
            }
            case KEEPALIVE -> {
                long position = in.i64();
                byte[] data = in.shortBytes();
                ByteBuf frame = alloc.buffer();
                frame.writeInt(streamId).writeShort(FrameType.KEEPALIVE.getEncodedType() << 10 | (complete ? 0b00_1000_0000 : 0));
                frame.writeLong(position).writeBytes(data);
                return new Chosen(streamId, frame, streamId == 0 && position >= 0, kind + where + " respond=" + complete);
            }
            case LEASE -> {
                int ttl = in.i32();
                int n = in.i32();
                ByteBuf frame = alloc.buffer();
                frame.writeInt(streamId).writeShort(FrameType.LEASE.getEncodedType() << 10).writeInt(ttl).writeInt(n);
                return new Chosen(streamId, frame, false, kind + where + " ttl=" + ttl + " n=" + n);
            }
            case SETUP -> {
                return new Chosen(streamId, FuzzServer.setup(alloc, 0), false, kind + " again");
            }
            case EXT -> {
                int extended = in.i32();
                Body body = body(in, alloc);
                return new Chosen(streamId, frame(alloc, streamId, FrameType.EXT, (flags & 8) != 0 ? FrameHeaderCodec.FLAGS_I : 0,
                        buf -> buf.writeInt(extended), body), false, kind + where + body);
            }
            case RESUME -> {
                ByteBuf frame = alloc.buffer();
                FrameType type = next ? FrameType.RESUME_OK : FrameType.RESUME;
                frame.writeInt(streamId).writeShort(type.getEncodedType() << 10).writeBytes(in.shortBytes());
                return new Chosen(streamId, frame, false, type + where);
            }
            default -> {
                int typeAndFlags = in.u16();
                byte[] body = in.longBytes();
                ByteBuf frame = alloc.buffer();
                frame.writeInt(streamId).writeShort(typeAndFlags).writeBytes(body);
                return new Chosen(streamId, frame, false, "raw frame" + where + " type and flags 0x"
                        + Integer.toHexString(typeAndFlags) + " body of " + body.length + " bytes");
            }
        }
    }

    /**
     * Whether RSocket-Java 1.1.5's multiplexer can tell which side of the connection a frame is
     * for. It reads the stream id, and the type of a frame on stream 0, and throws if it cannot
     * (a PAYLOAD with neither NEXT nor COMPLETE, a type it does not know), before any of Parley's
     * code sees the frame. Over TCP, Reactor Netty then closes the connection; over the local
     * transport the exception escapes into the sender and the connection is never closed, which
     * would say nothing of Parley. Such frames are not sent.
     */
    private static boolean classifiable(ByteBuf frame) {
        // A view: RSocket-Java's codecs leave the reader index moved when they throw.
        frame = frame.duplicate();
        try {
            if (FrameHeaderCodec.streamId(frame) == 0) {
                FrameHeaderCodec.frameType(frame);
            }
            return true;
        }
        catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * The streams whose request RSocket-Java is reassembling from fragments, and whether the
     * fragments so far all carried metadata. While it reassembles, RSocket-Java 1.1.5 fails on any
     * frame of the stream but a further fragment or a CANCEL: a REQUEST_N, for one, meets a
     * subscription not yet there (a NullPointerException in
     * {@code RequestStreamResponderSubscriber.handleRequestN}); and on a fragment with metadata
     * after one without, which the protocol forbids (metadata comes first). Either way it closes
     * the connection with a CONNECTION_ERROR, before any of Parley's code sees the request: such
     * frames count as the connection's.
     */
    private static final class Reassembly {

        /** Stream to whether its fragments so far all carried metadata. */
        private final Map<Integer, Boolean> streams = new HashMap<>();

        /** Whether the frame, sent now, meets a reassembly RSocket-Java cannot take it in; and notes what it starts or ends. */
        boolean breaksRSocketJava(ByteBuf frame) {
            frame = frame.duplicate();
            int streamId = FrameHeaderCodec.streamId(frame);
            FrameType type;
            try {
                type = FrameHeaderCodec.nativeFrameType(frame);
            }
            catch (IllegalArgumentException unknown) {
                return streams.containsKey(streamId);
            }
            boolean follows = FrameHeaderCodec.hasFollows(frame);
            boolean metadata = FrameHeaderCodec.hasMetadata(frame);
            Boolean allMetadata = streams.get(streamId);
            switch (type) {
                case REQUEST_RESPONSE, REQUEST_FNF, REQUEST_STREAM, REQUEST_CHANNEL -> {
                    // A request on a stream still open is dropped; one on a stream ended before is served.
                    if (streamId != 0 && follows && allMetadata == null) {
                        streams.put(streamId, metadata);
                    }
                    return false;
                }
                case PAYLOAD -> {
                    if (allMetadata == null) {
                        return false;
                    }
                    int flags = FrameHeaderCodec.flags(frame);
                    if ((flags & FrameHeaderCodec.FLAGS_N) == 0 || metadata && !allMetadata) {
                        return true;
                    }
                    if (follows) {
                        streams.put(streamId, allMetadata && metadata);
                    }
                    else {
                        streams.remove(streamId);
                    }
                    return false;
                }
                case CANCEL -> {
                    streams.remove(streamId);
                    return false;
                }
                default -> {
                    return allMetadata != null;
                }
            }
        }
    }

    /**
     * A stream for a frame: mostly the odd ones a client starts, a few over; stream 0; an even one;
     * any other. Never the held call's or the probe's.
     */
    private static int streamId(FuzzInput in) {
        int s = in.u8();
        int id = switch (s % 16) {
            case 12 -> 0;
            case 13 -> 2 * (1 + s / 16);
            case 14 -> 0x7FFF_FFFD;
            case 15 -> in.i32() & 0x7FFF_FFFF;
            default -> 3 + 2 * (s % 16);
        };
        return id == HELD_STREAM || id == PROBE_STREAM ? 5 : id;
    }

    /** Whether an ERROR's code may end a stream: the stream errors RSocket names, or an application's own. */
    private static boolean isStreamErrorCode(int code) {
        return code == 0x201 || code == 0x202 || code == 0x203 || code == 0x204
                || Integer.compareUnsigned(code, 0x301) >= 0 && code != 0xFFFF_FFFF;
    }

    /** What a request or a PAYLOAD carries: metadata (owned until the frame is written), data, and a description. */
    private static final class Body {

        static final Body NONE = new Body(null, new byte[0], "");

        private final @Nullable ByteBuf metadata;
        private final byte[] data;
        private final String description;

        Body(@Nullable ByteBuf metadata, byte[] data, String description) {
            this.metadata = metadata;
            this.data = data;
            this.description = description;
        }

        @Nullable ByteBuf metadata() {
            return metadata;
        }

        byte[] data() {
            return data;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    private static Body body(FuzzInput in, ByteBufAllocator alloc) {
        int mode = in.u8();
        ByteBuf metadata = metadata(in, alloc, mode);
        byte[] data = switch (in.u8() % 3) {
            case 0 -> new byte[0];
            case 1 -> json(in.shortBytes());
            default -> in.longBytes();
        };
        return new Body(metadata, data, " metadata " + (metadata == null ? "none" : metadata.readableBytes() + " bytes (mode "
                + mode % 5 + ")") + ", data \"" + new String(data, StandardCharsets.UTF_8) + "\"");
    }

    /** Metadata as the mode says: none, a Parley request's, any bytes, a Parley graceful cancel's. */
    private static @Nullable ByteBuf metadata(FuzzInput in, ByteBufAllocator alloc, int mode) {
        switch (mode % 5) {
            case 0 -> {
                return null;
            }
            case 1, 4 -> {
                int m = in.u8();
                byte[] route = m < 2 * FuzzServer.METHODS.size()
                        ? FuzzServer.METHODS.get(m % FuzzServer.METHODS.size()).getBytes(StandardCharsets.US_ASCII)
                        : in.shortBytes();
                if (route.length == 0) {
                    route = new byte[] {'?'};
                }
                long callId = in.u8();
                long timeout = in.u16();
                CallMetadata entries = CallMetadata.EMPTY;
                int e = in.u8();
                if ((e & 1) != 0) {
                    entries = entries.with("tenant", new String(json(in.shortBytes()), StandardCharsets.US_ASCII));
                }
                if ((e & 2) != 0) {
                    entries = entries.with("trace-bin", in.longBytes());
                }
                Credentials credentials = switch (e >> 2 & 3) {
                    case 1 -> Credentials.basic("alice", "secret");
                    case 2 -> Credentials.bearer("token");
                    case 3 -> Credentials.basic(new String(in.shortBytes(), StandardCharsets.UTF_8), "?");
                    default -> null;
                };
                return ParleyMetadataCodec.encodeRequest(alloc, route, new String(route, StandardCharsets.UTF_8), callId,
                        timeout, entries, credentials);
            }
            case 2 -> {
                return alloc.buffer().writeBytes(in.longBytes());
            }
            default -> {
                return ParleyMetadataCodec.encodeCancel(alloc, in.u8(), (mode & 8) != 0);
            }
        }
    }

    /** A JSON string of the bytes, each as a letter, so that it is always valid JSON. */
    private static byte[] json(byte[] bytes) {
        byte[] json = new byte[bytes.length + 2];
        json[0] = '"';
        for (int i = 0; i < bytes.length; i++) {
            json[i + 1] = (byte) ('a' + (bytes[i] & 0xFF) % 26);
        }
        json[json.length - 1] = '"';
        return json;
    }

    /** A frame: header, the fields its type writes before the payload, then metadata (with its length) and data. */
    private static ByteBuf frame(ByteBufAllocator alloc, int streamId, FrameType type, int flags,
            @Nullable Consumer<ByteBuf> fields, Body body) {
        ByteBuf metadata = body.metadata();
        ByteBuf frame = alloc.buffer();
        frame.writeInt(streamId).writeShort(type.getEncodedType() << 10 | flags | (metadata != null ? FrameHeaderCodec.FLAGS_M : 0));
        if (fields != null) {
            fields.accept(frame);
        }
        if (metadata != null) {
            frame.writeMedium(metadata.readableBytes()).writeBytes(metadata);
            metadata.release();
        }
        return frame.writeBytes(body.data());
    }
}
