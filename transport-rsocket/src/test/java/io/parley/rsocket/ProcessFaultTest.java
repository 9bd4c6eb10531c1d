package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.CancelReason;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import io.parley.test.transport.TransportFixture;
import io.rsocket.exceptions.ConnectionErrorException;
import reactor.core.publisher.Mono;

/**
 * A peer in another JVM ({@link ProcessFaultPeer}) killed ({@code kill -9}) or frozen
 * ({@code SIGSTOP}) under 100 calls in flight over TCP: the side that lives on ends every call —
 * a client with RPC_S_COMM_FAILURE, a server by cancelling each call and holding none — whether
 * the operating system closes the dead peer's socket or only the keepalive finds the silence.
 */
@ExtendWith(NettyLeakDetection.class)
class ProcessFaultTest extends CallTestSupport {

    private static final int CALLS = 100;
    private static final Duration KEEPALIVE_INTERVAL = Duration.ofMillis(200);
    private static final Duration KEEPALIVE_MAX_LIFETIME = Duration.ofSeconds(2);
    /** Far beyond the keepalive's verdict; only "it ended" is asserted. */
    private static final Duration BOUND = Duration.ofSeconds(30);
    /** A JVM starting on a loaded machine. */
    private static final Duration PEER_START = Duration.ofSeconds(30);

