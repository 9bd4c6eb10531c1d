package io.parley.core.client;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.TransportCall;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * One client call, whatever way it was made, and its state machine: the seed's client table.
 *
 * <pre>
 *   C     --start: the request goes to the transport------------------> WComp
 *   C     --cancelled before it started (a Mono disposed at once)-----> Comp (CALL_CANCELLED), nothing sent
 *   WComp --cancel(GRACEFUL) or the graceful timeout: Can, the notice-> WComp (still waiting)
 *   WComp --cancel(ABORTIVE): Can, CANCEL goes out--------------------> Comp (CALL_CANCELLED)
 *   WComp --the abortive timeout: CANCEL goes out---------------------> Comp (RPC_S_TIMEOUT)
 *   WComp --the reply, or a fault (the server's or the transport's)---> Comp
 *   Comp  --complete() collects it, or the Mono's subscriber gets it--> End
 * </pre>
 *
 * (The seed's "C, on exception, go to End" happens before this object exists:
 * {@link ParleyClient#start} throws, the {@code Mono} errors.)
 *
 * <p>The phase and its flags are the one {@code int} {@link #state}. The reply, a fault, an
 * abortive cancel and the abortive timeout race to move it to {@link #COMP}; the one CAS that
 * does decides the outcome, so a call has exactly one. The winner then publishes it (its status
 * in {@link #outcome}): a reader that finds Comp before the outcome is there treats the call as still
 * pending, and the winner delivers it, so nothing is lost between the two writes.
 *
 * <p>The same object is the {@code Subscription} of the everyday {@code Mono} ({@link CallMono}):
 * cancelling it is the abortive cancel, with no operator in between that could drop it; and the
 * {@link TransportCall.Listener} of the transport's handle.
 */
final class DefaultClientCall<R> implements ClientCall<R>, ClientStream<R>, TransportCall.Listener, Subscription {

    /** Phase C: made, not yet handed to the transport. */
    static final int C = 0;
    /** Phase WComp: the transport has the call; waiting for the notification. */
    static final int WCOMP = 1;
    /** Phase Comp: the outcome is decided. */
    static final int COMP = 2;
    /** Phase End: the outcome was collected ({@link #complete}) or given to the {@code Mono}'s subscriber. */
    static final int END = 3;
    private static final int PHASE = 0b11;
    /** Flag Can: a graceful cancel was issued; the call still waits for the server's own end. */
    static final int CAN = 1 << 2;
    /** Flag: the {@code Mono}'s subscriber has requested the reply. */
    private static final int REQUESTED = 1 << 3;
    /** Flag: the outcome went to the {@code Mono}'s subscriber, or never will (it cancelled). */
    private static final int DELIVERED = 1 << 4;

    private static final String CANCELLED_BY_CLIENT = "the client cancelled the call";

    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<DefaultClientCall> STATE =
            AtomicIntegerFieldUpdater.newUpdater(DefaultClientCall.class, "state");
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<DefaultClientCall, CoreSubscriber> ACTUAL =
            AtomicReferenceFieldUpdater.newUpdater(DefaultClientCall.class, CoreSubscriber.class, "actual");

    private final RpcRequest request;
    private final ParleyClient client;
    private final Type replyType;
    private final CallOptions options;
    /** The call as its client's interceptors see it, told of its end; {@code null} for a client without interceptors. */
    private final @Nullable Intercepted intercepted;
    private final TransportCall transport;
    /** Whether the call receives a stream of items, each handed on as it arrives, rather than one reply. */
    private final boolean many;
    /**
     * The subscriber of the everyday {@code Mono} or {@code Flux}, or of a stream handle's
     * {@link #items()}; {@code null} for a call made with {@link ParleyClient#start}. A stream's
     * is serialized: its items come from the transport, its end may come from a timer.
     */
    private volatile @Nullable CoreSubscriber<? super R> actual;
    /** Items received; written by the transport's thread only. */
    private volatile long received;
    /** The notification of a call made with {@link ParleyClient#start}; {@code null} for a {@code Mono}. */
    private final Sinks.@Nullable One<R> notification;

    private volatile int state;
    /**
     * The outcome's status, {@code null} until the winner of the move to Comp publishes it; its
     * write publishes {@link #value}, {@link #fault} and {@link #detail}, which only the winner
     * writes, before it.
     */
    private volatile @Nullable RpcStatus outcome;
    private @Nullable R value;
    /** The fault the call ended with, as received; or {@code null} for one of its own (see {@link #detail}). */
    private @Nullable RpcFault fault;
    /**
     * The detail of a fault the call makes itself (its cancel, its timeout), made only when
     * somebody receives it: a {@code Mono} disposed by its subscriber never does, and a cancel does
     * not wait for a stack trace to be filled in before it reaches the transport.
     */
    private @Nullable String detail;
    private volatile @Nullable Disposable gracefulTimer;
    private volatile @Nullable Disposable abortiveTimer;
    /** Written and read on the transport's thread, which signals one call serially. */
    private @Nullable R reply;

    DefaultClientCall(ParleyClient client, RpcRequest request, boolean many, Type replyType, CallOptions options,
            @Nullable Intercepted intercepted, TransportCall transport, @Nullable CoreSubscriber<? super R> actual) {
        this.request = request;
        this.many = many;
        this.client = client;
        this.replyType = replyType;
        this.options = options;
        this.intercepted = intercepted;
        this.transport = transport;
        this.actual = actual != null && many ? Operators.serialize(actual) : actual;
        this.notification = actual == null ? Sinks.one() : null;
    }

    // ---- C -> WComp -------------------------------------------------------------------------

    /** C: hands the call to the transport and starts its timers; for a {@code Mono}, after its subscriber has its subscription. */
    void start() {
        CoreSubscriber<? super R> subscriber = actual;
        if (subscriber != null) {
            subscriber.onSubscribe(this);
        }
        if (phase(advance(WCOMP)) != C) {
            // Cancelled in onSubscribe, or a stream handle cancelled before its items were
            // subscribed: the request never goes out, and a subscriber still there hears the outcome.
            deliver();
            return;
        }
        Duration graceful = options.gracefulTimeout();
        if (graceful != null) {
            gracefulTimer = Schedulers.parallel().schedule(this::gracefulBoundPassed,
                    graceful.toNanos(), TimeUnit.NANOSECONDS);
        }
        Duration abortive = options.abortiveTimeout();
        if (abortive != null) {
            abortiveTimer = Schedulers.parallel().schedule(() -> cancelAbortively(RpcStatus.TIMEOUT,
                    "no outcome within " + abortive + "; the call was cancelled"), abortive.toNanos(), TimeUnit.NANOSECONDS);
        }
        // An outcome decided between the CAS and the writes above could not see the timers.
        if (phase(state) >= COMP) {
            disposeTimers();
        }
        if (!many) {
            // One reply: asked for in full, with the request.
            transport.request(Long.MAX_VALUE);
        }
        transport.start(this);
    }

    // ---- the transport's signals: WComp -> Comp ----------------------------------------------

    @Override
    public void onNext(ByteBuffer bytes) {
        if (phase(state) >= COMP) {
            return;
        }
        try {
            R decoded = client.decode(request.method(), bytes, replyType);
            if (!many) {
                reply = decoded;
                return;
            }
            if (decoded == null) {
                // Not an item (a foreign server's empty payload): the demand it took is asked for again.
                transport.request(1);
                return;
            }
            received++;
            CoreSubscriber<? super R> subscriber = actual;
            if (subscriber != null) {
                subscriber.onNext(decoded);
            }
        }
        catch (RuntimeException e) {
            // The client's reply limit, a codec's CodecException, or whatever a codec of the
            // application's own throws.
            RpcFault fault = e instanceof RpcFault ? (RpcFault) e : new RpcFault(RpcStatus.BAD_STUB_DATA,
                    "the reply of '" + request.method() + "' could not be decoded: " + e.getMessage(), e);
            if (decide(fault.status(), null, fault, null) >= 0) {
                transport.cancel();
            }
        }
    }

    @Override
    public void onComplete() {
        R decoded = reply;
        reply = null;
        decide(RpcStatus.OK, decoded, null, null);
    }

    @Override
    public void onFault(RpcFault fault) {
        decide(fault.status(), null, fault, null);
    }

    /**
     * Moves WComp (or C) to Comp with this outcome if nothing else has; returns the state it moved
     * from, or -1 if the call had its outcome already.
     */
    private int decide(RpcStatus status, @Nullable R reply, @Nullable RpcFault error, @Nullable String ownDetail) {
        int s = advance(COMP);
        if (phase(s) >= COMP) {
            return -1;
        }
        value = reply;
        fault = error;
        detail = ownDetail;
        outcome = status;
        disposeTimers();
        Intercepted i = intercepted;
        if (i != null) {
            i.ended(status);
        }
        // A stream's end needs no demand; a reply does. A stream handle's items hear the end
        // before its notification fires, so whoever waits on completion() finds them ended.
        if (many || (state & REQUESTED) != 0 || reply == null) {
            deliver();
        }
        Sinks.One<R> sink = notification;
        if (sink != null) {
            if (status != RpcStatus.OK) {
                sink.tryEmitError(fault());
            }
            else if (reply != null) {
                sink.tryEmitValue(reply);
            }
            else {
                sink.tryEmitEmpty();
            }
        }
        return s;
    }

    /** Comp -> End for a {@code Mono}: the subscriber gets the outcome, once, and only with demand for a reply. */
    private void deliver() {
        RpcStatus status = outcome;
        CoreSubscriber<? super R> subscriber = actual;
        if (status == null || subscriber == null || (addFlags(DELIVERED) & DELIVERED) != 0) {
            return;
        }
        if (notification == null) {
            // A Mono's or Flux's subscriber takes the outcome; a handle's is collected by complete().
            advance(END);
        }
        if (status != RpcStatus.OK) {
            subscriber.onError(fault());
            return;
        }
        R reply = value;
        if (reply != null) {
            subscriber.onNext(reply);
        }
        subscriber.onComplete();
    }

    /** The fault of a call that ended with one; read after {@link #outcome}. One the call made itself is new at each read. */
    private RpcFault fault() {
        RpcFault f = fault;
        RpcStatus status = outcome;
        return f != null ? f : new RpcFault(status != null ? status : RpcStatus.CALL_FAILED, detail);
    }

    // ---- the Mono's subscription ----------------------------------------------------------------

    @Override
    public void request(long n) {
        if (!Operators.validate(n)) {
            return;
        }
        if (many) {
            transport.request(n);
        }
        else if ((addFlags(REQUESTED) & REQUESTED) == 0 && outcome != null) {
            deliver();
        }
    }

    /** A channel's requests failed (the application's {@code Flux}, or their encoding): the call ends with the fault, abortively. */
    void requestsFailed(RpcFault fault) {
        if (decide(fault.status(), null, fault, null) >= 0) {
            transport.cancel();
        }
    }

    /** The {@code Mono}'s subscriber cancelled: the abortive cancel, of which it hears nothing. */
    @Override
    public void cancel() {
        addFlags(DELIVERED);
        cancelAbortively(RpcStatus.CALL_CANCELLED, CANCELLED_BY_CLIENT);
    }

    // ---- cancels -------------------------------------------------------------------------------

    /**
     * Can -> Comp: ends the call with the given fault and tells the transport, unless the call
     * never reached it (cancelled in C); false if the call had already ended.
     */
    private boolean cancelAbortively(RpcStatus status, String detail) {
        int before = decide(status, null, null, detail);
        if (before < 0) {
            return false;
        }
        if (phase(before) != C) {
            transport.cancel();
        }
        return true;
    }

    @Override
    public RpcStatus cancel(CancelMode mode) {
        int s = state;
        if (phase(s) == END) {
            return RpcStatus.INVALID_ASYNC_HANDLE;
        }
        if (phase(s) == COMP) {
            return RpcStatus.NOT_CANCELLED;
        }
        if (mode == CancelMode.ABORTIVE) {
            return cancelAbortively(RpcStatus.CALL_CANCELLED, CANCELLED_BY_CLIENT)
                    ? RpcStatus.OK : cancel(mode);
        }
        if ((addFlags(CAN) & CAN) == 0) {
            transport.cancelGracefully();
        }
        return RpcStatus.OK;
    }

    /** The graceful bound passed: Can, and the notice, which tells the server the deadline is why. */
    private void gracefulBoundPassed() {
        if (phase(state) < COMP && (addFlags(CAN) & CAN) == 0) {
            transport.deadlinePassed();
        }
    }

    // ---- the handle ----------------------------------------------------------------------------

    @Override
    public RpcStatus status() {
        RpcStatus status = outcome;
        return status == null ? RpcStatus.ASYNC_CALL_PENDING : status;
    }

    @Override
    public RpcStatus complete(Consumer<? super R> replyConsumer) {
        // A call reaches End only after its outcome is published, so a pending one is not at End.
        RpcStatus status = outcome;
        if (status == null) {
            return RpcStatus.ASYNC_CALL_PENDING;
        }
        if (phase(advance(END)) == END) {
            return RpcStatus.INVALID_ASYNC_HANDLE;
        }
        R reply = value;
        if (reply != null) {
            replyConsumer.accept(reply);
        }
        return status;
    }

    @Override
    public RpcStatus complete() {
        return complete(ignored -> { });
    }

    @Override
    public Flux<R> items() {
        if (!many) {
            return Flux.error(new IllegalStateException("'" + request.method() + "' is not a stream: its reply is reply()"));
        }
        return new Flux<R>() {
            @Override
            public void subscribe(CoreSubscriber<? super R> subscriber) {
                CoreSubscriber<? super R> serialized = Operators.serialize(subscriber);
                if (!ACTUAL.compareAndSet(DefaultClientCall.this, null, serialized)) {
                    Operators.error(subscriber, new IllegalStateException("a stream's items may be subscribed to only once"));
                    return;
                }
                start();
            }
        };
    }

    @Override
    public long received() {
        return received;
    }

    @Override
    public Mono<R> reply() {
        Sinks.One<R> sink = notification;
        return sink != null ? sink.asMono() : Mono.error(new IllegalStateException("a Mono call has no handle"));
    }

    @Override
    public Mono<RpcStatus> completion() {
        return reply().then(Mono.fromSupplier(this::status)).onErrorResume(e -> Mono.fromSupplier(this::status));
    }

    @Override
    public String method() {
        return request.method();
    }

    @Override
    public long id() {
        return request.callId();
    }

    /** The seed's name of the call's state: C, WComp, Can (a graceful cancel waits), Comp or End. */
    String stateName() {
        int s = state;
        return switch (phase(s)) {
            case C -> "C";
            case WCOMP -> (s & CAN) != 0 ? "Can" : "WComp";
            case COMP -> "Comp";
            default -> "End";
        };
    }

    @Override
    public String toString() {
        return "ClientCall{" + request.method() + ", id=" + request.callId() + ", " + stateName() + ", " + status() + "}";
    }

    // ---- the state word ------------------------------------------------------------------------

    private static int phase(int s) {
        return s & PHASE;
    }

    /** Adds flags; returns the state before. */
    private int addFlags(int flags) {
        for (;;) {
            int s = state;
            if ((s & flags) == flags || STATE.compareAndSet(this, s, s | flags)) {
                return s;
            }
        }
    }

    /** Moves the phase forward to {@code phase}, unless it is there or past it already; returns the state before. */
    private int advance(int phase) {
        for (;;) {
            int s = state;
            if (phase(s) >= phase || STATE.compareAndSet(this, s, (s & ~PHASE) | phase)) {
                return s;
            }
        }
    }

    private void disposeTimers() {
        Disposable t = gracefulTimer;
        if (t != null) {
            t.dispose();
        }
        t = abortiveTimer;
        if (t != null) {
            t.dispose();
        }
    }
}
