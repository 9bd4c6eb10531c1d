package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.codec.BytesCodec;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import io.parley.test.transport.TransportFixture;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@code ByteBuffer} request reaches its handler as a view of the bytes the transport received,
 * and a reply that is such a view leaves without a copy: the request's buffer stays with the call
 * until its reply is written, and goes back to the pool once, whichever way the call ends — the
 * leak detector fails the class otherwise.
 */
@ExtendWith(NettyLeakDetection.class)
class ZeroCopyTest extends CallTestSupport {

    private static final int SIZE = 4096;

    private RSocketFixture transport = RSocketFixture.TCP;
    private final Queue<Boolean> directRequests = new ConcurrentLinkedQueue<>();
    private final Queue<AsyncCall<ByteBuffer>> heldViews = new ConcurrentLinkedQueue<>();
    private final Queue<ByteBuffer> heldRequests = new ConcurrentLinkedQueue<>();
    private final Queue<Integer> neverStarted = new ConcurrentLinkedQueue<>();

    @Override
    protected TransportFixture fixture() {
        return transport;
    }

    private ParleyClient start(RSocketFixture on) {
        transport = on;
        ParleyServer server = startServer(b -> b.codec(BytesCodec.create())
                .method(ServerMethod.mono("view", ByteBuffer.class, request -> {
                    directRequests.add(request.isDirect());
                    return Mono.just(request);
                }))
                .method(ServerMethod.mono("middle", ByteBuffer.class, request -> Mono.just(request.slice(10, 100))))
                .method(ServerMethod.mono("heap", ByteBuffer.class, request -> Mono.just(ByteBuffer.wrap(new byte[] {7}))))
                .method(ServerMethod.mono("never", ByteBuffer.class, request -> {
                    neverStarted.add(request.remaining());
                    return Mono.<ByteBuffer>never();
                }))
                .method(ServerMethod.async("keep", ByteBuffer.class, (ByteBuffer request, AsyncCall<ByteBuffer> call) -> {
                    heldRequests.add(request);
                    heldViews.add(call);
                })));
        return client(server, b -> b.codec(BytesCodec.create()));
    }

    private static ByteBuffer pattern(int size, int seed) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + seed);
        }
        return ByteBuffer.wrap(bytes);
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    @ParameterizedTest
    @EnumSource(value = RSocketFixture.class, names = {"TCP", "WEBSOCKET"})
    void request_isAViewOfTheReceivedDirectBuffer_andItsEchoComesBackWhole(RSocketFixture on) {
        ParleyClient client = start(on);
        ByteBuffer request = pattern(SIZE, 1);

        ByteBuffer reply = client.call("view", request, ByteBuffer.class).block(TIMEOUT);

        assertThat(bytesOf(reply)).isEqualTo(bytesOf(request));
        assertThat(directRequests).containsExactly(true);
        // The client keeps what BytesCodec decodes: its reply is its own, on the heap, not the transport's buffer.
        assertThat(reply.isDirect()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = RSocketFixture.class, names = {"TCP", "WEBSOCKET"})
    void manyCallsInFlight_eachReplyIsItsOwnRequest_noBufferIsReusedBeforeItsReplyIsWritten(RSocketFixture on) {
        ParleyClient client = start(on);

        // 64 in flight is what the property needs; the count only bounds the time PARANOID leak tracking takes.
        List<Boolean> intact = Flux.range(0, 200)
                .flatMap(i -> client.call("view", pattern(SIZE + i, i), ByteBuffer.class)
                        .map(reply -> Arrays.equals(bytesOf(reply), bytesOf(pattern(SIZE + i, i)))), 64)
                .collectList()
                .block(Duration.ofSeconds(60));

        assertThat(intact).hasSize(200).containsOnly(true);
    }

    @ParameterizedTest
    @EnumSource(value = RSocketFixture.class, names = {"TCP", "WEBSOCKET"})
    void replyThatIsPartOfTheRequest_isSentAsIs(RSocketFixture on) {
        ParleyClient client = start(on);
        ByteBuffer request = pattern(SIZE, 3);

        ByteBuffer reply = client.call("middle", request, ByteBuffer.class).block(TIMEOUT);

        assertThat(bytesOf(reply)).isEqualTo(bytesOf(request.slice(10, 100)));
    }

    @ParameterizedTest
    @EnumSource(value = RSocketFixture.class, names = {"TCP", "WEBSOCKET"})
    void everyWayACallEnds_givesTheRequestBack(RSocketFixture on) {
        ParleyClient client = start(on);

        assertThat(bytesOf(client.call("heap", pattern(SIZE, 4), ByteBuffer.class).block(TIMEOUT))).containsExactly(7);
        Disposable never = client.call("never", pattern(SIZE, 5), ByteBuffer.class).subscribe();
        await("the never-ending call to reach its handler", () -> !neverStarted.isEmpty());
        client.call("keep", pattern(SIZE, 6), ByteBuffer.class).subscribe(reply -> { }, error -> { });
        await("the kept call to reach its handler", () -> !heldViews.isEmpty());
        never.dispose();
        AsyncCall<ByteBuffer> kept = heldViews.remove();
        Disposable cancelled = client.call("keep", pattern(SIZE, 7), ByteBuffer.class).subscribe(reply -> { }, error -> { });
        await("the second kept call to reach its handler", () -> !heldViews.isEmpty());
        AsyncCall<ByteBuffer> abandoned = heldViews.remove();
        cancelled.dispose();
        awaitCancel(abandoned);

        // Abandoned by its client, the call still has its request until its handler ends it.
        ByteBuffer stillReadable = heldRequests.stream().skip(1).findFirst().orElseThrow();
        assertThat(bytesOf(stillReadable)).isEqualTo(bytesOf(pattern(SIZE, 7)));
        assertThat(abandoned.complete(stillReadable)).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(kept.abort(5)).isEqualTo(RpcStatus.OK);
        RpcFault unknown = faultOf(client.call("missing", pattern(SIZE, 8), ByteBuffer.class));
        assertThat(unknown.status()).isEqualTo(RpcStatus.PROCNUM_OUT_OF_RANGE);
        assertThat(IntStream.range(0, 3).mapToObj(i -> bytesOf(client.call("view", pattern(SIZE, i), ByteBuffer.class).block(TIMEOUT)).length)
                .collect(Collectors.toList())).containsOnly(SIZE);
    }
}
