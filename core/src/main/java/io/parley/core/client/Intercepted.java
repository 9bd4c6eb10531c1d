package io.parley.core.client;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;

import io.parley.core.CallMetadata;
import io.parley.core.CallShape;
import io.parley.core.Credentials;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.internal.Await;
import io.parley.core.internal.EndAfterStep;
import io.parley.core.transport.AbstractTransportCall;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.TransportCall;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.util.Logger;
import reactor.util.Loggers;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * A call whose client has interceptors: its transport handle runs them when the call starts, then
 * makes the call's attempts ({@link ParleyClient#attempts}: the connection's own handle, or one
 * that retries) with the metadata and credentials they left, and passes the call's demand and
 * cancels through to it. The interceptors run once per call, whatever the number of attempts. Cancels made while the interceptors run wait in
 * {@link AbstractTransportCall}, as cancels made before a connection do; an abortive one also
 * cancels the interceptor that is waiting.
 *
 * <p>It is also the call's {@link ClientCallInfo}, and tells the interceptors of each retry
 * ({@link #retrying}) and of the call's end ({@link #ended}), also of a call that ended before they ran.
 */
final class Intercepted extends AbstractTransportCall implements ClientCallInfo {

    private static final Logger log = Loggers.getLogger(ParleyClient.class);

    private final ParleyClient client;
    private final RpcRequest request;
    private final CallShape shape;
    private final CallOptions options;
    private final List<ClientInterceptor> interceptors;
    private volatile CallMetadata metadata;
    private volatile @Nullable Credentials credentials;
    private volatile Context context;
    /** Set once the interceptors have run: metadata and credentials are fixed from then on. */
    private volatile boolean fixed;
    private volatile @Nullable Disposable waiting;
    private volatile @Nullable TransportCall inner;
    /** Holds the end back from the interceptors while one of them is in its step. */
    private final EndAfterStep ends = new EndAfterStep();

    Intercepted(ParleyClient client, RpcRequest request, CallShape shape, CallOptions options,
            List<ClientInterceptor> interceptors, ContextView callerContext) {
        this.client = client;
        this.request = request;
        this.shape = shape;
        this.options = options;
        this.interceptors = interceptors;
        this.metadata = request.metadata();
        this.credentials = request.credentials();
        this.context = Context.of(callerContext);
    }

    @Override
    protected void send() {
        proceed(0, context);
    }

    /** Runs the interceptors from {@code index} on: each at once if its {@code Mono} is a value, else when it has one. */
    private void proceed(int index, Context current) {
        if (index == interceptors.size()) {
            go();
            return;
        }
        // Entered before the cancel is read, as a cancel is recorded before the end is offered: one sees the other.
        ends.enter();
        if (isCancelled()) {
            stepDone();
            return;
        }
        Mono<Context> next;
        try {
            next = interceptors.get(index).intercept(this, current);
        }
        catch (Throwable t) {
            Exceptions.throwIfJvmFatal(t);
            stepDone();
            refuse(t);
            return;
        }
        Disposable wait = Await.value(next, current, value -> {
            context = value;
            stepDone();
            proceed(index + 1, value);
        }, error -> {
            stepDone();
            refuse(error);
        });
        if (wait != null) {
            waiting = wait;
            if (isCancelled()) {
                wait.dispose();
                stepDone();
            }
        }
    }

    /** An interceptor's step is over: if the call ended meanwhile, its interceptors are told now. */
    private void stepDone() {
        tellEnd(ends.leave());
    }

    private void refuse(Throwable error) {
        Throwable t = Exceptions.unwrap(error);
        Exceptions.throwIfJvmFatal(t);
        RpcFault fault;
        if (t instanceof RpcFault) {
            fault = (RpcFault) t;
        }
        else {
            log.warn("A client interceptor of '{}' failed; the call ends with RPC_S_CALL_FAILED", request.method(), t);
            fault = new RpcFault(RpcStatus.CALL_FAILED, "a client interceptor failed: " + t);
        }
        fixed = true;
        listener().onFault(fault);
    }

    /** The interceptors are done: the request goes out, on as many attempts as it may take. */
    private void go() {
        fixed = true;
        if (isCancelled()) {
            return;
        }
        TransportCall call = client.attempts(request.withContext(metadata, credentials), shape, options, this);
        inner = call;
        // The inner handle takes the demand and the abortive cancel as AbstractTransportCall passes them on.
        if (!upstream(new Subscription() {
            @Override
            public void request(long n) {
                call.request(n);
            }

            @Override
            public void cancel() {
                call.cancel();
            }
        })) {
            return;
        }
        call.start(listener());
        sent();
    }

    @Override
    protected void abandonSending() {
        Disposable d = waiting;
        if (d != null) {
            d.dispose();
            stepDone();
        }
    }

    @Override
    protected void sendGracefulCancel() {
        TransportCall call = inner;
        if (call != null) {
            if (isDeadlineNotice()) {
                call.deadlinePassed();
            }
            else {
                call.cancelGracefully();
            }
        }
    }

    // ---- retries and the call's end -----------------------------------------------------------

    /** The call is about to be sent again: the interceptors are told, in the order they were added. */
    void retrying(RpcStatus cause, int attempt) {
        for (ClientInterceptor interceptor : interceptors) {
            try {
                interceptor.onRetry(this, cause, attempt);
            }
            catch (RuntimeException e) {
                log.warn("A client interceptor failed at a retry of '{}'", request.method(), e);
            }
        }
    }

    /** The call ended with this status, once: the interceptors are told, the last added first. */
    void ended(RpcStatus status) {
        tellEnd(ends.end(status));
    }

    /** Tells the interceptors the call's end, if it is to be told now, the last added first. */
    private void tellEnd(@Nullable RpcStatus status) {
        if (status == null) {
            return;
        }
        for (int i = interceptors.size() - 1; i >= 0; i--) {
            try {
                interceptors.get(i).onEnd(this, status);
            }
            catch (RuntimeException e) {
                log.warn("A client interceptor failed at the end of a call of '{}'", request.method(), e);
            }
        }
    }

    // ---- ClientCallInfo ----------------------------------------------------------------------

    @Override
    public String method() {
        return request.method();
    }

    @Override
    public CallShape shape() {
        return shape;
    }

    @Override
    public long id() {
        return request.callId();
    }

    @Override
    public CallMetadata metadata() {
        return metadata;
    }

    @Override
    public void putMetadata(String name, String value) {
        checkOpen();
        metadata = metadata.replacing(name, value);
    }

    @Override
    public void addMetadata(CallMetadata more) {
        checkOpen();
        metadata = metadata.with(more);
    }

    @Override
    public @Nullable Credentials credentials() {
        return credentials;
    }

    @Override
    public void credentials(Credentials credentials) {
        checkOpen();
        this.credentials = java.util.Objects.requireNonNull(credentials, "credentials");
    }

    @Override
    public ContextView context() {
        return context;
    }

    private void checkOpen() {
        if (fixed) {
            throw new IllegalStateException("the call's request is out: its metadata and credentials are fixed");
        }
    }

    @Override
    public String toString() {
        return "ClientCallInfo{" + request.method() + ", id=" + request.callId() + "}";
    }
}
