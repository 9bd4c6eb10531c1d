package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.netty.buffer.ByteBuf;
import io.parley.test.NettyLeakDetection;
import io.rsocket.frame.FrameHeaderCodec;
import io.rsocket.frame.FrameType;

/**
 * A Parley server's acceptance of a connection fed whatever SETUP frame a peer may send: any
 * version, keepalive and lifetime, lease and resume flags and token, MIME types, metadata and
 * data, or a frame that is no SETUP at all. Each connection is accepted, and then serves a call,
 * answering it or ending it with Parley's fault text; or it is refused with an ERROR on stream 0,
 * Parley's own refusals (REJECTED_SETUP) in Parley's fault text, and closed. Nothing hangs, the
 * server keeps no call and no buffer of it, and a well-formed connection made after a refused one
 * is served. Half the inputs go to a server with leases and resumption.
 *
 * <p>Input layout: a byte of choices (which server, which flags, a frame built field by field or
 * raw), then the fields (see {@link #setupFrame}). The corpus under
 * {@code ParleySocketAcceptorFuzzTestInputs/} is replayed by every build; see the README's "Fuzzing".
 */
@ExtendWith(NettyLeakDetection.class)
class ParleySocketAcceptorFuzzTest {

    private static final int PROBE_STREAM = 1;

    /**
     * RSocket's errors of a connection's first frame: INVALID_SETUP, UNSUPPORTED_SETUP,
     * REJECTED_SETUP, REJECTED_RESUME (a RESUME where a SETUP was due); and CONNECTION_ERROR.
     */
    private static final List<Integer> SETUP_ERRORS = List.of(0x001, 0x002, 0x003, 0x004, 0x101);

    private static final int REJECTED_SETUP = 0x003;

    private static @Nullable FuzzServer plain;
    private static @Nullable FuzzServer leasedAndResumable;

    @BeforeAll
    static void startServers() {
        plain = new FuzzServer(transport -> transport);
        // A short resumption window: a session accepted with a token outlives its connection that long.
        leasedAndResumable = new FuzzServer(transport -> transport.leases(Duration.ofSeconds(10)).resume(Duration.ofMillis(20)));
    }

