package io.parley.spring.boot.autoconfigure.e2e;

import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ServerStream;
import io.parley.spring.ParleyMethod;
import io.parley.spring.ParleyService;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** One method per shape of design §5 and per stream shape, plus faults and calls that wait for their cancel. */
@ParleyService
public class ShapesService {

    /** Emits the testCancel() status a held call saw when its client cancelled. */
    final Sinks.Many<RpcStatus> cancelSeen = Sinks.many().multicast().directBestEffort();

    /** The last call of holdAsync, for the test to complete late. */
    final java.util.concurrent.atomic.AtomicReference<AsyncCall<String>> heldAsync = new java.util.concurrent.atomic.AtomicReference<>();

    /** What the one-way calls delivered, each with the thread that ran it. */
    final Queue<Receipt> recorded = new ConcurrentLinkedQueue<>();

    /** What testCancel() said when a client cancelled a stream of watch. */
    final Queue<RpcStatus> watchCancelSeen = new ConcurrentLinkedQueue<>();

    /** What testCancel() said when a client cancelled a stream of progress. */
    final Queue<RpcStatus> progressCancelSeen = new ConcurrentLinkedQueue<>();

    /** Completes held calls that wait for it. */
    volatile Sinks.Empty<Void> release = Sinks.empty();

    /** Calls of busyOnce, by key: the first of each key is refused as too busy. */
    final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> busyOnceCalls = new java.util.concurrent.ConcurrentHashMap<>();

    @ParleyMethod(idempotent = true)
    public Mono<String> busyOnce(String key) {
        int n = this.busyOnceCalls.computeIfAbsent(key, (k) -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
        return (n == 1) ? Mono.error(new RpcFault(RpcStatus.SERVER_TOO_BUSY, "busy")) : Mono.just(key + " on attempt " + n);
    }

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

    /** A server stream: one receipt per unit ordered. */
    @ParleyMethod
    public Flux<Receipt> placeEach(Order order) {
        return Flux.range(1, order.quantity()).map((unit) -> new Receipt(order.item(), unit, Thread.currentThread().getName()));
    }

    /** A server stream of a generic item type: the receipts in lists of two. */
    @ParleyMethod
    public Flux<List<Receipt>> placeInPairs(Order order) {
        return placeEach(order).buffer(2);
    }

    /** A client stream: one receipt for all the orders. */
    @ParleyMethod
    public Mono<Receipt> placeTotal(Flux<Order> orders) {
        return orders.map(Order::quantity)
            .reduce(0, Integer::sum)
            .map((total) -> new Receipt("total", total, Thread.currentThread().getName()));
    }

    /** A channel: a receipt for each order as it comes. */
    @ParleyMethod
    public Flux<Receipt> placeAll(Flux<Order> orders) {
        return orders.map((order) -> new Receipt(order.item(), order.quantity(), Thread.currentThread().getName()));
    }

    /** One-way: nothing goes back, so the test reads what arrived here. */
    @ParleyMethod
    public void record(Order order) {
        this.recorded.add(new Receipt(order.item(), order.quantity(), Thread.currentThread().getName()));
    }

    /** A seed-style stream: says it started, and answers a graceful cancel with a last item. */
    @ParleyMethod
    public void progress(String job, ServerStream<String> stream) {
        stream.next(job + " started");
        stream.cancelled().subscribe(null, null, () -> {
            this.progressCancelSeen.add(stream.testCancel());
            stream.complete(job + " stopped");
        });
    }

    /** A stream that runs until its client cancels it, with the stream at hand to see the cancel. */
    @ParleyMethod
    public Flux<String> watch(String topic, ServerStream<String> stream) {
        stream.cancelled().subscribe(null, null, () -> this.watchCancelSeen.add(stream.testCancel()));
        return Flux.just(topic + " watched").concatWith(Flux.never());
    }

    /** Two items, then the fault code, from the Flux. */
    @ParleyMethod
    public Flux<Integer> countThenFail(Integer faultCode) {
        return Flux.just(1, 2).concatWith(Flux.error(new RpcFault(faultCode, "failed mid-stream on purpose")));
    }

    /** Two items, then the fault code, in the seed's style. */
    @ParleyMethod
    public void countThenAbort(Integer faultCode, ServerStream<Integer> stream) {
        stream.next(1);
        stream.next(2);
        stream.abort(faultCode);
    }
}
