package io.parley.test;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerCallInfo;
import io.parley.core.server.ServerInterceptor;
import io.parley.core.server.ServerMethod;
import io.parley.test.transport.TransportFixture;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Serves a test's methods and hands the test a client of them: in-process by default, or over any
 * transport a {@link TransportFixture} names. Every call the server ends is recorded as a
 * {@link ServedCall}, so a test can check what the server saw — its status, its cancel.
 *
 * <pre>{@code
 * class GreetingsTest {
 *
 *     @RegisterExtension
 *     final ParleyExtension parley = ParleyExtension.inProcess()
 *             .method(ServerMethod.mono("greet", String.class, name -> Mono.just("hello " + name)));
 *
 *     @Test
 *     void greets() {
 *         assertThatCall(parley.client().call("greet", "ada", String.class)).repliesWith("hello ada");
 *         assertThat(parley.awaitServed("greet")).endedWith(RpcStatus.OK).sawNoCancel();
 *     }
 * }
 * }</pre>
 *
 * <p>Registered on an instance field, each test gets a server and a client of its own, disposed
 * after it; on a static field, the class shares one pair, disposed after the class, and the
 * record of served calls starts afresh for each test. The server is built with the methods, then
 * the {@linkplain #server(Consumer) server customizer}; the client with the transport, then the
 * {@linkplain #client(Consumer) client customizer}.
 */
public final class ParleyExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    private final TransportFixture transport;
    private final List<ServerMethod<?, ?>> methods = new ArrayList<>();
    private Consumer<ParleyServer.Builder> serverCustomizer = builder -> { };
    private Consumer<ParleyClient.Builder> clientCustomizer = builder -> { };

    private final Queue<ServedCall> ended = new ConcurrentLinkedQueue<>();
    private final List<ServedCall> served = new ArrayList<>();
    private final List<ServedCall> taken = new ArrayList<>();

    private @Nullable ParleyServer server;
    private @Nullable ParleyClient client;
    private boolean perClass;

    private ParleyExtension(TransportFixture transport) {
        this.transport = transport;
    }

    /**
     * An extension serving over core's in-process transport: no network, no threads of its own.
     *
     * @return the extension, to be given methods
     */
    public static ParleyExtension inProcess() {
        return new ParleyExtension(TransportFixture.inProcess());
    }

    /**
     * An extension serving over the given transport, for example RSocket over TCP on loopback.
     *
     * @param transport the transport's fixture
     * @return the extension, to be given methods
     */
    public static ParleyExtension over(TransportFixture transport) {
        return new ParleyExtension(Objects.requireNonNull(transport, "transport"));
    }

    /**
     * Adds a method to serve.
     *
     * @param method the method
     * @return this extension
     */
    public ParleyExtension method(ServerMethod<?, ?> method) {
        methods.add(Objects.requireNonNull(method, "method"));
        return this;
    }

    /**
     * Adds methods to serve, as a {@code @ParleyService} bean's or a hand-made list.
     *
     * @param methods the methods
     * @return this extension
     */
    public ParleyExtension methods(Iterable<? extends ServerMethod<?, ?>> methods) {
        methods.forEach(this::method);
        return this;
    }

    /**
     * Customizes the server beyond its methods and transport: limits, interceptors, codecs.
     *
     * @param customizer called with the server's builder before it binds
     * @return this extension
     */
    public ParleyExtension server(Consumer<ParleyServer.Builder> customizer) {
        this.serverCustomizer = this.serverCustomizer.andThen(Objects.requireNonNull(customizer, "customizer"));
        return this;
    }

    /**
     * Customizes the client beyond its transport: timeouts, retries, interceptors.
     *
     * @param customizer called with the client's builder before it is built
     * @return this extension
     */
    public ParleyExtension client(Consumer<ParleyClient.Builder> customizer) {
        this.clientCustomizer = this.clientCustomizer.andThen(Objects.requireNonNull(customizer, "customizer"));
        return this;
    }

    /**
     * The running server.
     *
     * @return the server
     * @throws IllegalStateException outside a test
     */
    public ParleyServer server() {
        ParleyServer running = server;
        if (running == null) {
            throw new IllegalStateException("no server: the extension starts one before each test (or before all, when static)");
        }
        return running;
    }

    /**
     * A client of the running server.
     *
     * @return the client
     * @throws IllegalStateException outside a test
     */
    public ParleyClient client() {
        ParleyClient running = client;
        if (running == null) {
            throw new IllegalStateException("no client: the extension makes one before each test (or before all, when static)");
        }
        return running;
    }

    /**
     * The calls the server has ended during this test, in the order they ended.
     *
     * @return a snapshot
     */
    public List<ServedCall> served() {
        drain();
        return List.copyOf(served);
    }

    /**
     * Waits up to {@link Await#TIMEOUT} for a call of the given method to end on the server, and
     * returns the first ended one this method has not returned before. A call's end is recorded
     * once the server has ended it, which may be a moment after its client saw the end.
     *
     * @param method the method's name
     * @return the call, as the server saw it end
     * @throws AssertionError if none ended in time
     */
    public ServedCall awaitServed(String method) {
        Objects.requireNonNull(method, "method");
        ServedCall[] found = new ServedCall[1];
        Await.until("a call of '" + method + "' ended on the server", () -> {
            drain();
            for (ServedCall call : served) {
                if (call.method().equals(method) && taken.stream().noneMatch(t -> t == call)) {
                    found[0] = call;
                    return true;
                }
            }
            return false;
        });
        taken.add(found[0]);
        return found[0];
    }

    private void drain() {
        ServedCall call;
        while ((call = ended.poll()) != null) {
            served.add(call);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            start();
        }
        ended.clear();
        served.clear();
        taken.clear();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            stop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    private void start() {
        ParleyServer.Builder serverBuilder = ParleyServer.builder()
                .methods(methods)
                .interceptor(new Recorder(ended))
                .transport(transport.serverTransport());
        serverCustomizer.accept(serverBuilder);
        ParleyServer started = serverBuilder.bindNow();
        ParleyClient.Builder clientBuilder = ParleyClient.builder().transport(transport.clientTransport(started));
        try {
            clientCustomizer.accept(clientBuilder);
            client = clientBuilder.build();
        }
        catch (RuntimeException | Error e) {
            started.dispose();
            throw e;
        }
        server = started;
    }

    private void stop() {
        ParleyClient runningClient = client;
        ParleyServer runningServer = server;
        client = null;
        server = null;
        if (runningClient != null) {
            runningClient.dispose();
        }
        if (runningServer != null) {
            runningServer.dispose();
        }
    }

    /** Records each call's end; runs on the call's thread, so it only adds to a lock-free queue. */
    private static final class Recorder implements ServerInterceptor {

        private final Queue<ServedCall> ended;

        Recorder(Queue<ServedCall> ended) {
            this.ended = ended;
        }

        @Override
        public Mono<Context> intercept(ServerCallInfo call, Context context) {
            return Mono.just(context);
        }

        @Override
        public void onEnd(ServerCallInfo call, RpcStatus status) {
            ended.add(new ServedCall(call.method(), call.id(), status, call.cancelReason()));
        }
    }
}
