package io.parley.benchmarks;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.codec.BytesCodec;
import io.parley.core.observation.ParleyObservations;
import io.parley.core.codec.Codec;
import io.parley.core.codec.JsonCodec;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.core.server.ServerStream;
import io.parley.rsocket.RSocketClientTransport;
import io.parley.rsocket.RSocketServerTransport;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;

/**
 * Parley over RSocket TCP: an {@code echo} method (WebFlux style, {@code Mono::just}) and a
 * {@code hold} method in the MS-RPC style that never completes, watches {@code call.cancelled()}
 * and aborts the call once the client cancelled; and a server stream {@code repeat}
 * ({@code ServerMethod.flux}) that sends its request back as items, as the client asks, and
 * watches its stream's {@code cancelled()}. With the bytes codec the payload is a
 * {@code ByteBuffer}, the bytes codec's type that reaches the handler and leaves it without a copy,
 * as raw RSocket's payload does (each item a view of the request); with JSON an {@link EchoMessage}.
 */
final class ParleySystem extends ThreadNamedSystem {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final boolean json;
    /** Whether the server and the client each run one interceptor that does nothing: the cost of the chain itself. */
    private final boolean intercepted;
    /** Whether both sides observe every call, traced by Brave and sampled, its context crossing as metadata. */
    private final boolean traced;
    /** Whether an operator's view polls the server's calls every 10 ms: what listing them costs the calls. */
    private final boolean inspected;
    /** Whether the server has an admission limit that never binds: what counting places costs a call. */
    private final boolean admission;
    private @Nullable Disposable poller;
    /** Whether the client sends every call once ({@code RetryPolicy.NONE}): what being able to retry costs a call. */
    private boolean once;
    private final LoopResources serverLoops = Loops.reactor(serverThreads);
    private final LoopResources clientLoops = Loops.reactor(clientThreads);
    private final Held held = new Held();
    private final Held streamed = new Held();
    private final Map<Integer, Object> requests = new HashMap<>();
    private @Nullable ParleyServer server;
    private @Nullable ParleyClient client;

    private ParleySystem(boolean json, boolean intercepted, boolean traced, boolean inspected, boolean admission) {
        this.json = json;
        this.intercepted = intercepted;
        this.traced = traced;
        this.inspected = inspected;
        this.admission = admission;
    }

    static ParleySystem bytes() {
        return new ParleySystem(false, false, false, false, false);
    }

    static ParleySystem json() {
        return new ParleySystem(true, false, false, false, false);
    }

    /** Parley bytes with a no-op interceptor on each side: what the interceptor chain costs a call. */
    static ParleySystem intercepted() {
        return new ParleySystem(false, true, false, false, false);
    }

    /** Parley bytes with Micrometer observations traced by Brave on each side, every call sampled. */
    static ParleySystem traced() {
        return new ParleySystem(false, false, true, false, false);
    }

    /** Parley bytes whose server's calls are listed every 10 ms, as an operator's view would, far more often. */
    static ParleySystem inspected() {
        return new ParleySystem(false, false, false, true, false);
    }

    /** Parley bytes whose client never retries: its calls take the transport's handle directly. */
    static ParleySystem once() {
        ParleySystem system = new ParleySystem(false, false, false, false, false);
        system.once = true;
        return system;
    }

    /** Parley bytes whose server has an admission limit it never reaches. */
    static ParleySystem admission() {
        return new ParleySystem(false, false, false, false, true);
    }

    @Override
    public String name() {
        return json ? "Parley JSON" : intercepted ? "Parley bytes, interceptors" : traced ? "Parley bytes, traced"
                : inspected ? "Parley bytes, inspected" : admission ? "Parley bytes, admission"
                : once ? "Parley bytes, no retries" : "Parley bytes";
    }

    private Class<?> type() {
        return json ? EchoMessage.class : ByteBuffer.class;
    }

    private Codec codec() {
        return json ? JsonCodec.create() : BytesCodec.create();
    }

    @Override
    public void start(int[] payloadSizes) {
        ParleyServer.Builder serverBuilder = ParleyServer.builder();
        ParleyClient.Builder clientBuilder = ParleyClient.builder();
        if (intercepted) {
            serverBuilder.interceptor((call, context) -> Mono.just(context));
            clientBuilder.interceptor((call, context) -> Mono.just(context));
        }
        if (traced) {
            serverBuilder.interceptor(ParleyObservations.serverInterceptor(Traced.registry()));
            clientBuilder.interceptor(ParleyObservations.clientInterceptor(Traced.registry()));
        }
        if (admission) {
            serverBuilder.maxCallsInFlight(1 << 20, 0, Duration.ofSeconds(1));
        }
        if (once) {
            clientBuilder.retry(io.parley.core.client.RetryPolicy.NONE);
        }
        server = serverBuilder
                .codec(codec())
                .method(echo(type()))
                .method(hold(type()))
                .method(repeat(type()))
                .transport(RSocketServerTransport.tcp("127.0.0.1", 0).runOn(serverLoops))
                .bindNow();
        String address = server.address();
        client = clientBuilder
                .codec(codec())
                .transport(RSocketClientTransport.tcp("127.0.0.1", Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)))
                        .runOn(clientLoops))
                .build();
        for (int size : payloadSizes) {
            requests.put(size, json ? EchoMessage.ofSize(size) : ByteBuffer.wrap(Payloads.bytes(size)));
            client.call("echo", requests.get(size), type()).block(TIMEOUT);
        }
        requests.put(0, json ? EchoMessage.ofSize(64) : ByteBuffer.wrap(Payloads.bytes(64)));
        if (inspected) {
            ParleyServer s = server;
            reactor.core.scheduler.Scheduler inspector = Schedulers.newSingle("inspector");
            poller = Disposables.composite(Flux.interval(Duration.ofMillis(10), inspector).subscribe(tick -> s.calls()), inspector);
        }
    }

    private static <T> ServerMethod<T, T> echo(Class<T> type) {
        return ServerMethod.mono("echo", type, Mono::just);
    }

    private <T> ServerMethod<T, T> hold(Class<T> type) {
        return ServerMethod.async("hold", type, (T request, AsyncCall<T> call) -> {
            held.started();
            call.cancelled().subscribe(null, null, () -> {
                held.cancelled();
                call.abort(RpcStatus.CALL_CANCELLED.value());
            });
        });
    }

    private <T> ServerMethod<T, T> repeat(Class<T> type) {
        return ServerMethod.flux("repeat", type, (T request, ServerStream<T> stream) -> {
            streamed.started();
            stream.cancelled().subscribe(null, null, streamed::cancelled);
            return Flux.<T>generate(sink -> sink.next(request));
        });
    }

    @Override
    public void call(int payloadSize, Done done) {
        client.call("echo", requests.get(payloadSize), type()).subscribe(reply -> done.ok(), done::failed);
    }

    @Override
    public boolean holds() {
        return true;
    }

    @Override
    public Runnable hold() {
        return client.call("hold", requests.get(0), type()).subscribe(reply -> { }, error -> { })::dispose;
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
        return Batches.read(client.stream("repeat", requests.get(payloadSize), type()), batch, items, item -> { });
    }

    @Override
    public Held streamed() {
        return streamed;
    }

    @Override
    public void close() {
        if (poller != null) {
            poller.dispose();
        }
        if (client != null) {
            client.dispose();
        }
        if (server != null) {
            server.dispose();
        }
        Loops.dispose(clientLoops);
        Loops.dispose(serverLoops);
    }
}
