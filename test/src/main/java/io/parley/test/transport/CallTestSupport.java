package io.parley.test.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.codec.Codec;
import io.parley.core.codec.JsonCodec;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Servers, clients and a handful of methods shared by the call-semantics suites. Each suite
 * names its transport through {@link #fixture()}.
 */
public abstract class CallTestSupport {

    /** The bound for every wait in these suites: far beyond any healthy answer, short enough to fail fast. */
    protected static final Duration TIMEOUT = Duration.ofSeconds(10);

    /**
     * Calls that reached the "hold" method, for the test to complete or abort. Lock-free: the
     * handlers add to it on non-blocking threads, where a contended lock parks and BlockHound
     * fails the handler (a LinkedBlockingQueue did, now and then).
     */
    protected final Queue<AsyncCall<String>> held = new ConcurrentLinkedQueue<>();

    /** How many times a "monoHold" handler's Mono was cancelled: the client abandoned its call. */
    protected final AtomicInteger handlerMonoCancels = new AtomicInteger();

    /** How many times the server's codec encoded something: a reply that was marshalled. */
    protected final AtomicInteger serverEncodes = new AtomicInteger();

    private final List<Disposable> resources = new ArrayList<>();

    protected abstract TransportFixture fixture();

    /**
     * Whether {@link #client} hands out clients that have already made a call, so that the suite's
     * calls go out on a live connection rather than one made for them. The suites run both ways.
     */
    protected boolean warmClient() {
        return false;
    }

    @AfterEach
    void disposeResources() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).dispose();
        }
    }

    /** The methods every suite server serves. */
    protected List<ServerMethod<?, ?>> methods() {
        List<ServerMethod<?, ?>> methods = new ArrayList<>();
        methods.add(ServerMethod.async("hold", String.class, (String request, AsyncCall<String> call) -> held.add(call)));
        methods.add(ServerMethod.mono("echo", String.class, Mono::just));
        methods.add(ServerMethod.async("abort", Integer.class, (Integer code, AsyncCall<String> call) -> call.abort(code)));
        methods.add(ServerMethod.async("completeVoid", String.class, (String request, AsyncCall<Void> call) -> call.complete(null)));
        methods.add(ServerMethod.async("completeOnReceivingThread", String.class, (String request, AsyncCall<String> call) -> {
            RpcStatus status = call.complete(Thread.currentThread().getName());
            if (!status.isOk()) {
                throw new IllegalStateException("complete returned " + status);
            }
        }));
        methods.add(ServerMethod.async("throwUnexpected", String.class, (String request, AsyncCall<String> call) -> {
            throw new IllegalStateException("secret server detail");
        }));
        methods.add(ServerMethod.async("throwFault", Integer.class, (Integer code, AsyncCall<String> call) -> {
            throw new RpcFault(code, "thrown by the handler");
        }));
        methods.add(ServerMethod.mono("monoError", String.class,
                request -> Mono.error(new IllegalStateException("secret server detail"))));
        methods.add(ServerMethod.mono("monoFault", Integer.class, code -> Mono.error(new RpcFault(code, null))));
        methods.add(ServerMethod.mono("monoEmpty", String.class, request -> Mono.empty()));
        methods.add(ServerMethod.mono("monoNull", String.class, request -> null));
        methods.add(ServerMethod.async("unencodableReply", String.class,
                (String request, AsyncCall<Object> call) -> call.complete(new Unencodable())));
        methods.add(ServerMethod.mono("monoHold", String.class, (String request, AsyncCall<String> call) -> {
            held.add(call);
            return Mono.<String>never().doOnCancel(handlerMonoCancels::incrementAndGet);
        }));
        return methods;
    }

    /** Starts a server with {@link #methods()} on a fresh transport. */
    protected ParleyServer startServer() {
        return startServer(builder -> { });
    }

    /** Starts a server with {@link #methods()}, customized. */
    protected ParleyServer startServer(Consumer<ParleyServer.Builder> customizer) {
        Codec codec = countingJson();
        ParleyServer.Builder builder = ParleyServer.builder()
                .methods(methods())
                .codec(codec)
                .transport(fixture().serverTransport());
        customizer.accept(builder);
        ParleyServer server = builder.bindNow();
        resources.add(server);
        return server;
    }

    /** A client of the given server. */
    protected ParleyClient client(ParleyServer server) {
        return client(server, builder -> { });
    }

    /** A client of the given server, customized. */
    protected ParleyClient client(ParleyServer server, Consumer<ParleyClient.Builder> customizer) {
        ParleyClient.Builder builder = ParleyClient.builder().transport(fixture().clientTransport(server));
        customizer.accept(builder);
        ParleyClient client = builder.build();
        resources.add(client);
        if (warmClient()) {
            assertThat(client.call("echo", "warm", String.class).block(TIMEOUT)).isEqualTo("warm");
            // The warm-up's reply is not the test's.
            serverEncodes.decrementAndGet();
        }
        return client;
    }

    /** Keeps a subscription for disposal after the test. */
    protected Disposable track(Disposable disposable) {
        resources.add(disposable);
        return disposable;
    }

    /**
     * A call made to "hold": the client's reply (cached, so it can be read more than once), the
     * subscription that made it (disposing it cancels the call abortively), and the server's call.
     */
    protected record HeldCall(Mono<String> reply, Disposable subscription, AsyncCall<String> call) {
    }

    /** Makes a call to "hold" on the server and waits until the server holds it. */
    protected HeldCall hold(ParleyServer server) {
        Sinks.One<String> outcome = Sinks.one();
        Disposable subscription = track(client(server).call("hold", "x", String.class)
                .subscribe(outcome::tryEmitValue, outcome::tryEmitError, outcome::tryEmitEmpty));
        return new HeldCall(outcome.asMono(), subscription, nextHeldCall());
    }

    /** The next call that reached "hold" or "monoHold". */
    protected AsyncCall<String> nextHeldCall() {
        return next(held, "a call reaching the server");
    }

    /**
     * Takes the next element a handler adds to a lock-free queue, waiting up to {@link #TIMEOUT}.
     * A handler runs on an event loop, where a contended lock (a {@code BlockingQueue}'s) parks and
     * BlockHound fails the handler, after the element was added: the test would hold a call ended.
     */
    public static <T> T next(Queue<T> queue, String what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        T next;
        while ((next = queue.poll()) == null) {
            if (System.nanoTime() > deadline) {
                fail("not within " + TIMEOUT + ": " + what);
            }
            LockSupport.parkNanos(50_000);
        }
        return next;
    }

    /** Waits until the server's call has seen a cancel. */
    protected static void awaitCancel(AsyncCall<?> call) {
        call.cancelled().block(TIMEOUT);
        assertThat(call.testCancel()).isEqualTo(RpcStatus.OK);
    }

    /** Waits for a condition that another thread makes true. */
    protected static void await(String what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + TIMEOUT + ": " + what);
            }
            LockSupport.parkNanos(100_000);
        }
    }

    /** The fault a Mono ended with. */
    protected static RpcFault faultOf(Mono<?> mono) {
        try {
            mono.block(TIMEOUT);
        }
        catch (RpcFault fault) {
            return fault;
        }
        throw new AssertionError("expected the call to end with an RpcFault, but it succeeded");
    }

    private Codec countingJson() {
        Codec json = JsonCodec.create();
        return new Codec() {
            @Override
            public String mimeType() {
                return json.mimeType();
            }

            @Override
            public java.nio.ByteBuffer encode(Object value) {
                serverEncodes.incrementAndGet();
                return json.encode(value);
            }

            @Override
            public Object decode(java.nio.ByteBuffer data, java.lang.reflect.Type type) {
                return json.decode(data, type);
            }
        };
    }

    /** A reply that Jackson cannot write: its only property throws. */
    public static final class Unencodable {
        public String getValue() {
            throw new IllegalStateException("cannot be read");
        }
    }
}
