package io.parley.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.parley.core.RpcStatus;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.ClientTransport;
import io.parley.core.transport.InProcessTransport;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.TransportCall;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The timers behind the two-stage timeout, in virtual time: the graceful notice really goes out at
 * the first bound (the server's own deadline would turn its testCancel() OK even without it, so
 * the notice is watched on the connection), and no timer outlives its call — on the client or on
 * the server — so an ended call is not kept alive until its bounds pass.
 */
class CallTimersTest {

    private static final Duration VERIFY = Duration.ofSeconds(10);
    private static final AtomicInteger NAMES = new AtomicInteger();

    private final Queue<AsyncCall<String>> held = new ConcurrentLinkedQueue<>();
    /** Graceful notices the client sent, as "callId@virtualMillis". */
    private final Queue<String> notices = new ConcurrentLinkedQueue<>();
    private TrackingScheduler time;
    private ParleyServer server;
    private ParleyClient client;

    @BeforeEach
    void start() {
        time = new TrackingScheduler(VirtualTimeScheduler.create());
        Schedulers.setFactory(new Schedulers.Factory() {
            @Override
            public Scheduler newParallel(int parallelism, ThreadFactory threadFactory) {
                return time;
            }

            @Override
            public Scheduler newSingle(ThreadFactory threadFactory) {
                return time;
            }

            @Override
            public Scheduler newBoundedElastic(int threadCap, int queuedTaskCap, ThreadFactory threadFactory, int ttlSeconds) {
                return time;
            }
        });
        String name = "timers-" + NAMES.incrementAndGet();
        server = ParleyServer.builder()
                .method(ServerMethod.async("hold", String.class, (String request, AsyncCall<String> call) -> held.add(call)))
                .transport(InProcessTransport.server(name))
                .bindNow();
        ClientTransport inProcess = InProcessTransport.client(name);
        ClientTransport watched = setup -> watching(inProcess.connect(setup));
        client = ParleyClient.builder().transport(watched).build();
    }

    @AfterEach
    void stop() {
        client.dispose();
        server.dispose();
        Schedulers.resetFactory();
    }

    private AsyncCall<String> heldCall() {
        AsyncCall<String> call = held.poll();
        assertThat(call).as("the call reached the server").isNotNull();
        return call;
    }

    // ---- The graceful notice --------------------------------------------------------------------

    @Test
    void monoCall_gracefulBound_sendsTheGracefulNoticeAtTheBound() {
        Disposable subscription = client.call("hold", "x", String.class,
                CallOptions.timeout(Duration.ofSeconds(2), Duration.ofSeconds(5))).subscribe(v -> { }, e -> { });
        AsyncCall<String> call = heldCall();

        time.advanceTimeBy(Duration.ofMillis(1999));
        assertThat(notices).isEmpty();
        time.advanceTimeBy(Duration.ofMillis(1));
        assertThat(notices).containsExactly(call.id() + "@2000");
        subscription.dispose();
    }

