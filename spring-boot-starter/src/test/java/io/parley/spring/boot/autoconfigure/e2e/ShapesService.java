package io.parley.spring.boot.autoconfigure.e2e;

import java.util.Locale;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.server.AsyncCall;
import io.parley.spring.ParleyMethod;
import io.parley.spring.ParleyService;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** One method per shape of design §5, plus faults and calls that wait for their cancel. */
@ParleyService
public class ShapesService {

    /** Emits the testCancel() status a held call saw when its client cancelled. */
    final Sinks.Many<RpcStatus> cancelSeen = Sinks.many().multicast().directBestEffort();

    /** The last call of holdAsync, for the test to complete late. */
    final java.util.concurrent.atomic.AtomicReference<AsyncCall<String>> heldAsync = new java.util.concurrent.atomic.AtomicReference<>();

    /** Completes held calls that wait for it. */
    volatile Sinks.Empty<Void> release = Sinks.empty();

    @ParleyMethod
    public Mono<Receipt> place(Order order) {
        return Mono.just(new Receipt(order.item(), order.quantity(), Thread.currentThread().getName()));
    }

    @ParleyMethod("shout")
    public Mono<String> upperCase(String text, AsyncCall<String> call) {
        return Mono.just(text.toUpperCase(Locale.ROOT) + " (call " + call.method() + ")");
    }

    @ParleyMethod
    public void countLetters(String text, AsyncCall<Integer> call) {
        call.complete(text.length());
    }

    @ParleyMethod
    public Receipt placeBlocking(Order order) {
        return new Receipt(order.item(), order.quantity(), Thread.currentThread().getName());
    }

    @ParleyMethod
    public Mono<String> fail(Integer faultCode) {
        return Mono.error(new RpcFault(faultCode, "refused on purpose"));
    }

    @ParleyMethod
    public String failBlocking(Integer faultCode) {
        throw new RpcFault(faultCode);
    }

    /** Keeps the call for the test, which completes it when it likes. */
    @ParleyMethod
    public void holdAsync(String request, AsyncCall<String> call) {
        this.heldAsync.set(call);
    }

    /**
     * Waits for a cancel or a release. Reports what testCancel() says when a cancel comes; answers
     * a graceful one (an abortive one cancels the returned Mono: nobody would read the answer).
     */
    @ParleyMethod
    public Mono<String> hold(String request, AsyncCall<String> call) {
        call.cancelled().subscribe(null, null, () -> this.cancelSeen.tryEmitNext(call.testCancel()));
        return Mono.firstWithSignal(call.cancelled(), this.release.asMono())
            .then(Mono.fromSupplier(() -> (call.testCancel() == RpcStatus.OK) ? "cancelled gracefully" : "released " + request));
    }
}