    private final List<Peer> peers = new ArrayList<>();

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }

    @AfterEach
    void killPeers() throws InterruptedException {
        for (Peer peer : peers) {
            peer.process.destroyForcibly();
        }
        for (Peer peer : peers) {
            assertThat(peer.process.waitFor(10, TimeUnit.SECONDS)).as("peer " + peer.process.pid() + " died").isTrue();
        }
    }

    @Test
    void serverProcessKilled_everyCallInFlightEndsWithCommFailure() throws InterruptedException {
        Peer server = startServerPeer();
        List<Mono<String>> calls = holdCallsOn(server);

        server.kill();

        assertAllEndWithCommFailure(calls);
    }

    @Test
    void serverProcessFrozen_everyCallInFlightEndsWithCommFailure_byKeepalive() throws InterruptedException {
        assumeKillAvailable();
        Peer server = startServerPeer();
        List<Mono<String>> calls = holdCallsOn(server);

        server.signal("STOP");

        List<RpcFault> faults = assertAllEndWithCommFailure(calls);
        assertThat(faults).allSatisfy(fault -> {
            assertThat(fault).as("RSocket's keepalive closed the connection").hasRootCauseInstanceOf(ConnectionErrorException.class);
            assertThat(fault.getMessage()).contains("keep-alive");
        });
        server.signal("CONT");
        server.kill();
    }

    @Test
    void clientProcessKilled_everyServerCallSeesItsCancel_andTheServerHoldsNone() throws InterruptedException {
        ParleyServer server = startServer();
        Peer client = startClientPeer(server);
        List<AsyncCall<String>> serverCalls = heldCalls(server);

        client.kill();

        assertAllCancelledAndGone(server, serverCalls);
    }

    @Test
    void clientProcessFrozen_everyServerCallSeesItsCancel_byKeepalive_andTheServerHoldsNone() throws InterruptedException {
        assumeKillAvailable();
        ParleyServer server = startServer();
        Peer client = startClientPeer(server);
        List<AsyncCall<String>> serverCalls = heldCalls(server);

        client.signal("STOP");

        assertAllCancelledAndGone(server, serverCalls);
        client.signal("CONT");
        client.kill();
    }

    private Peer startServerPeer() {
        Peer server = startPeer("server", String.valueOf(CALLS));
        server.await("READY ");
        return server;
    }

    private Peer startClientPeer(ParleyServer server) {
        Peer client = startPeer("client", "127.0.0.1", String.valueOf(RSocketFixture.port(server)), String.valueOf(CALLS));
        client.await("SENT " + CALLS);
        return client;
    }

    /** Makes {@link #CALLS} calls to the peer's "hold" and waits until the peer holds them all. */
    private List<Mono<String>> holdCallsOn(Peer server) {
        int port = Integer.parseInt(server.line("READY ").substring("READY ".length()));
        ParleyClient client = ParleyClient.builder()
                .transport(RSocketClientTransport.tcp("127.0.0.1", port).keepAlive(KEEPALIVE_INTERVAL, KEEPALIVE_MAX_LIFETIME))
                .build();
        track(client);
        List<Mono<String>> calls = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            Mono<String> call = client.call("hold", "call " + i, String.class).cache();
            track(call.subscribe(reply -> { }, error -> { }));
            calls.add(call);
        }
        server.await("HELD " + CALLS);
        return calls;
    }

    /** Waits until the server holds every call the client peer made. */
    private List<AsyncCall<String>> heldCalls(ParleyServer server) {
        List<AsyncCall<String>> calls = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            calls.add(nextHeldCall());
        }
        assertThat(server.activeCalls()).isEqualTo(CALLS);
        return calls;
    }

    private static List<RpcFault> assertAllEndWithCommFailure(List<Mono<String>> calls) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        List<RpcFault> faults = new ArrayList<>();
        for (Mono<String> call : calls) {
            RpcFault fault = faultOf(call, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            assertThat(fault.status()).isEqualTo(RpcStatus.COMM_FAILURE);
            faults.add(fault);
        }
        return faults;
    }

    private void assertAllCancelledAndGone(ParleyServer server, List<AsyncCall<String>> serverCalls) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        for (AsyncCall<String> call : serverCalls) {
            try {
                call.cancelled().block(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            }
            catch (IllegalStateException timeout) {
                fail("server call " + call.id() + " saw no cancel within " + BOUND, timeout);
            }
            assertThat(call.testCancel()).isEqualTo(RpcStatus.OK);
            assertThat(call.cancelReason()).isEqualTo(CancelReason.CONNECTION_LOST);
        }
        await("the server holds no call", () -> server.activeCalls() == 0 && server.calls().isEmpty());
        assertThat(handlerMonoCancels).as("every handler's Mono was cancelled").hasValue(CALLS);
    }

    private static RpcFault faultOf(Mono<?> call, Duration bound) {
        try {
            call.block(bound);
        }
        catch (RpcFault fault) {
            return fault;
        }
        catch (IllegalStateException timeout) {
            return fail("the call did not end within " + BOUND, timeout);
        }
        throw new AssertionError("expected the call to end with an RpcFault, but it succeeded");
    }

    private static void assumeKillAvailable() {
        boolean found = false;
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                found |= new File(dir, "kill").canExecute();
            }
        }
        assumeTrue(found && System.getProperty("os.name").toLowerCase().contains("linux"),
                "SIGSTOP and SIGCONT are sent with Linux's kill command");
    }

    private Peer startPeer(String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("-Xmx128m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ProcessFaultPeer.class.getName());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            Peer peer = new Peer(process);
            peers.add(peer);
            return peer;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A peer JVM and the lines it printed, read on a thread of their own. */
    private static final class Peer {

        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Queue<String> seen = new ConcurrentLinkedQueue<>();

        Peer(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader in = process.inputReader()) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                }
                catch (IOException e) {
                    // The peer was killed; its output ends here.
                }
            }, "peer-" + process.pid() + "-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits for a line that starts with the prefix; the lines before it are kept for failures. */
        void await(String prefix) {
            long deadline = System.nanoTime() + PEER_START.toNanos();
            try {
                while (true) {
                    String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (line == null) {
                        fail("not within " + PEER_START + ": a line \"" + prefix + "…\" from the peer (alive: "
                                + process.isAlive() + "); it printed:\n" + String.join("\n", seen));
                    }
                    seen.add(line);
                    if (line.startsWith(prefix)) {
                        return;
                    }
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        /** A line the peer printed that starts with the prefix, already awaited. */
        String line(String prefix) {
            return seen.stream().filter(line -> line.startsWith(prefix)).findFirst().orElseThrow();
        }

        void signal(String signal) throws InterruptedException {
            try {
                Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid()))
                        .redirectErrorStream(true).start();
                assertThat(kill.waitFor(10, TimeUnit.SECONDS)).as("kill -" + signal + " ended").isTrue();
                assertThat(kill.exitValue()).as("kill -" + signal + " succeeded").isZero();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("the peer died").isTrue();
        }
    }
}
