package io.parley.test.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;

import io.parley.core.RpcStatus;
import io.parley.core.client.CallOptions;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.util.RaceTestUtils;

/**
 * RpcAsyncCancelCall(fAbort = TRUE) at the very start of a call: a call's subscription disposed
 * from another thread the instant it is made. Whatever the operators between the call's
 * {@code Mono} and the transport make of that race, the cancel is never lost: every call that
 * reached the server saw {@code testCancel()} turn OK, and the server ends up holding none.
 */
public abstract class AbstractCancelAtStartRaceTest extends CallTestSupport {

    private static final int RACES = Integer.getInteger("parley.cancelAtStartRaces", 5_000);
    /** Adds timeout() and onErrorMap() to the call's operators; far beyond the test's run. */
    private static final CallOptions WITH_ABORTIVE_TIMEOUT = CallOptions.timeout(Duration.ofMinutes(5));

    private Scheduler racers;

    @BeforeEach
    void startRacers() {
        // RaceTestUtils spins with Thread.yield, which BlockHound forbids on non-blocking threads: a plain pool.
        racers = Schedulers.fromExecutorService(Executors.newFixedThreadPool(2), "racer");
    }

    @AfterEach
    void stopRacers() {
        racers.dispose();
    }

    @Test
    void disposeCall_racingItsSubscription_isNeverLost_theServerHoldsNoCall() {
        ParleyServer server = startServer();
        ParleyClient client = client(server);
        // Connected first: this test is about the call, not about connecting.
        assertThat(client.call("echo", "warm up", String.class).block(TIMEOUT)).isEqualTo("warm up");

        for (int i = 0; i < RACES; i++) {
            CallOptions options = (i & 1) == 0 ? CallOptions.DEFAULT : WITH_ABORTIVE_TIMEOUT;
            Mono<String> call = client.call("hold", "race " + i, String.class, options);
            AtomicReference<Subscription> subscription = new AtomicReference<>();
            RaceTestUtils.race(racers,
                    () -> call.subscribe(new Handing(subscription)),
                    () -> {
                        Subscription s;
                        while ((s = subscription.get()) == null) {
                            Thread.onSpinWait();
                        }
                        s.cancel();
                    });
        }

        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (server.activeCalls() != 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        List<AsyncCall<String>> arrived = new ArrayList<>();
        for (AsyncCall<String> c; (c = held.poll()) != null;) {
            arrived.add(c);
        }
        long notCancelled = arrived.stream().filter(c -> c.testCancel() != RpcStatus.OK).count();
        System.out.printf("%s: %,d races, %,d calls reached the server, %,d of them not cancelled, %d active%n",
                getClass().getSimpleName(), RACES, arrived.size(), notCancelled, server.activeCalls());

        assertThat(server.activeCalls()).as("calls the server holds, of %d that reached it", arrived.size()).isZero();
        assertThat(arrived).as("every call that reached the server saw the cancel")
                .allSatisfy(c -> assertThat(c.testCancel()).isEqualTo(RpcStatus.OK));
    }

    /** Hands its subscription to the cancelling thread as soon as it has one. */
    private static final class Handing implements CoreSubscriber<String> {

        private final AtomicReference<Subscription> subscription;

        Handing(AtomicReference<Subscription> subscription) {
            this.subscription = subscription;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription.set(s);
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String value) {
        }

        @Override
        public void onError(Throwable error) {
        }

        @Override
        public void onComplete() {
        }
    }
}
