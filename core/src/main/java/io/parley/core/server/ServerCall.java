package io.parley.core.server;

import java.lang.ref.Cleaner;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.jspecify.annotations.Nullable;

import io.parley.core.CallMetadata;
import io.parley.core.CallShape;
import io.parley.core.CancelReason;
import io.parley.core.Credentials;
import io.parley.core.Deadline;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.internal.Await;
import io.parley.core.internal.EndAfterStep;
import io.parley.core.transport.RpcRequest;
import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.Logger;
import reactor.util.Loggers;
import reactor.util.concurrent.Queues;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * One call on the server, and its state machine: the seed's server table.
 *
 * <pre>
 *   D (dispatched) --complete--------> Comp --> End   reply sent (dropped if the client abandoned the call)
 *                                      Comp --> End   the reply cannot be encoded: RPC_X_BAD_STUB_DATA sent
 *                  --abort-----------> A    --> End   fault sent
 *                  --exception-------> A    --> End   fault sent: the RpcFault's code, else CALL_FAILED
 *                  --server shutdown-> A    --> End   fault sent; the handler is told as of a cancel
 *   (not dispatched) --refused-------> A    --> End   fault sent: no handler ever sees the call
 *   (before the handler) --refused---> A    --> End   fault sent: credentials refused, access denied, an interceptor's fault
 *   (handler not yet run) --abandoned> A    --> End   nothing sent: the client left before the handler ran
 * </pre>
 *
 * Between D and the handler run the steps of the call's context, each when the one before has
 * answered, at once or later: its credentials (the authenticator), the method's access rule,
 * the interceptors in order. A client that leaves meanwhile ends the call there and stops the
 * step that waits.
 *
 * A stream is the same machine with items sent while it is in D ({@link #next}): they go out
 * in the order accepted, within the client's demand, and its end follows the items accepted
 * before it. A unary call is a stream of one item whose end comes with it.
 *
 * <p>A call the client abandons once its handler runs (an abortive cancel, or its connection
 * closing) stays in D: the handler still ends it. It leaves the session's books at once, and its
 * interceptors are told it ended {@code RPC_S_CALL_CANCELLED}, or {@code RPC_S_COMM_FAILURE} if
 * the connection closed; items and a reply it is later given are dropped, and that is its
 * outcome too.
 *
 * <p>The whole state is the one {@code int} {@link #state}: the seed's states {@link #DISPATCHED D},
 * {@link #COMPLETED Comp}, {@link #ABORTED A} and {@link #ENDED End}; the client's cancels; the
 * Reactive Streams bits of the replies; and, in its high bits, how many {@link #next} calls are
 * between their check of the state and their hand-over of an item. Complete and every abort race
 * to set Comp or A first ({@link #claim}); the thread that wins is the only one that goes on to
 * {@link #terminate}, the one way a call ends, so a call ends exactly once. Cancel requests only
 * add flags and never end a call: the seed requires the server to complete or abort even a
 * cancelled call.
 *
 * <p>The call is also the {@code Flux} of its replies that the transport subscribes to: the
 * subscription dispatches it, its demand is the client's, cancelling it is the client's abortive
 * cancel. One drain loop ({@link #drain}) is the only place that signals the transport.
 */
final class ServerCall<R> extends Flux<ByteBuffer> implements ServerStream<R>, Subscription {

    private static final Logger log = Loggers.getLogger(ParleyServer.class);

    /** D: the call is registered and handed to its handler (for a blocking method, to the thread that runs it). */
    static final int DISPATCHED = 1;
    /** Comp: complete won the call; the reply is encoded and sent, or dropped for a client that left. */
    static final int COMPLETED = 1 << 1;
    /** A: an abort won the call (the handler's, its failure, a refusal, shutdown, or a client that left before dispatch). */
    static final int ABORTED = 1 << 2;
    /** End: the outcome is recorded, the call is off the session's books and its terminal signal is decided. */
    static final int ENDED = 1 << 3;
    /** Comp or A: the call's end is decided; nothing else may end it, and cancels no longer count. */
    private static final int DECIDED = COMPLETED | ABORTED;

    /** Cancel flag: the client cancelled, abortively or gracefully, or the timeout passed: testCancel() answers OK. */
    static final int CANCEL_REQUESTED = 1 << 4;
    /** Cancel flag: the client will read no reply (abortive cancel, or the connection ended): items and reply are dropped. */
    static final int ABANDONED = 1 << 5;
    /** The connection ended: the call, if undecided, ends as RPC_S_COMM_FAILURE, as the client sees it; nothing more is sent. */
    static final int CONNECTION_LOST = 1 << 6;

    /** Replies bit: the transport has subscribed; a second subscriber is refused. */
    static final int SUBSCRIBED = 1 << 7;
    /** Replies bit: the transport's subscriber cancelled; it is sent nothing more. */
    static final int GONE = 1 << 8;
    /** Replies bit: a terminal signal went to the transport's subscriber; whoever sets it is the only one that sends one. */
    static final int TERMINATED = 1 << 9;
    /** Nothing more goes to the transport's subscriber: items still held are dropped. */
    private static final int STOPPED = ABANDONED | CONNECTION_LOST | GONE | TERMINATED;

    /** Admission: the call waits in the server's queue for a place under its limit. */
    static final int QUEUED = 1 << 10;
    /** Admission: the call holds one of the server's places, given back when it leaves the books. */
    static final int ADMITTED = 1 << 11;

    /** One {@link #next} call between its check of the state and its hand-over; counted in the bits from here up. */
    private static final int ONE_PRODUCER = 1 << 12;

    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<ServerCall> STATE =
            AtomicIntegerFieldUpdater.newUpdater(ServerCall.class, "state");
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<ServerCall> WIP =
            AtomicIntegerFieldUpdater.newUpdater(ServerCall.class, "wip");
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<ServerCall> HELD =
            AtomicIntegerFieldUpdater.newUpdater(ServerCall.class, "held");
    @SuppressWarnings("rawtypes")
    private static final AtomicLongFieldUpdater<ServerCall> REQUESTED =
            AtomicLongFieldUpdater.newUpdater(ServerCall.class, "requested");
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<ServerCall, Sinks.Empty> CANCELLED =
            AtomicReferenceFieldUpdater.newUpdater(ServerCall.class, Sinks.Empty.class, "cancelledSink");
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<ServerCall, Runnable> ON_ABANDON =
            AtomicReferenceFieldUpdater.newUpdater(ServerCall.class, Runnable.class, "onAbandon");

    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<ServerCall, CancelReason> REASON =
            AtomicReferenceFieldUpdater.newUpdater(ServerCall.class, CancelReason.class, "reason");

    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<ServerCall, Runnable> RELEASE =
            AtomicReferenceFieldUpdater.newUpdater(ServerCall.class, Runnable.class, "release");

    private static final Runnable ABANDON_DONE = () -> { };

    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<ServerCall, Ops> OPS =
            AtomicReferenceFieldUpdater.newUpdater(ServerCall.class, Ops.class, "ops");

    private final Session session;
    private final ServerMethod<?, R> method;
    private final long id;
    /** The id as the session's map key, boxed once for its put and its remove. */
    private final Long key;
    private final @Nullable Duration timeout;
    private final @Nullable Deadline deadline;
    private final CallMetadata metadata;
    /** The call's own credentials; {@code null} for the connection's. */
    private final @Nullable Credentials credentials;
    /** Who made the call, once its credentials are accepted. */
    private volatile @Nullable Principal principal;
    /** The first cause of the cancel; read only once CANCEL_REQUESTED is set. */
    private volatile @Nullable CancelReason reason;
    /**
     * The handler's Reactor context: this call and its deadline, then what the interceptors added.
     * Made when first asked for, so that a call whose handler never reads it costs no context.
     */
    private volatile @Nullable Context context;
    /** What waits for the authenticator or an interceptor before the handler runs, if anything does. */
    private volatile @Nullable Disposable waiting;
    /**
     * Set as the handler is about to run: a client that leaves before ends the call itself, one
     * that leaves after leaves it to the handler. Set before the state is read, as ABANDONED is
     * set before this is read, so that one of the two always sees the other.
     */
    private volatile boolean handling;
    /** Holds the end back from the interceptors while one of them is in its step; {@code null} without interceptors. */
    private final @Nullable EndAfterStep ends;
    /** What the handler is given: the decoded request, or a channel's {@link Inbound}. */
    private final @Nullable Object request;
    /** A channel's requests, which the call stops when it ends; {@code null} for the other shapes. */
    private final @Nullable Inbound<?> inbound;
    /** A stream's items, in the order accepted; {@code null} for a call of one reply, which uses {@link #single}. */
    private final @Nullable Queue<ByteBuffer> items;
    /** The demand of a reactive stream handler's {@code Flux}: the client's, passed on as it comes. */
    private final Operators.@Nullable DeferredSubscription handlerDemand;

    private volatile int state;
    private volatile int wip;
    /** Items in {@link #items}. */
    private volatile int held;
    /** The transport's demand, in total. */
    private volatile long requested;
    /** Items handed to the transport, in total; written by the drain loop only. */
    private volatile long emitted;
    /** Set in subscribe() before the call is dispatched, so every thread that can end the call sees it. */
    private @Nullable CoreSubscriber<? super ByteBuffer> actual;
    /** The reply of a call of one reply, until the drain loop hands it on. */
    private volatile @Nullable ByteBuffer single;
    /** The fault the call ends with, written before ENDED is set; {@code null} for a completed call. */
    private @Nullable RpcFault fault;
    private volatile @Nullable RpcStatus outcome;
    private volatile Sinks.@Nullable Empty<Void> cancelledSink;
    private volatile @Nullable Runnable onAbandon;
    /** Gives the request's bytes back to the transport; taken by the first of the call's end and its handler's. */
    private volatile @Nullable Runnable release;
    private volatile @Nullable Disposable timeoutTask;
    /** When the call arrived, in the server's nanoTime: its age for the inspector. */
    private final long arrivedAt;
    /** What operators and the cancel metrics keep of the call; made when first needed, which most calls never are. */
    private volatile @Nullable Ops ops;
    /** Set once a reactive handler's subscription is cancelled because its client left. */
    private volatile boolean handlerStopped;

    ServerCall(Session session, ServerMethod<?, R> method, RpcRequest request, @Nullable Object decoded, Runnable release) {
        this.session = session;
        this.method = method;
        this.id = request.callId();
        this.key = id;
        this.timeout = request.timeout();
        this.deadline = timeout != null ? Deadline.after(timeout) : null;
        this.metadata = request.metadata();
        this.credentials = request.credentials();
        this.release = release;
        this.arrivedAt = session.server().nanoTime();
        this.ends = session.server().interceptors().isEmpty() ? null : new EndAfterStep();
        CallShape shape = method.shape();
        if (shape.requestsMany()) {
            Inbound<?> in = new Inbound<>(this, session, method.requestType(), decoded, request.more());
            this.inbound = in;
            this.request = in;
        }
        else {
            this.inbound = null;
            this.request = decoded;
        }
        boolean many = shape.repliesMany();
        this.items = many ? Queues.<ByteBuffer>unboundedMultiproducer().get() : null;
        this.handlerDemand = many ? new Operators.DeferredSubscription() : null;
    }

    /** The transport subscribes: the call is registered and, unless refused or already abandoned, dispatched (D). */
    @Override
    public void subscribe(CoreSubscriber<? super ByteBuffer> actual) {
        if ((addFlags(SUBSCRIBED) & SUBSCRIBED) != 0) {
            Operators.error(actual, new IllegalStateException("the replies of a call may be subscribed to only once"));
            return;
        }
        this.actual = actual;
        actual.onSubscribe(this);
        Inbound<?> in = inbound;
        if (in != null) {
            in.connect();
        }
        RpcFault refused = session.register(this);
        if (refused != null) {
            if (claim(ABORTED) >= 0) {
                terminate(refused.status(), refused);
            }
            return;
        }
        Admission admission = session.server().admission();
        if (admission != null && !admission.admit(this)) {
            // Queued, to be dispatched when a place frees; or refused, and ended.
            return;
        }
        dispatchAdmitted();
    }

    /** Dispatches a call that may run now: registered, and admitted if the server has a limit. */
    void dispatchAdmitted() {
        if (!dispatch()) {
            endAbandoned();
            return;
        }
        start();
    }

    /** Admission: the call has a place. */
    void admitted() {
        addFlags(ADMITTED);
    }

    /** Admission: the call waits in the queue. */
    void queued() {
        addFlags(QUEUED);
    }

    /** Admission: how long the call may wait in the queue; the task ends it when the wait is over. */
    void waitAtMost(Disposable task) {
        timeoutTask = task;
        // Taken from the queue or ended meanwhile: the task is not needed.
        if ((state & (DECIDED | ADMITTED)) != 0) {
            task.dispose();
        }
    }

    /** Admission: a freed place goes to this queued call, unless it ended or its client left; true if it took it. */
    boolean admitFromQueue() {
        if (update(DECIDED | ABANDONED | ADMITTED, ADMITTED) < 0) {
            return false;
        }
        Disposable wait = timeoutTask;
        if (wait != null) {
            wait.dispose();
        }
        return true;
    }

    /** Admission: the call waited its longest in the queue without a place. */
    void waitOver(RpcFault fault) {
        if (update(DECIDED | ADMITTED, ABORTED) >= 0) {
            terminate(fault.status(), fault);
        }
    }

    /** Admission: no place and no room in the queue. */
    void refuseBusy(RpcFault fault) {
        end(fault);
    }

    /** Whether the call holds a place under the server's limit, and whether it was queued for one. */
    int admission() {
        return state & (QUEUED | ADMITTED);
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            // Reactive Streams §3.9: a non-positive request is an error, and ends the exchange.
            abandon();
            CoreSubscriber<? super ByteBuffer> subscriber = actual;
            if ((addFlags(TERMINATED) & TERMINATED) == 0 && subscriber != null) {
                subscriber.onError(new IllegalArgumentException("§3.9: request(" + n + ") (expected: a positive amount)"));
            }
            drain();
            return;
        }
        Operators.addCap(REQUESTED, this, n);
        Operators.DeferredSubscription d = handlerDemand;
        if (d != null) {
            d.request(n);
        }
        drain();
    }

    /** The client's abortive cancel. */
    @Override
    public void cancel() {
        addFlags(GONE);
        abandon();
        drain();
    }

    /**
     * Gives the request's bytes back to the transport, once: when the call has ended and its
     * replies are handed on or dropped, or when a reactive handler's subscription is cancelled.
     */
    void releaseRequest() {
        Runnable r = RELEASE.getAndSet(this, null);
        if (r != null) {
            r.run();
        }
    }

    /** Sets D unless the client has abandoned the call; true if it did. */
    private boolean dispatch() {
        return update(ABANDONED | DECIDED, DISPATCHED) >= 0;
    }

    /** Starts the call's timer, then the steps before its handler. */
    private void start() {
        Duration t = timeout;
        if (t != null) {
            Deadline d = deadline;
            // A call that waited for a place has that much less of its timeout left.
            long nanos = (state & QUEUED) != 0 && d != null ? Math.max(0, d.remaining().toNanos()) : t.toNanos();
            Disposable task = Schedulers.parallel().schedule(this::timeoutPassed, nanos, TimeUnit.NANOSECONDS);
            timeoutTask = task;
            // finish() may have run between the schedule and the write; it could not see the task then.
            if ((state & (DECIDED | ABANDONED)) != 0) {
                task.dispose();
            }
        }
        authenticate();
    }

    /**
     * The steps before the handler, each on the thread where the one before ended: the call's
     * credentials (its own, else its connection's), the method's access rule, the interceptors.
     * A server without an authenticator or interceptors goes straight to the handler.
     */
    private void authenticate() {
        Authenticator authenticator = session.server().authenticator();
        Mono<? extends Principal> checked = null;
        if (authenticator != null) {
            Credentials own = credentials;
            if (own != null) {
                try {
                    checked = authenticator.authenticate(own);
                }
                catch (RuntimeException e) {
                    refused(e);
                    return;
                }
            }
            else {
                checked = session.connectionPrincipal();
            }
        }
        if (checked == null) {
            authorize(null);
            return;
        }
        await(Await.value(checked, handlerContext(), this::authorize, this::refused));
    }

    /** The authenticator refused the credentials, or could not check them. */
    private void refused(Throwable error) {
        if (error instanceof RpcFault) {
            end((RpcFault) error);
            return;
        }
        if (!(error instanceof java.util.NoSuchElementException) && log.isDebugEnabled()) {
            // Refused credentials are an everyday event, and what the authenticator says of them stays here.
            log.debug("The authenticator refused the credentials of a call of '{}': {}", method.name(), error.toString());
        }
        end(new RpcFault(RpcStatus.ACCESS_DENIED, "the credentials were refused"));
    }

    private void authorize(@Nullable Principal who) {
        principal = who;
        AccessRule rule = session.server().access(method);
        if (rule != AccessRules.PERMIT_ALL) {
            boolean permitted;
            try {
                permitted = rule.permits(this);
            }
            catch (RuntimeException e) {
                log.warn("The access rule of '{}' failed; the call ends with RPC_S_ACCESS_DENIED", method.name(), e);
                permitted = false;
            }
            if (!permitted) {
                end(new RpcFault(RpcStatus.ACCESS_DENIED, who == null
                        ? "'" + method.name() + "' requires credentials; the call has none"
                        : "'" + who.getName() + "' may not call '" + method.name() + "'"));
                return;
            }
        }
        if (session.server().interceptors().isEmpty()) {
            run();
            return;
        }
        intercept(0, handlerContext());
    }

    /** Runs the interceptors from {@code index} on, then the handler. */
    private void intercept(int index, Context current) {
        List<ServerInterceptor> interceptors = session.server().interceptors();
        if (index == interceptors.size()) {
            context = current;
            run();
            return;
        }
        // Entered before the state is read, as the end is recorded before it is offered: one sees the other.
        EndAfterStep e = ends;
        if (e != null) {
            e.enter();
        }
        if ((state & (DECIDED | ABANDONED)) != 0) {
            stepDone();
            run();
            return;
        }
        Mono<Context> next;
        try {
            next = interceptors.get(index).intercept(this, current);
        }
        catch (Throwable t) {
            Exceptions.throwIfJvmFatal(t);
            stepDone();
            interceptorFailed(t);
            return;
        }
        await(Await.value(next, current, value -> {
            context = value;
            stepDone();
            intercept(index + 1, value);
        }, error -> {
            stepDone();
            interceptorFailed(error);
        }));
    }

    /** An interceptor's step is over: if the call ended meanwhile, its interceptors are told now. */
    private void stepDone() {
        EndAfterStep e = ends;
        if (e != null) {
            tellEnd(e.leave());
        }
    }

    private void interceptorFailed(Throwable error) {
        if (error instanceof RpcFault) {
            end((RpcFault) error);
            return;
        }
        if (end(new RpcFault(RpcStatus.CALL_FAILED, null))) {
            log.warn("A server interceptor of '{}' failed; the call ends with RPC_S_CALL_FAILED", method.name(), error);
        }
    }

    /** Keeps what waits before the handler, so that a client that leaves, or a shutdown, stops it. */
    private void await(@Nullable Disposable wait) {
        if (wait != null) {
            waiting = wait;
            if ((state & (DECIDED | ABANDONED)) != 0) {
                wait.dispose();
                stepDone();
            }
        }
    }

    /** Runs the handler: on this thread, or on boundedElastic for a blocking method; unless the call ended before. */
    @SuppressWarnings("unchecked")
    private <Q> void run() {
        handling = true;
        int s = state;
        if ((s & DECIDED) != 0) {
            // Refused or shut down while the steps before it ran: the handler never sees the call.
            releaseRequest();
            return;
        }
        if ((s & ABANDONED) != 0) {
            endAbandoned();
            return;
        }
        ServerMethod<Q, R> m = (ServerMethod<Q, R>) method;
        if (!m.isBlocking()) {
            invoke(m, (Q) request);
            return;
        }
        try {
            Schedulers.boundedElastic().schedule(() -> {
                if ((state & ABANDONED) == 0) {
                    invoke(m, (Q) request);
                }
                else {
                    endAbandoned();
                }
            });
        }
        catch (RejectedExecutionException e) {
            end(new RpcFault(RpcStatus.SERVER_TOO_BUSY, "no thread free to run blocking method '" + method.name() + "'"));
        }
    }

    private <Q> void invoke(ServerMethod<Q, R> m, @Nullable Q request) {
        try {
            m.invoker().invoke(request, this);
        }
        catch (Throwable t) {
            Exceptions.throwIfJvmFatal(t);
            fail(t);
        }
    }

    @Override
    public RpcStatus next(R item) {
        if (item == null) {
            return RpcStatus.INVALID_ARG;
        }
        Queue<ByteBuffer> q = items;
        if (q == null) {
            return RpcStatus.INVALID_ASYNC_CALL;
        }
        int s = enterProducer();
        if (s < 0) {
            return RpcStatus.INVALID_ASYNC_HANDLE;
        }
        try {
            if ((s & ABANDONED) != 0) {
                droppedAfterCancel();
                return RpcStatus.CALL_CANCELLED;
            }
            ByteBuffer encoded = encode(item, "An item");
            if (encoded == null) {
                end(new RpcFault(RpcStatus.BAD_STUB_DATA, "the server could not encode an item"));
                return RpcStatus.BAD_STUB_DATA;
            }
            int h = HELD.incrementAndGet(this);
            long r = requested;
            if (r != Long.MAX_VALUE && h > r - emitted + BUFFER) {
                HELD.decrementAndGet(this);
                end(new RpcFault(RpcStatus.OUT_OF_RESOURCES, "the server's handler sent more than " + BUFFER
                        + " items beyond the client's demand"));
                return RpcStatus.OUT_OF_RESOURCES;
            }
            q.offer(encoded);
            return RpcStatus.OK;
        }
        finally {
            STATE.getAndAdd(this, -ONE_PRODUCER);
            drain();
        }
    }

    /** Counts a {@link #next} in unless the call's end is decided; returns the state before, or -1. */
    private int enterProducer() {
        for (;;) {
            int s = state;
            if ((s & DECIDED) != 0) {
                return -1;
            }
            if (STATE.compareAndSet(this, s, s + ONE_PRODUCER)) {
                return s;
            }
        }
    }

    @Override
    public RpcStatus complete() {
        return complete(null);
    }

    @Override
    public RpcStatus complete(@Nullable R reply) {
        if (reply != null && items != null) {
            // A stream's last item goes as every item does, within the client's demand and the buffer.
            RpcStatus sent = next(reply);
            // An item the client will not read still leaves the call for complete to end.
            return sent == RpcStatus.OK || sent == RpcStatus.CALL_CANCELLED ? complete(null) : sent;
        }
        int previous = claim(COMPLETED);
        if (previous < 0) {
            return RpcStatus.INVALID_ASYNC_HANDLE;
        }
        if ((previous & CANCEL_REQUESTED) != 0) {
            costOfCancel(CancelCostListener.Ending.HANDLER);
        }
        if ((previous & ABANDONED) != 0) {
            terminate(abandonedOutcome(previous), null);
            if (reply != null || items == null) {
                droppedAfterCancel();
            }
            return RpcStatus.CALL_CANCELLED;
        }
        if (items == null) {
            // A call of one reply sends one, even for null: an empty payload.
            ByteBuffer encoded = encode(reply, "The reply");
            if (encoded == null) {
                terminate(RpcStatus.BAD_STUB_DATA, new RpcFault(RpcStatus.BAD_STUB_DATA, "the server could not encode the reply"));
                return RpcStatus.BAD_STUB_DATA;
            }
            single = encoded;
        }
        terminate(RpcStatus.OK, null);
        return RpcStatus.OK;
    }

    /** A reply's or an item's bytes; {@code null}, logged, if the codec cannot encode it. */
    private @Nullable ByteBuffer encode(@Nullable Object value, String what) {
        try {
            return session.codec().encode(value);
        }
        catch (RuntimeException e) {
            log.warn("{} of '{}' could not be encoded; the call ends with RPC_X_BAD_STUB_DATA", what, method.name(), e);
            return null;
        }
    }

    @Override
    public long demand() {
        long r = requested;
        if (r == Long.MAX_VALUE) {
            return r;
        }
        return Math.max(0, r - emitted - held);
    }

    /** The client abandoned the call before its handler ran: no handler will end it, so it ends here. */
    private void endAbandoned() {
        int previous = claim(ABORTED);
        if (previous >= 0) {
            terminate(abandonedOutcome(previous), null);
        }
    }

    @Override
    public RpcStatus abort(int faultCode) {
        if (faultCode == 0) {
            return RpcStatus.INVALID_ARG;
        }
        return endByHandler(new RpcFault(faultCode)) ? RpcStatus.OK : RpcStatus.INVALID_ASYNC_HANDLE;
    }

    /** The handler threw or its publisher errored: end with the fault, or CALL_FAILED hiding the cause. */
    void fail(Throwable error) {
        RpcFault fault;
        if (error instanceof RpcFault) {
            fault = (RpcFault) error;
        }
        else {
            fault = new RpcFault(RpcStatus.CALL_FAILED, null);
        }
        if (endByHandler(fault)) {
            if (!(error instanceof RpcFault)) {
                log.warn("Handler of '{}' failed; the call ends with RPC_S_CALL_FAILED", method.name(), error);
            }
        }
        else if (log.isDebugEnabled()) {
            log.debug("Handler of '{}' failed after its call had ended", method.name(), error);
        }
    }

    /** A: the handler ends the call with a fault, if nothing has ended it; true if this did. */
    private boolean endByHandler(RpcFault fault) {
        int previous = claim(ABORTED);
        if (previous < 0) {
            return false;
        }
        if ((previous & CANCEL_REQUESTED) != 0) {
            costOfCancel(CancelCostListener.Ending.HANDLER);
        }
        terminate(fault.status(), fault);
        return true;
    }

    /** A: ends the call with a fault, if nothing has ended it; true if this did. */
    boolean end(RpcFault fault) {
        if (claim(ABORTED) < 0) {
            return false;
        }
        terminate(fault.status(), fault);
        return true;
    }

    /**
     * Sets Comp or A, whichever {@code how} names, if neither is set: the CAS that decides who
     * ends the call.
     *
     * @return the state before, or -1 if the call's end was already decided
     */
    private int claim(int how) {
        return update(DECIDED, how);
    }

    /**
     * End: the one way out of a call, taken once, by the thread whose {@link #claim} won. Records
     * the outcome, takes the call off the session's books (its interceptors told of its end), stops its
     * timer and its channel's requests, then leaves the transport's one terminal signal to the
     * drain loop: after the items accepted before it, the completion or the fault; nothing to a
     * transport that has gone.
     *
     * @param outcome what {@link #status()} answers from now on
     * @param fault the fault to send, or {@code null} to complete
     */
    private void terminate(RpcStatus outcome, @Nullable RpcFault fault) {
        this.fault = fault;
        this.outcome = outcome;
        finish();
        stopCancelGrace();
        if ((state & ABANDONED) != 0) {
            session.server().unlinger(this);
        }
        Inbound<?> in = inbound;
        if (in != null) {
            in.stop((state & ABANDONED) != 0 ? new RpcFault(abandonedOutcome(state), "the client left the call") : fault);
        }
        addFlags(ENDED);
        drain();
    }

    /**
     * The one place that signals the transport, serialized: hands on items within its demand,
     * then, once the call has ended and nothing is held or on its way, the terminal signal, and
     * gives the request back. A transport that has gone, or a client that left, gets nothing
     * more; what is held is dropped.
     */
    private void drain() {
        if (WIP.getAndIncrement(this) != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            CoreSubscriber<? super ByteBuffer> a = actual;
            int s = state;
            if ((s & STOPPED) != 0) {
                dropItems();
                if ((s & (CONNECTION_LOST | GONE)) == CONNECTION_LOST && a != null && (addFlags(TERMINATED) & TERMINATED) == 0) {
                    // Over a network nobody reads this; in-process it is the client's own call.
                    a.onError(new RpcFault(RpcStatus.COMM_FAILURE, "the connection closed before the call ended"));
                }
                if ((s & ENDED) != 0) {
                    releaseRequest();
                }
            }
            else if (a != null) {
                long r = requested;
                long e = emitted;
                while (e != r) {
                    ByteBuffer item = poll();
                    if (item == null) {
                        break;
                    }
                    a.onNext(item);
                    e++;
                    if ((state & STOPPED) != 0) {
                        break;
                    }
                }
                emitted = e;
                s = state;
                if ((s & (ENDED | STOPPED)) == ENDED && s < ONE_PRODUCER && isEmpty()
                        && (addFlags(TERMINATED) & TERMINATED) == 0) {
                    RpcFault f = fault;
                    if (f == null) {
                        a.onComplete();
                    }
                    else {
                        a.onError(f);
                    }
                    releaseRequest();
                }
                else if ((state & STOPPED) != 0) {
                    continue;
                }
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private @Nullable ByteBuffer poll() {
        Queue<ByteBuffer> q = items;
        if (q == null) {
            ByteBuffer b = single;
            if (b != null) {
                single = null;
            }
            return b;
        }
        ByteBuffer b = q.poll();
        if (b != null) {
            HELD.decrementAndGet(this);
        }
        return b;
    }

    private boolean isEmpty() {
        Queue<ByteBuffer> q = items;
        return q == null ? single == null : q.isEmpty();
    }

    private void dropItems() {
        single = null;
        Queue<ByteBuffer> q = items;
        if (q != null) {
            while (q.poll() != null) {
                HELD.decrementAndGet(this);
            }
        }
    }

    /** Adds flags to the state; returns the state before. */
    private int addFlags(int flags) {
        return update(0, flags);
    }

    /**
     * Adds flags to the state unless it holds any of {@code unless}: the one CAS loop through
     * which every change of the state goes.
     *
     * @return the state before, or -1 if it held one of {@code unless} and is unchanged
     */
    private int update(int unless, int flags) {
        for (;;) {
            int s = state;
            if ((s & unless) != 0) {
                return -1;
            }
            if ((s & flags) == flags || STATE.compareAndSet(this, s, s | flags)) {
                return s;
            }
        }
    }

    private void finish() {
        Disposable task = timeoutTask;
        if (task != null) {
            task.dispose();
        }
        session.unregister(this);
    }

    @Override
    public RpcStatus testCancel() {
        int s = state;
        if ((s & DECIDED) != 0) {
            return RpcStatus.INVALID_BINDING;
        }
        return (s & CANCEL_REQUESTED) != 0 ? RpcStatus.OK : RpcStatus.CALL_IN_PROGRESS;
    }

    @Override
    public Mono<Void> cancelled() {
        Sinks.Empty<Void> sink = cancelledSink;
        if (sink == null) {
            Sinks.Empty<Void> created = Sinks.empty();
            sink = CANCELLED.compareAndSet(this, null, created) ? created : Objects.requireNonNull(cancelledSink);
            if ((state & CANCEL_REQUESTED) != 0) {
                sink.tryEmitEmpty();
            }
        }
        return sink.asMono();
    }

    @Override
    public RpcStatus status() {
        RpcStatus s = outcome;
        return s != null ? s : RpcStatus.ASYNC_CALL_PENDING;
    }

    @Override
    public String method() {
        return method.name();
    }

    Long key() {
        return key;
    }

    @Override
    public CallShape shape() {
        return method.shape();
    }

    @Override
    public @Nullable Deadline deadline() {
        return deadline;
    }

    @Override
    public CallMetadata metadata() {
        return metadata;
    }

    @Override
    public @Nullable SocketAddress remoteAddress() {
        return session.remoteAddress();
    }

    @Override
    public @Nullable Principal principal() {
        return principal;
    }

    @Override
    public @Nullable CancelReason cancelReason() {
        return (state & CANCEL_REQUESTED) != 0 ? reason : null;
    }

    @Override
    public ContextView context() {
        return handlerContext();
    }

    /** The handler's context; the first to ask makes the call's own, and two racing make equal ones. */
    Context handlerContext() {
        Context c = context;
        if (c == null) {
            Deadline d = deadline;
            c = d != null ? Context.of(ServerCallInfo.class, this, Deadline.class, d) : Context.of(ServerCallInfo.class, this);
            context = c;
        }
        return c;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public @Nullable Duration timeout() {
        return timeout;
    }

    /** The client cancelled gracefully: by its own choice, or because its graceful bound (the deadline) passed. */
    void cancelGracefully(CancelReason reason) {
        requestCancel(CANCEL_REQUESTED, reason);
    }

    /** The client cancelled abortively: the transport stream is gone. */
    private void abandon() {
        requestCancel(CANCEL_REQUESTED | ABANDONED, CancelReason.ABORTIVE);
    }

    /** The connection ended under the call. */
    void connectionClosed() {
        requestCancel(CANCEL_REQUESTED | ABANDONED | CONNECTION_LOST, CancelReason.CONNECTION_LOST);
        // Also for a call already decided: what it still holds can no longer go out.
        addFlags(CONNECTION_LOST);
        drain();
    }

    private void timeoutPassed() {
        requestCancel(CANCEL_REQUESTED, CancelReason.DEADLINE);
    }

    /**
     * Adds cancel flags to a call whose end is not decided; true if this added ABANDONED. The
     * reason is set first, the first one kept, so that whoever sees the cancel sees why.
     */
    private boolean requestCancel(int flags, CancelReason why) {
        if (reason == null && (state & DECIDED) == 0) {
            REASON.compareAndSet(this, null, why);
        }
        int s = update(DECIDED, flags);
        if (s < 0 || (s | flags) == s) {
            return false;
        }
        if ((s & CANCEL_REQUESTED) == 0) {
            Ops o = ops();
            o.cancelAt = session.server().nanoTime();
            o.cancelSeen = true;
        }
        boolean abandoned = (flags & ABANDONED) != 0 && (s & ABANDONED) == 0;
        if (abandoned) {
            if (!handling && (s & (DISPATCHED | QUEUED)) != 0) {
                // Left while the steps before the handler ran, or while it waited for a place: no
                // handler will end the call. One that left before it was dispatched is ended by
                // subscribe(), once it is on the books.
                Disposable wait = waiting;
                if (wait != null) {
                    wait.dispose();
                }
                endAbandoned();
                stepDone();
                if ((s & CANCEL_REQUESTED) == 0) {
                    signalCancelled();
                }
                return true;
            }
            // Unregistered before the cancel is signalled: whoever sees cancelled() sees the call gone.
            finish();
            Inbound<?> in = inbound;
            if (in != null) {
                in.stop(new RpcFault(abandonedOutcome(s | flags), "the client left the call"));
            }
            if (stopHandler()) {
                handlerStopped = true;
                costOfCancel(CancelCostListener.Ending.CANCEL_SIGNAL);
                // A grace started by an earlier graceful cancel has nothing left to wait for.
                stopCancelGrace();
            }
            else {
                releaseWhenCollected();
                if (handling) {
                    session.server().linger(this);
                    startCancelGrace();
                }
            }
        }
        else if ((s & CANCEL_REQUESTED) == 0) {
            startCancelGrace();
        }
        if ((s & CANCEL_REQUESTED) == 0) {
            signalCancelled();
        }
        return abandoned;
    }

    /** What operators and the cancel metrics keep of a call, made for the few calls that need it. */
    static final class Ops {
        /** The server's id of the call for its inspector; 0 until first listed. */
        volatile long inspectorId;
        /** When the client's cancel reached the server, in the server's nanoTime; read once {@link #cancelSeen} is set. */
        volatile long cancelAt;
        /** Set once the client's cancel has reached the server. */
        volatile boolean cancelSeen;
        /** Ends the call if its handler has not when the cancel grace runs out. */
        volatile @Nullable Disposable grace;
        /** Set once the cost of the cancel is recorded: one end, one record. */
        volatile int recorded;

        private static final AtomicIntegerFieldUpdater<Ops> RECORDED = AtomicIntegerFieldUpdater.newUpdater(Ops.class, "recorded");

        boolean record() {
            return RECORDED.compareAndSet(this, 0, 1);
        }
    }

    private Ops ops() {
        Ops o = ops;
        if (o == null) {
            Ops created = new Ops();
            o = OPS.compareAndSet(this, null, created) ? created : Objects.requireNonNull(ops);
        }
        return o;
    }

    /** The server's id of the call, given when an operator first lists it. */
    long inspectorId() {
        Ops o = ops();
        long id = o.inspectorId;
        if (id == 0) {
            synchronized (o) {
                id = o.inspectorId;
                if (id == 0) {
                    id = session.server().nextInspectorId();
                    o.inspectorId = id;
                }
            }
        }
        return id;
    }

    /** The id an operator was given for the call; 0 if it was never listed. */
    long listedId() {
        Ops o = ops;
        return o != null ? o.inspectorId : 0;
    }

    /**
     * The handler has the server's cancel grace to end a cancelled call; past it the server ends
     * the call ({@code RPC_S_CALL_CANCELLED} to a client that still waits) and stops the handler.
     */
    private void startCancelGrace() {
        Duration grace = session.server().cancelGrace();
        if (grace == null) {
            return;
        }
        Ops o = ops();
        Disposable task = Schedulers.parallel().schedule(this::cancelGraceOver, grace.toNanos(), TimeUnit.NANOSECONDS);
        o.grace = task;
        if ((state & DECIDED) != 0) {
            task.dispose();
        }
    }

    private void stopCancelGrace() {
        Ops o = ops;
        if (o != null) {
            Disposable grace = o.grace;
            if (grace != null) {
                grace.dispose();
            }
        }
    }

    private void cancelGraceOver() {
        int previous = claim(ABORTED);
        if (previous < 0) {
            return;
        }
        Duration grace = session.server().cancelGrace();
        costOfCancel(CancelCostListener.Ending.SERVER);
        if ((previous & ABANDONED) != 0) {
            terminate(abandonedOutcome(previous), null);
        }
        else {
            terminate(RpcStatus.CALL_CANCELLED, new RpcFault(RpcStatus.CALL_CANCELLED, "the handler of '" + method.name()
                    + "' did not end the call within " + (grace != null ? grace.toMillis() : 0)
                    + " ms of its cancel; the server ended it"));
        }
        stopHandler();
        log.warn("The handler of '{}' had not ended call {} {} after its client cancelled it; the server ended it",
                method.name(), id, grace);
    }

    /** Records, once, who ended a call its client had cancelled, and how long after the cancel; nothing for others. */
    private void costOfCancel(CancelCostListener.Ending ending) {
        Ops o = ops;
        if (o == null || !o.cancelSeen || !o.record()) {
            return;
        }
        CancelCostListener listener = session.server().cancelCosts();
        CancelReason why = reason;
        if (listener != null && why != null) {
            try {
                listener.ended(this, why, session.server().nanoTime() - o.cancelAt, ending);
            }
            catch (RuntimeException e) {
                log.warn("A cancel cost listener failed for a call of '{}'", method.name(), e);
            }
        }
    }

    /** A reply or an item the handler produced after its client left: dropped, and counted. */
    private void droppedAfterCancel() {
        session.server().droppedAfterCancel(this);
    }

    private void signalCancelled() {
        Sinks.Empty<Void> sink = cancelledSink;
        if (sink != null) {
            sink.tryEmitEmpty();
        }
    }

    /** Stops a reactive handler's work; false if there is none to stop (yet). */
    private boolean stopHandler() {
        Runnable action = ON_ABANDON.getAndSet(this, ABANDON_DONE);
        if (action == null) {
            return false;
        }
        action.run();
        return true;
    }

    /**
     * A handler that ends its call itself keeps the request after the client left, until it ends
     * the call. One that never does — the seed requires it to — should not hold the transport's
     * buffer for ever: it goes back when the call is collected, whichever of the two comes first.
     */
    private void releaseWhenCollected() {
        Runnable r = release;
        if (r != null) {
            ReleaseOnce once = new ReleaseOnce(r);
            if (RELEASE.compareAndSet(this, r, once)) {
                Collected.CLEANER.register(this, once);
            }
        }
    }

    /** A release that runs once, whether the call's end or the cleaner calls it first. */
    private static final class ReleaseOnce extends AtomicReference<Runnable> implements Runnable {

        ReleaseOnce(Runnable release) {
            super(release);
        }

        @Override
        public void run() {
            Runnable r = getAndSet(null);
            if (r != null) {
                r.run();
            }
        }
    }

    /** The cleaner's thread starts only when a call is first abandoned to a handler that ends it itself. */
    private static final class Collected {
        static final Cleaner CLEANER = Cleaner.create();
    }

    /** The call left the session's books, once: it ended, or the client abandoned it first. Its interceptors are told. */
    void leftTheBooks() {
        EndAfterStep e = ends;
        if (e != null) {
            RpcStatus s = outcome;
            tellEnd(e.end(s != null ? s : abandonedOutcome(state)));
        }
    }

    private void tellEnd(@Nullable RpcStatus end) {
        if (end != null) {
            session.ended(this, end);
        }
    }

    /** How a call the client abandoned ends: cancelled, or a communications failure if its connection closed. */
    private static RpcStatus abandonedOutcome(int state) {
        return (state & CONNECTION_LOST) != 0 ? RpcStatus.COMM_FAILURE : RpcStatus.CALL_CANCELLED;
    }

    /**
     * The server ends the call without waiting for its handler — it is shutting down, or an
     * operator aborted the call: the client receives the fault, and the handler is told
     * ({@code cancelled()} fires, a reactive handler's subscription is cancelled;
     * {@code testCancel()} answers {@code RPC_S_INVALID_BINDING}, the call having ended).
     *
     * @return true if this ended the call; false if it had ended already
     */
    boolean endFromServer(RpcFault fault) {
        if (!end(fault)) {
            return false;
        }
        Disposable wait = waiting;
        if (wait != null) {
            wait.dispose();
            stepDone();
        }
        // A first, so a handler that answers its cancel cannot win over the fault.
        if ((addFlags(CANCEL_REQUESTED) & CANCEL_REQUESTED) == 0) {
            signalCancelled();
        }
        stopHandler();
        return true;
    }

    /** Whether the call's end is decided (Comp or A): nothing else may end it. */
    boolean isDecided() {
        return (state & DECIDED) != 0;
    }

    /** What an operator sees of the call now, under the server's id for it. */
    CallSnapshot snapshot() {
        int s = state;
        long now = session.server().nanoTime();
        SocketAddress remote = remoteAddress();
        Principal who = principal;
        Deadline d = deadline;
        String seed = (s & (DISPATCHED | DECIDED)) == 0 && (s & QUEUED) != 0 ? "queued" : seedState();
        return new CallSnapshot(inspectorId(), method.name(), method.shape(), id, remote != null ? remote.toString() : null,
                who != null ? who.getName() : null, Duration.ofNanos(Math.max(0, now - arrivedAt)), seed,
                (s & ABANDONED) != 0, (s & CANCEL_REQUESTED) != 0 ? reason : null,
                d != null ? d.remaining() : null, emitted);
    }

    /** The demand of a reactive stream handler's {@code Flux}, which it subscribes with; {@code null} for a call of one reply. */
    Operators.@Nullable DeferredSubscription handlerDemand() {
        return handlerDemand;
    }

    /** Registers what to stop when the client abandons the call; runs it now if it already has. */
    void onAbandon(Runnable action) {
        if (!ON_ABANDON.compareAndSet(this, null, action)) {
            action.run();
            // The client left (or the server ended the call) before the handler subscribed: it is
            // stopped now, as it would have been then, and no longer runs for nobody.
            handlerStopped = true;
            costOfCancel(CancelCostListener.Ending.CANCEL_SIGNAL);
            stopCancelGrace();
            session.server().unlinger(this);
        }
    }

    /** Whether the handler's subscription was cancelled: a reactive handler stopped by its client's leaving. */
    boolean isHandlerStopped() {
        return handlerStopped;
    }

    /** The seed's name for the call's state: D, Comp, A or End; "new" before it is dispatched or ends. */
    String seedState() {
        int s = state;
        if ((s & ENDED) != 0) {
            return "End";
        }
        if ((s & COMPLETED) != 0) {
            return "Comp";
        }
        if ((s & ABORTED) != 0) {
            return "A";
        }
        return (s & DISPATCHED) != 0 ? "D" : "new";
    }

    @Override
    public String toString() {
        return "AsyncCall{" + method.name() + ", id=" + id + ", " + seedState() + ", " + status()
                + ", testCancel=" + testCancel() + "}";
    }
}