    @AfterAll
    static void stopServers() {
        for (FuzzServer s : new FuzzServer[] {plain, leasedAndResumable}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @FuzzTest
    void anySetup_isAcceptedAndServes_orIsRefusedWithAClearError(byte[] input) {
        FuzzInput in = new FuzzInput(input);
        int choices = in.u8();
        FuzzServer server = Objects.requireNonNull((choices & 1) == 0 ? plain : leasedAndResumable);
        String setup;
        boolean refused;
        try (RawPeer peer = new RawPeer(server.name())) {
            StringBuilder description = new StringBuilder();
            peer.send(0, setupFrame(in, choices, peer, description));
            setup = description.toString();
            peer.send(PROBE_STREAM, FuzzServer.request(peer.alloc(), PROBE_STREAM, "echo", 1, "\"probe\""));

            RawPeer.Frame answer = peer.await("an answer to " + setup, f -> f.streamId() == 0 && f.isError()
                    || f.streamId() == PROBE_STREAM && (f.isError() || f.type() == FrameType.PAYLOAD));
            refused = answer == null || answer.streamId() == 0;
            if (answer != null && answer.streamId() == 0) {
                assertThat(answer.errorCode()).as("the refusal of " + setup + ": " + answer).isIn(SETUP_ERRORS);
                if (answer.errorCode() == REJECTED_SETUP) {
                    assertThat(FaultCodec.parse(answer.data())).as("Parley's refusal of " + setup + ": " + answer).isNotNull();
                }
                peer.await("the connection's close after " + answer, f -> false);
            }
            else if (answer != null && answer.isError()) {
                FuzzServer.assertParleysError(answer);
            }
            else if (answer != null) {
                assertThat(answer.data()).as("the call's reply on " + setup).isEqualTo("\"probe\"");
            }
        }
        server.awaitNoCalls();

        if (refused) {
            try (RawPeer fresh = new RawPeer(server.name())) {
                fresh.send(0, FuzzServer.setup(fresh.alloc(), server == plain ? 0 : FuzzServer.FLAGS_LEASE));
                fresh.send(PROBE_STREAM, FuzzServer.request(fresh.alloc(), PROBE_STREAM, "echo", 1, "\"fresh\""));
                RawPeer.Frame answer = fresh.awaitEnd("a well-formed connection's call after " + setup, PROBE_STREAM);
                assertThat(answer).as("a well-formed connection's call after " + setup).isNotNull();
                FuzzServer.assertReply(answer, "\"fresh\"", "a well-formed connection's call after " + setup);
            }
            server.awaitNoCalls();
        }
    }

    /**
     * The SETUP frame the input describes. Choices: bit 0 the server (not read here), bit 1 the
     * metadata flag, bit 2 resume, bit 3 lease, bit 4 a version of the input's, bit 5 any
     * keepalive and lifetime of the input's, bit 6 the MIME types as bytes of the input's (else
     * picked from a list), bit 7 a raw body after a header of the input's.
     */
    private static ByteBuf setupFrame(FuzzInput in, int choices, RawPeer peer, StringBuilder description) {
        if ((choices & 0x80) != 0) {
            int typeAndFlags = in.u16();
            byte[] body = in.longBytes();
            description.append("a SETUP-ish frame with type and flags 0x").append(Integer.toHexString(typeAndFlags))
                    .append(" and a body of ").append(body.length).append(" bytes");
            return peer.alloc().buffer().writeInt(0).writeShort(typeAndFlags).writeBytes(body);
        }
        int flags = ((choices & 2) != 0 ? FrameHeaderCodec.FLAGS_M : 0) | ((choices & 4) != 0 ? FuzzServer.FLAGS_RESUME : 0)
                | ((choices & 8) != 0 ? FuzzServer.FLAGS_LEASE : 0);
        int version = (choices & 0x10) != 0 ? in.i32() : FuzzServer.VERSION_1_0;
        int keepAlive = (choices & 0x20) != 0 ? in.i32() : 20_000;
        int lifetime = (choices & 0x20) != 0 ? in.i32() : 90_000;
        byte[] token = (flags & FuzzServer.FLAGS_RESUME) != 0 ? in.shortBytes() : new byte[0];
        byte[] metadataMime = (choices & 0x40) != 0 ? in.shortBytes() : mime(in.u8());
        byte[] dataMime = (choices & 0x40) != 0 ? in.shortBytes() : mime(in.u8());
        byte[] metadata = (flags & FrameHeaderCodec.FLAGS_M) != 0 ? in.longBytes() : null;
        byte[] data = in.longBytes();
        description.append("SETUP flags=").append(Integer.toBinaryString(flags)).append(" version=0x")
                .append(Integer.toHexString(version)).append(" keepalive=").append(keepAlive).append(" lifetime=")
                .append(lifetime).append(" token=").append(token.length).append(" bytes, mime types \"")
                .append(new String(metadataMime, StandardCharsets.ISO_8859_1)).append("\" \"")
                .append(new String(dataMime, StandardCharsets.ISO_8859_1)).append("\", metadata ")
                .append(metadata == null ? "none" : metadata.length + " bytes").append(", data ").append(data.length).append(" bytes");
        return FuzzServer.setup(peer.alloc(), flags, version, keepAlive, lifetime, token, metadataMime, dataMime, metadata, data);
    }

    /** The MIME types a SETUP is likely to name. */
    private static final List<String> MIME_TYPES = List.of(ParleyMetadataCodec.COMPOSITE_MIME_TYPE,
            ParleyMetadataCodec.ROUTING_MIME_TYPE, "application/json", "application/cbor", "application/octet-stream",
            "text/plain", "");

    private static byte[] mime(int choice) {
        return MIME_TYPES.get(choice % MIME_TYPES.size()).getBytes(StandardCharsets.US_ASCII);
    }
}
