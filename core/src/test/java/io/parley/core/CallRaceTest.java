package io.parley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.core.transport.InProcessTransport;
import reactor.core.Disposable;
import reactor.core.publisher.Hooks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.util.RaceTestUtils;

/**
 * Complete, abort, and both cancels fired at one call from four threads at once, over and over:
 * every call ends exactly once, its client sees exactly one terminal signal that agrees with the
 * server's winner, and the server holds no call afterwards.
 */
class CallRaceTest {

    private static final int CALLS = 100_000;
    private static final int FAULT = 1723;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final AtomicReference<AsyncCall<String>> arrived = new AtomicReference<>();
    private ParleyServer server;
    private ParleyClient client;
    private Scheduler racers;
    private final Queue<Throwable> dropped = new ConcurrentLinkedQueue<>();

    private enum Outcome { REPLY, FAULT, CANCELLED }

    @BeforeEach
    void start() {
        server = ParleyServer.builder()
                .method(ServerMethod.async("race", String.class, (String request, AsyncCall<String> call) -> arrived.set(call)))
                .transport(InProcessTransport.server("race"))
                .bindNow();
        client = ParleyClient.builder().transport(InProcessTransport.client("race")).build();
        // RaceTestUtils needs a thread per runnable, and spins with Thread.yield, which BlockHound
        // rightly forbids on non-blocking threads: a plain pool of four.
        racers = Schedulers.fromExecutorService(Executors.newFixedThreadPool(4), "racer");
        // A fault that reaches a subscriber which has just disposed is dropped, as Reactor drops
        // any signal that loses to a cancel; collected here to check it is nothing else.
        Hooks.onErrorDropped(dropped::add);
    }

    @AfterEach
    void stop() {
        client.dispose();
        server.dispose();
        racers.dispose();
        Hooks.resetOnErrorDropped();
    }

    @Test
    void completeAbortAndBothCancels_racing_endEveryCallExactlyOnce() {
        Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
        for (int i = 0; i < CALLS; i++) {
            Outcome outcome = (i & 1) == 0 ? raceClientCall() : raceMonoCall();
            outcomes.merge(outcome, 1, Integer::sum);
        }
        awaitNoActiveCalls();
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(CALLS);
        // Every contender must win sometimes, or the race did not race.
        assertThat(outcomes).containsKeys(Outcome.REPLY, Outcome.FAULT, Outcome.CANCELLED);
        assertThat(dropped).allSatisfy(e -> assertThat(e).isInstanceOfSatisfying(RpcFault.class,
                f -> assertThat(f.faultCode()).isEqualTo(FAULT)));
    }

    /** Races on a ClientCall: server complete, server abort, client abortive and graceful cancel. */
    private Outcome raceClientCall() {
        ClientCall<String> call = client.start("race", "x", String.class);
        AtomicInteger signals = new AtomicInteger();
        call.reply().subscribe(v -> { }, e -> signals.incrementAndGet(), signals::incrementAndGet);
        AsyncCall<String> serverCall = awaitArrival();

        AtomicReference<RpcStatus> completed = new AtomicReference<>();
        AtomicReference<RpcStatus> aborted = new AtomicReference<>();
        RaceTestUtils.race(racers,
                () -> completed.set(serverCall.complete("reply")),
                () -> aborted.set(serverCall.abort(FAULT)),
                () -> call.cancel(CancelMode.ABORTIVE),
                () -> call.cancel(CancelMode.GRACEFUL));

        assertServerEndedOnce(completed.get(), aborted.get());
        RpcStatus outcome = awaitOutcome(call);
        assertThat(call.complete()).isEqualTo(outcome);
        assertThat(call.complete()).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
        assertThat(signals.get()).as("terminal signals seen by the client").isEqualTo(1);
        return agree(outcome, completed.get(), aborted.get());
    }

    /** Races on the everyday Mono: server complete, server abort, and the subscriber disposing. */
    private Outcome raceMonoCall() {
        AtomicInteger signals = new AtomicInteger();
        AtomicReference<RpcStatus> received = new AtomicReference<>();
        Disposable subscription = client.call("race", "x", String.class).subscribe(
                v -> { received.set(RpcStatus.OK); signals.incrementAndGet(); },
                e -> { received.set(((RpcFault) e).status()); signals.incrementAndGet(); });
        AsyncCall<String> serverCall = awaitArrival();

        AtomicReference<RpcStatus> completed = new AtomicReference<>();
        AtomicReference<RpcStatus> aborted = new AtomicReference<>();
        RaceTestUtils.race(racers,
                () -> completed.set(serverCall.complete("reply")),
                () -> aborted.set(serverCall.abort(FAULT)),
                subscription::dispose);

        assertServerEndedOnce(completed.get(), aborted.get());
        assertThat(signals.get()).as("terminal signals seen by the client").isLessThanOrEqualTo(1);
        RpcStatus outcome = received.get() != null ? received.get() : RpcStatus.CALL_CANCELLED;
        return agree(outcome, completed.get(), aborted.get());
    }

    private static void assertServerEndedOnce(RpcStatus completed, RpcStatus aborted) {
        boolean completeWon = completed != RpcStatus.INVALID_ASYNC_HANDLE;
        boolean abortWon = aborted != RpcStatus.INVALID_ASYNC_HANDLE;
        if (completeWon == abortWon) {
            fail("exactly one of complete and abort must end the call, but complete returned "
                    + completed + " and abort returned " + aborted);
        }
    }

    /** The client's outcome must be the server winner's, unless the client cancelled first. */
    private static Outcome agree(RpcStatus outcome, RpcStatus completed, RpcStatus aborted) {
        if (outcome.equals(RpcStatus.OK)) {
            assertThat(completed).isEqualTo(RpcStatus.OK);
            return Outcome.REPLY;
        }
        if (outcome.value() == FAULT) {
            assertThat(aborted).isEqualTo(RpcStatus.OK);
            return Outcome.FAULT;
        }
        assertThat(outcome).isEqualTo(RpcStatus.CALL_CANCELLED);
        return Outcome.CANCELLED;
    }

    private AsyncCall<String> awaitArrival() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        AsyncCall<String> call;
        while ((call = arrived.getAndSet(null)) == null) {
            if (System.nanoTime() > deadline) {
                fail("the call did not reach the server within " + TIMEOUT);
            }
            Thread.onSpinWait();
        }
        return call;
    }

    private static RpcStatus awaitOutcome(ClientCall<String> call) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        RpcStatus status;
        while ((status = call.status()).equals(RpcStatus.ASYNC_CALL_PENDING)) {
            if (System.nanoTime() > deadline) {
                fail("the client call had no outcome within " + TIMEOUT);
            }
            Thread.onSpinWait();
        }
        return status;
    }

    private void awaitNoActiveCalls() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (server.activeCalls() != 0) {
            if (System.nanoTime() > deadline) {
                fail(server.activeCalls() + " calls still registered on the server after " + TIMEOUT);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
