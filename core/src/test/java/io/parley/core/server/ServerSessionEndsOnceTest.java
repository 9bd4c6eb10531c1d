package io.parley.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.codec.Codec;
import io.parley.core.codec.JsonCodec;
import io.parley.core.server.ServerSessionTest.Recorder;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.ServerSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.util.RaceTestUtils;

/**
 * Calls that end twice or never, as a transport sees them through the SPI ({@link ServerSession}).
 * These fail on the code as reviewed (2706f51) and pass with the fixes described in the review.
 * <ul>
 * <li>The connection closes while the transport subscribes: ServerCall.subscribe registers the
 * call before onSubscribe and Session.close errors it from outside the ENDED protocol, so the
 * transport's subscriber sees onError twice, or onError before onSubscribe.</li>
 * <li>The codec throws something other than CodecException: complete() has set ENDED and then
 * throws, so nothing is ever sent, the call stays registered and the client waits forever;
 * Session.handle lets it escape instead of returning a Mono that errors with an RpcFault.</li>
 * </ul>
 */
class ServerSessionEndsOnceTest {

    private static final int ROUNDS = 50_000;

    private final Queue<AsyncCall<String>> held = new ConcurrentLinkedQueue<>();
    private final SessionTransport transport = new SessionTransport();
    private ParleyServer server;
    private Scheduler racers;

    @BeforeEach
    void start() {
        JsonCodec json = JsonCodec.create();
        // A codec with a bug: it throws something other than CodecException for one type of value.
        Codec buggy = new Codec() {
            @Override
            public String mimeType() {
                return json.mimeType();
            }

            @Override
            public ByteBuffer encode(Object value) {
                if (value instanceof CodecBug) {
                    throw new IllegalStateException("codec bug while encoding");
                }
                return json.encode(value);
            }

            @Override
            public Object decode(ByteBuffer data, Type type) {
                if (type == CodecBug.class) {
                    throw new IllegalStateException("codec bug while decoding");
                }
                return json.decode(data, type);
            }
        };
        server = ParleyServer.builder()
                .method(ServerMethod.async("hold", String.class, (String request, AsyncCall<String> call) -> held.add(call)))
                .method(ServerMethod.async("decodeBug", CodecBug.class, (CodecBug request, AsyncCall<String> call) -> call.complete("unreachable")))
                .codec(buggy)
                .transport(transport)
                .bindNow();
        // RaceTestUtils spins with Thread.yield, which BlockHound forbids on non-blocking threads.
        racers = Schedulers.fromExecutorService(Executors.newFixedThreadPool(2), "spi-racer");
    }

    @AfterEach
    void stop() {
        server.dispose();
        racers.dispose();
    }

    private static RpcRequest request(long id) {
        return new RpcRequest("hold", id, null, JsonCodec.create().encode("x"));
    }

    @Test
    void connectionClosedWhileTheTransportSubscribes_replySignalsOnSubscribeFirst_andEndsOnce() {
        for (int i = 0; i < ROUNDS; i++) {
            ServerSession session = transport.openSession();
            Flux<ByteBuffer> reply = session.handle(request(1));
            Recorder recorder = new Recorder(1);

            RaceTestUtils.race(racers, () -> reply.subscribe(recorder), session::close);

            List<String> signals = recorder.awaitTerminal();
            assertThat(signals).as("round %d", i).containsExactly("onSubscribe", "onError " + RpcStatus.COMM_FAILURE);
        }
        held.clear();
        assertThat(server.activeCalls()).isZero();
    }

    @Test
    void completeCall_codecThrowsUnexpectedly_endsTheCallWithBadStubData_andItLeavesTheSession() {
        ServerSession session = transport.openSession();
        Recorder recorder = new Recorder(1);
        session.handle(request(1)).subscribe(recorder);
        @SuppressWarnings({"unchecked", "rawtypes"})
        AsyncCall<Object> call = (AsyncCall) held.poll();
        assertThat(call).isNotNull();

        AtomicReference<Object> returned = new AtomicReference<>();
        try {
            returned.set(call.complete(new CodecBug()));
        }
        catch (RuntimeException e) {
            returned.set(e);
        }

        assertThat(recorder.awaitTerminal()).as("the transport's reply ends").containsExactly("onSubscribe", "onError " + RpcStatus.BAD_STUB_DATA);
        assertThat(server.activeCalls()).as("the call leaves the session").isZero();
        assertThat(returned.get()).as("complete() returns a status, never throws").isEqualTo(RpcStatus.BAD_STUB_DATA);
    }

    @Test
    void handle_codecThrowsUnexpectedlyDecodingTheRequest_errorsWithAnRpcFault_andNeverThrows() {
        ServerSession session = transport.openSession();
        AtomicReference<Object> outcome = new AtomicReference<>();
        try {
            session.handle(new RpcRequest("decodeBug", 1, null, JsonCodec.create().encode("x")))
                    .subscribe(v -> outcome.set(v), outcome::set);
        }
        catch (RuntimeException e) {
            outcome.set("handle threw " + e);
        }
        assertThat(outcome.get()).isInstanceOfSatisfying(RpcFault.class,
                f -> assertThat(f.status()).isEqualTo(RpcStatus.BAD_STUB_DATA));
    }

    /** A value the test's codec cannot handle, and says so the wrong way. */
    public static final class CodecBug {
    }
}
