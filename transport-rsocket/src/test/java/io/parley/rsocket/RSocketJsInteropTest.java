package io.parley.rsocket;

import static io.parley.rsocket.SpringInterop.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.RpcStatus;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.core.server.ServerStream;
import io.parley.rsocket.SpringInterop.AbortAfter;
import io.parley.rsocket.SpringInterop.Greeting;
import io.parley.rsocket.SpringInterop.Reply;
import io.parley.test.NettyLeakDetection;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * rsocket-js against Parley: runs the scripts of {@code examples/rsocket-js} with Node against a
 * Parley server on TCP that serves the methods they expect, and checks each script's own verdict
 * and what the server saw. Skipped unless {@code npm install} has been run in
 * {@code examples/rsocket-js} and {@code node} is on the path.
 *
 * <pre>
 * cd examples/rsocket-js &amp;&amp; npm install
 * mvn -o -q -pl transport-rsocket -am test -Dtest=RSocketJsInteropTest -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@ExtendWith(NettyLeakDetection.class)
class RSocketJsInteropTest {

    private static final Path EXAMPLE = Path.of("..", "examples", "rsocket-js").toAbsolutePath().normalize();
    /** Node's start, the connection and five steps: far beyond a healthy run. */
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    /** The streams of "endless", by the name in their request. Lock-free: handlers add on event loops. */
    private final Map<String, ServerStream<Reply>> endless = new ConcurrentHashMap<>();
    private final Sinks.Many<Greeting> logged = Sinks.many().replay().all();

    private ParleyServer server;

    @BeforeEach
    void start() {
        server = ParleyServer.builder()
                // As the examples' AsyncFunc answers, without its sleep: 1 after the delay.
                .method(ServerMethod.mono("AsyncFunc", Long.class, millis -> Mono.delay(Duration.ofMillis(millis)).thenReturn(1)))
                .method(ServerMethod.flux("count", Integer.class, n -> Flux.range(0, n).map(i -> new Reply("item " + i, i))))
                .method(ServerMethod.channel("greetEach", Greeting.class, greetings -> greetings.map(Reply::to)))
                .method(ServerMethod.stream("abortAfter", AbortAfter.class, (AbortAfter request, ServerStream<Reply> stream) -> {
                    for (int i = 0; i < request.items(); i++) {
                        stream.next(new Reply("item " + i, i));
                    }
                    stream.abort((int) request.code());
                }))
                .method(ServerMethod.flux("endless", Greeting.class, (Greeting greeting, ServerStream<Reply> stream) -> {
                    endless.put(greeting.name(), stream);
                    return Flux.range(0, Integer.MAX_VALUE).map(i -> new Reply(greeting.name(), i));
                }))
                .method(ServerMethod.mono("testCancelOf", Greeting.class, greeting -> {
                    ServerStream<Reply> stream = endless.get(greeting.name());
                    if (stream == null) {
                        return Mono.error(RpcStatus.NO_CALL_ACTIVE.asFault("no stream named " + greeting.name()));
                    }
                    return stream.cancelled().timeout(TIMEOUT).then(Mono.fromCallable(() -> stream.testCancel().name()));
                }))
                .method(ServerMethod.oneWay("log", Greeting.class, greeting -> {
                    logged.tryEmitNext(greeting);
                    return Mono.empty();
                }))
                .method(ServerMethod.mono("lastLogged", Void.class, nothing -> logged.asFlux().next().timeout(TIMEOUT)))
                .transport(RSocketServerTransport.tcp("127.0.0.1", 0))
                .bindNow();
    }

    @AfterEach
    void stop() {
        server.dispose();
    }

    @Test
    void rsocketJs_streamsChannelFireAndForgetFaultAndCancel_againstAParleyServer() throws IOException, InterruptedException {
        String printed = runNode("streams.js");

        assertThat(printed).contains("-> as expected");
        ServerStream<Reply> cancelled = endless.get("js");
        assertThat(cancelled).isNotNull();
        assertThat(cancelled.testCancel()).isEqualTo(RpcStatus.OK);
        assertThat(logged.asFlux().next().block(TIMEOUT)).isEqualTo(new Greeting("from rsocket-js"));
        assertThat(server.activeCalls()).as("every call of the script has ended, the cancelled one too").isZero();
    }

    @Test
    void rsocketJs_callsAsyncFunc_andReadsBadStubData() throws IOException, InterruptedException {
        String printed = runNode("call-asyncfunc.js");

        assertThat(printed).contains("AsyncFunc(500) -> 1", "RPC_X_BAD_STUB_DATA (1783)", "-> as expected");
    }

    /** Runs a script of the example against the server; returns what it printed once it exited 0. */
    private String runNode(String script) throws IOException, InterruptedException {
        assumeTrue(Files.isDirectory(EXAMPLE.resolve("node_modules/rsocket-core")),
                "run npm install in " + EXAMPLE + " for this test");
        File output = File.createTempFile("rsocket-js-", ".txt");
        output.deleteOnExit();
        Process node;
        try {
            node = new ProcessBuilder("node", script, Integer.toString(RSocketFixture.port(server)), "127.0.0.1")
                    .directory(EXAMPLE.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output)
                    .start();
        }
        catch (IOException noNode) {
            assumeTrue(false, "node is not on the path: " + noNode.getMessage());
            throw noNode;
        }
        boolean exited = node.waitFor(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            node.destroyForcibly();
        }
        String printed = Files.readString(output.toPath(), StandardCharsets.UTF_8);
        System.out.println("node " + script + " said:\n" + printed);

        assertThat(exited).as("node %s ends within %s; it printed:%n%s", script, RUN_TIMEOUT, printed).isTrue();
        assertThat(node.exitValue()).as("node %s's exit code; it printed:%n%s", script, printed).isZero();
        return printed;
    }
}
