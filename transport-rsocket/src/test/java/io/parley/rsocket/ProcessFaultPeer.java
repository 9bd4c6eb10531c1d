package io.parley.rsocket;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.parley.core.client.ParleyClient;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import reactor.core.publisher.Mono;

/**
 * The other JVM of {@link ProcessFaultTest}: a Parley server or client over TCP that the test
 * kills or freezes. It reports on stdout, one line each:
 *
 * <ul>
 * <li>{@code server N}: serves "hold", whose calls never end; prints {@code READY <port>} once
 * bound and {@code HELD N} once N calls are held.
 * <li>{@code client HOST PORT N}: makes N calls to "monoHold" with a short keepalive in its
 * SETUP; prints {@code SENT N} once all are made.
 * </ul>
 *
 * <p>It exits when its stdin closes, so that it never outlives the test JVM.
 */
final class ProcessFaultPeer {

    /** Short, so that the side that watches this peer's keepalives notices its freeze soon. */
    static final Duration KEEPALIVE_INTERVAL = Duration.ofMillis(200);
    static final Duration KEEPALIVE_MAX_LIFETIME = Duration.ofSeconds(2);

    private ProcessFaultPeer() {
    }

    public static void main(String[] args) throws IOException {
        switch (args[0]) {
            case "server" -> server(Integer.parseInt(args[1]));
            case "client" -> client(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("mode: " + args[0] + " (expected: server or client)");
        }
        // Blocks until the test JVM closes the pipe, or goes away.
        while (System.in.read() != -1) {
            // Nothing is sent on stdin; its end is the signal.
        }
        System.exit(0);
    }

    private static void server(int expected) {
        AtomicInteger held = new AtomicInteger();
        ParleyServer server = ParleyServer.builder()
                .method(ServerMethod.mono("hold", String.class, (String request, AsyncCall<String> call) -> {
                    if (held.incrementAndGet() == expected) {
                        report("HELD " + expected);
                    }
                    return Mono.<String>never();
                }))
                .transport(RSocketServerTransport.tcp("127.0.0.1", 0))
                .bindNow();
        report("READY " + RSocketFixture.port(server));
    }

    private static void client(String host, int port, int calls) {
        ParleyClient client = ParleyClient.builder()
                .transport(RSocketClientTransport.tcp(host, port).keepAlive(KEEPALIVE_INTERVAL, KEEPALIVE_MAX_LIFETIME))
                .build();
        for (int i = 0; i < calls; i++) {
            client.call("monoHold", "call " + i, String.class).subscribe(reply -> { }, error -> { });
        }
        report("SENT " + calls);
    }

    private static void report(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
