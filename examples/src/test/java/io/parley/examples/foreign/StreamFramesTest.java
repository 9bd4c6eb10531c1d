package io.parley.examples.foreign;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.HexFormat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;

import io.netty.buffer.ByteBufUtil;
import io.parley.core.RpcStatus;
import io.parley.core.client.CallOptions;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientStream;
import io.parley.core.client.ParleyClient;
import io.parley.rsocket.RSocketClientTransport;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpServer;

/**
 * The frames of {@code docs/wire-protocol.md} §2.3 and §7, byte for byte: what a Parley client
 * sends over TCP, read by a bare TCP server that answers nothing. Each expected frame below is
 * the doc's example without its TCP length prefix.
 */
class StreamFramesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    /** §2.3: REQUEST_RESPONSE, stream 1; "echo", call id 1, timeout 2 000 ms; data {@code "hi"}. */
    static final String REQUEST_RESPONSE = ""
            + "00 00 00 01 11 00 00 00 31 fe 00 00 05 04 65 63"
            + " 68 6f 17 6d 65 73 73 61 67 65 2f 78 2e 70 61 72"
            + " 6c 65 79 2e 63 61 6c 6c 2e 76 30 00 00 0c 00 00"
            + " 00 00 00 00 00 01 00 00 07 d0 22 68 69 22";

    /** §7.2: REQUEST_STREAM, stream 1, initial request-n 8; "ticks", call id 1; data {@code 5}. */
    static final String REQUEST_STREAM = ""
            + "00 00 00 01 19 00 00 00 00 08 00 00 32 fe 00 00"
            + " 06 05 74 69 63 6b 73 17 6d 65 73 73 61 67 65 2f"
            + " 78 2e 70 61 72 6c 65 79 2e 63 61 6c 6c 2e 76 30"
            + " 00 00 0c 00 00 00 00 00 00 00 01 00 00 00 00 35";

    /** §7.5: METADATA_PUSH on stream 0, naming call 1 (not stream 1). */
    static final String GRACEFUL_CANCEL = ""
            + "00 00 00 00 31 00 19 6d 65 73 73 61 67 65 2f 78"
            + " 2e 70 61 72 6c 65 79 2e 63 61 6e 63 65 6c 2e 76"
            + " 30 00 00 08 00 00 00 00 00 00 00 01";

    /** §7.3: REQUEST_CHANNEL, stream 3, initial request-n 2^31-1 (all); "upper", call id 2; first request {@code "a"}. */
    static final String REQUEST_CHANNEL = ""
            + "00 00 00 03 1d 00 7f ff ff ff 00 00 32 fe 00 00"
            + " 06 05 75 70 70 65 72 17 6d 65 73 73 61 67 65 2f"
            + " 78 2e 70 61 72 6c 65 79 2e 63 61 6c 6c 2e 76 30"
            + " 00 00 0c 00 00 00 00 00 00 00 02 00 00 00 00 22"
            + " 61 22";

    /** §7.4: REQUEST_FNF, stream 5; "log", call id 3; data {@code "x"}. */
    static final String REQUEST_FNF = ""
            + "00 00 00 05 15 00 00 00 30 fe 00 00 04 03 6c 6f"
            + " 67 17 6d 65 73 73 61 67 65 2f 78 2e 70 61 72 6c"
            + " 65 79 2e 63 61 6c 6c 2e 76 30 00 00 0c 00 00 00"
            + " 00 00 00 00 03 00 00 00 00 22 78 22";

    /** Each frame the bare server reads, without its 3-byte length; its one connection's frames in order. */
    private final Sinks.Many<byte[]> frames = Sinks.many().replay().all();
    private DisposableServer server;
    private ParleyClient client;

    @BeforeEach
    void start() {
        server = TcpServer.create()
                .host("127.0.0.1")
                .port(0)
                .handle((in, out) -> {
                    Framer framer = new Framer(frames);
                    return in.receive().doOnNext(bytes -> framer.read(ByteBufUtil.getBytes(bytes))).then(Mono.never());
                })
                .bindNow();
        client = ParleyClient.builder()
                .transport(RSocketClientTransport.tcp("127.0.0.1", server.port()))
                .build();
    }

    @AfterEach
    void dispose() {
        client.dispose();
        server.disposeNow();
    }

    /** The next frame of the given RSocket frame type (the high 6 bits of the bytes after the stream id). */
    private String nextFrame(int type) {
        byte[] frame = frames.asFlux().filter(f -> (f[4] & 0xff) >> 2 == type).next().block(TIMEOUT);
        assertThat(frame).as("a frame of type 0x%02x", type).isNotNull();
        return HexFormat.ofDelimiter(" ").formatHex(frame);
    }

    @Test
    void unaryCall_isTheDocsFrame() {
        client.call("echo", "hi", String.class, CallOptions.timeout(Duration.ofSeconds(2), Duration.ofSeconds(5)))
                .subscribe(reply -> { }, error -> { });

        assertThat(nextFrame(0x04)).isEqualTo(REQUEST_RESPONSE);
    }

    @Test
    void serverStream_gracefulCancel_channel_andOneWay_areTheDocsFrames() {
        ClientStream<Integer> stream = client.startStream("ticks", 5, Integer.class);
        stream.items().subscribe(new BaseSubscriber<Integer>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                subscription.request(8);
            }

            @Override
            protected void hookOnError(Throwable error) {
                // The bare server answers nothing; the call ends when the test closes the connection.
            }
        });
        assertThat(nextFrame(0x06)).isEqualTo(REQUEST_STREAM);

        assertThat(stream.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);
        assertThat(nextFrame(0x0C)).isEqualTo(GRACEFUL_CANCEL);

        client.channel("upper", Flux.just("a", "b"), String.class).subscribe(item -> { }, error -> { });
        assertThat(nextFrame(0x07)).isEqualTo(REQUEST_CHANNEL);

        client.send("log", "x").block(TIMEOUT);
        assertThat(nextFrame(0x05)).isEqualTo(REQUEST_FNF);
    }

    /** Cuts a TCP byte stream into RSocket frames: a uint24 length, then the frame. Used on one event loop. */
    private static final class Framer {

        private final Sinks.Many<byte[]> frames;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        Framer(Sinks.Many<byte[]> frames) {
            this.frames = frames;
        }

        void read(byte[] bytes) {
            pending.writeBytes(bytes);
            byte[] all = pending.toByteArray();
            int at = 0;
            while (all.length - at >= 3) {
                int length = (all[at] & 0xff) << 16 | (all[at + 1] & 0xff) << 8 | (all[at + 2] & 0xff);
                if (all.length - at - 3 < length) {
                    break;
                }
                byte[] frame = new byte[length];
                System.arraycopy(all, at + 3, frame, 0, length);
                frames.tryEmitNext(frame);
                at += 3 + length;
            }
            pending.reset();
            pending.write(all, at, all.length - at);
        }
    }
}
