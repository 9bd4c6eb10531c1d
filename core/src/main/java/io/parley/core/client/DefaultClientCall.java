package io.parley.core.client;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

import io.parley.core.CallObserver;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.RpcRequest;
import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link ClientCall} and its state machine: the seed's client table.
 *
 * <pre>
 *   C --request sent--> WComp --outcome--> Comp --complete()--> End
 *   C --exception-----> End                      (ParleyClient.start throws)
 *   WComp --cancel(GRACEFUL)--> Can --> WComp     (the notice goes out; still waiting)
 *   WComp --cancel(ABORTIVE)--> Can --> Comp      (CANCEL goes out; outcome CALL_CANCELLED)
 * </pre>
 *
 * The state is the one reference {@link #outcome}: {@code null} while waiting (WComp), an
 * {@link Outcome} once it is known (Comp), that outcome marked ended once collected (End). The
 * reply, a fault, an abortive cancel and the abortive timeout race to CAS it from {@code null};
 * exactly one wins, so the call has exactly one outcome.
 */
final class DefaultClientCall<R> implements ClientCall<R>, CoreSubscriber<R> {

    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<DefaultClientCall, Outcome> OUTCOME =
            AtomicReferenceFieldUpdater.newUpdater(DefaultClientCall.class, Outcome.class, "outcome");
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<DefaultClientCall, Subscription> UPSTREAM =
            AtomicReferenceFieldUpdater.newUpdater(DefaultClientCall.class, Subscription.class, "upstream");

    private final ParleyClient client;
    private final RpcRequest request;
    private final ClientConnection.ReplyReader<R> reader;
    private final CallOptions options;
    private final CallObserver.Scope scope;
    private final Disposable.Composite timers = Disposables.composite();
    private final Sinks.One<R> replySink = Sinks.one();

    private volatile @Nullable Outcome<R> outcome;
    private volatile @Nullable Subscription upstream;
    private volatile @Nullable Disposable connecting;
    private volatile @Nullable ClientConnection connection;
    private volatile boolean requestSent;
    private volatile boolean gracefulRequested;
    /** Written and read on the thread that delivers the reply's signals, one after the other. */
    private @Nullable R reply;

    DefaultClientCall(ParleyClient client, RpcRequest request, ClientConnection.ReplyReader<R> reader, CallOptions options,
            CallObserver.Scope scope) {
        this.client = client;
        this.request = request;
        this.reader = reader;
        this.options = options;
        this.scope = scope;
    }

    /** C: makes the call. */
    void start() {
        Scheduler timer = Schedulers.parallel();
        Duration graceful = options.gracefulTimeout();
        if (graceful != null) {
            timers.add(timer.schedule(() -> cancel(CancelMode.GRACEFUL), graceful.toNanos(), TimeUnit.NANOSECONDS));
        }
        Duration abortive = options.abortiveTimeout();
        if (abortive != null) {
            timers.add(timer.schedule(() -> cancelAbortively(new RpcFault(RpcStatus.TIMEOUT,
                    "no outcome within " + abortive + "; the call was cancelled")), abortive.toNanos(), TimeUnit.NANOSECONDS));
        }
        Disposable subscription = client.connection().subscribe(this::send, this::fail);
        connecting = subscription;
        if (outcome != null) {
            subscription.dispose();
        }
    }

    private void send(ClientConnection c) {
        connection = c;
        if (outcome != null) {
            return;
        }
        // The request goes out during subscribe; a graceful notice may follow it, never precede it.
        c.call(request, reader).subscribe(this);
        requestSent = true;
        if (gracefulRequested) {
            c.cancelGracefully(request.callId());
        }
    }

    @Override
    public void onSubscribe(Subscription s) {
        if (Operators.setOnce(UPSTREAM, this, s)) {
            s.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(R value) {
        reply = value;
    }

    @Override
    public void onComplete() {
        finish(new Outcome<>(RpcStatus.OK, reply, null));
    }

    /** A fault that arrives after an abortive cancel lost the race; the call's outcome stands, so it is not reported. */
    @Override
    public void onError(Throwable error) {
        fail(error);
    }

    private void fail(Throwable error) {
        finish(new Outcome<>(null, null, ParleyClient.asFault(error)));
    }

    private boolean finish(Outcome<R> result) {
        if (!OUTCOME.compareAndSet(this, null, result)) {
            return false;
        }
        timers.dispose();
        scope.end(result.status);
        if (result.fault != null) {
            replySink.tryEmitError(result.fault);
        }
        else if (result.reply != null) {
            replySink.tryEmitValue(result.reply);
        }
        else {
            replySink.tryEmitEmpty();
        }
        return true;
    }

    private boolean cancelAbortively(RpcFault cause) {
        if (!finish(new Outcome<>(null, null, cause))) {
            return false;
        }
        Operators.terminate(UPSTREAM, this);
        Disposable subscription = connecting;
        if (subscription != null) {
            subscription.dispose();
        }
        return true;
    }

    @Override
    public RpcStatus status() {
        Outcome<R> o = outcome;
        return o == null ? RpcStatus.ASYNC_CALL_PENDING : o.status;
    }

    @Override
    public RpcStatus cancel(CancelMode mode) {
        Outcome<R> o = outcome;
        if (o != null) {
            return o.ended ? RpcStatus.INVALID_ASYNC_HANDLE : RpcStatus.NOT_CANCELLED;
        }
        if (mode == CancelMode.ABORTIVE) {
            if (cancelAbortively(new RpcFault(RpcStatus.CALL_CANCELLED, "the client cancelled the call"))) {
                return RpcStatus.OK;
            }
            return cancel(mode);
        }
        gracefulRequested = true;
        ClientConnection c = connection;
        if (c != null && requestSent && outcome == null) {
            c.cancelGracefully(request.callId());
        }
        return RpcStatus.OK;
    }

    @Override
    public RpcStatus complete(Consumer<? super R> replyConsumer) {
        for (;;) {
            Outcome<R> o = outcome;
            if (o == null) {
                return RpcStatus.ASYNC_CALL_PENDING;
            }
            if (o.ended) {
                return RpcStatus.INVALID_ASYNC_HANDLE;
            }
            if (OUTCOME.compareAndSet(this, o, o.end())) {
                if (o.reply != null) {
                    replyConsumer.accept(o.reply);
                }
                return o.status;
            }
        }
    }

    @Override
    public RpcStatus complete() {
        return complete(ignored -> { });
    }

    @Override
    public Mono<R> reply() {
        return replySink.asMono();
    }

    @Override
    public Mono<RpcStatus> completion() {
        return replySink.asMono().then(Mono.fromSupplier(this::status)).onErrorResume(e -> Mono.fromSupplier(this::status));
    }

    @Override
    public String method() {
        return request.method();
    }

    @Override
    public long id() {
        return request.callId();
    }

    @Override
    public String toString() {
        return "ClientCall{" + request.method() + ", id=" + request.callId() + ", " + status() + "}";
    }

    /** What the call came to; immutable, so one CAS publishes it whole. */
    private static final class Outcome<R> {

        final RpcStatus status;
        final @Nullable R reply;
        final @Nullable RpcFault fault;
        final boolean ended;

        Outcome(@Nullable RpcStatus status, @Nullable R reply, @Nullable RpcFault fault) {
            this(fault != null ? fault.status() : status, reply, fault, false);
        }

        private Outcome(@Nullable RpcStatus status, @Nullable R reply, @Nullable RpcFault fault, boolean ended) {
            this.status = status != null ? status : RpcStatus.OK;
            this.reply = reply;
            this.fault = fault;
            this.ended = ended;
        }

        Outcome<R> end() {
            return new Outcome<>(status, reply, fault, true);
        }
    }
}