    @Test
    void clientCall_gracefulBound_sendsTheGracefulNoticeAtTheBound() {
        ClientCall<String> call = client.start("hold", "x", String.class,
                CallOptions.timeout(Duration.ofSeconds(2), Duration.ofSeconds(5)));
        heldCall();

        time.advanceTimeBy(Duration.ofMillis(1999));
        assertThat(notices).isEmpty();
        time.advanceTimeBy(Duration.ofMillis(1));
        assertThat(notices).containsExactly(call.id() + "@2000");
        assertThat(call.status()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        call.cancel(CancelMode.ABORTIVE);
    }

    // ---- No timer outlives its call ------------------------------------------------------------

    @Test
    void monoCall_completedBeforeTheBounds_leavesNoTimerBehind_onClientOrServer() {
        StepVerifier.create(client.call("hold", "x", String.class,
                        CallOptions.timeout(Duration.ofSeconds(2), Duration.ofSeconds(5))))
                .then(() -> {
                    assertThat(time.pendingTimers()).as("client bounds and server deadline are running").isPositive();
                    heldCall().complete("early");
                })
                .expectNext("early")
                .expectComplete()
                .verify(VERIFY);
        assertThat(time.pendingTimers()).isZero();
    }

    @Test
    void clientCall_completedBeforeTheBounds_leavesNoTimerBehind_onClientOrServer() {
        ClientCall<String> call = client.start("hold", "x", String.class,
                CallOptions.timeout(Duration.ofSeconds(2), Duration.ofSeconds(5)));
        assertThat(time.pendingTimers()).as("client bounds and server deadline are running").isEqualTo(3);

        assertThat(heldCall().complete("early")).isEqualTo(RpcStatus.OK);
        assertThat(call.status()).isEqualTo(RpcStatus.OK);
        assertThat(time.pendingTimers()).isZero();
    }

    @Test
    void clientCall_cancelledAbortively_andEndedByTheServer_leavesNoTimerBehind() {
        ClientCall<String> call = client.start("hold", "x", String.class,
                CallOptions.timeout(Duration.ofSeconds(2), Duration.ofSeconds(5)));
        AsyncCall<String> serverCall = heldCall();

        assertThat(call.cancel(CancelMode.ABORTIVE)).isEqualTo(RpcStatus.OK);
        assertThat(serverCall.complete("dropped")).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(time.pendingTimers()).isZero();
    }

    // ---- Support --------------------------------------------------------------------------------

    /** The in-process connection, with the graceful notices it is asked to send written down. */
    private ClientConnection watching(ClientConnection connection) {
        return new ClientConnection() {
            @Override
            public TransportCall newCall(RpcRequest request) {
                TransportCall call = connection.newCall(request);
                return new TransportCall() {
                    @Override
                    public void start(Listener listener) {
                        call.start(listener);
                    }

                    @Override
                    public void request(long n) {
                        call.request(n);
                    }

                    @Override
                    public void cancel() {
                        call.cancel();
                    }

                    @Override
                    public void cancelGracefully() {
                        notices.add(request.callId() + "@" + time.now(TimeUnit.MILLISECONDS));
                        call.cancelGracefully();
                    }
                };
            }

            @Override
            public void dispose() {
                connection.dispose();
            }

            @Override
            public boolean isDisposed() {
                return connection.isDisposed();
            }
        };
    }

    /**
     * Virtual time for every Reactor scheduler, which also counts the delayed tasks that have
     * neither run nor been disposed: the timers still holding a call.
     */
    static final class TrackingScheduler implements Scheduler {

        private final VirtualTimeScheduler virtualTime;
        private final Set<Disposable> pending = ConcurrentHashMap.newKeySet();

        TrackingScheduler(VirtualTimeScheduler virtualTime) {
            this.virtualTime = virtualTime;
        }

        int pendingTimers() {
            return pending.size();
        }

        void advanceTimeBy(Duration duration) {
            virtualTime.advanceTimeBy(duration);
        }

        @Override
        public Disposable schedule(Runnable task) {
            return virtualTime.schedule(task);
        }

        @Override
        public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
            Timer timer = new Timer(task);
            pending.add(timer);
            timer.scheduled = virtualTime.schedule(timer, delay, unit);
            return timer;
        }

        @Override
        public Worker createWorker() {
            return virtualTime.createWorker();
        }

        @Override
        public long now(TimeUnit unit) {
            return virtualTime.now(unit);
        }

        @Override
        public void dispose() {
            // Shared by every Schedulers factory method; released with the virtual time it wraps.
        }

        private final class Timer implements Runnable, Disposable {

            private final Runnable task;
            volatile Disposable scheduled;

            Timer(Runnable task) {
                this.task = task;
            }

            @Override
            public void run() {
                pending.remove(this);
                task.run();
            }

            @Override
            public void dispose() {
                pending.remove(this);
                Disposable s = scheduled;
                if (s != null) {
                    s.dispose();
                }
            }

            @Override
            public boolean isDisposed() {
                return !pending.contains(this);
            }
        }
    }
}
