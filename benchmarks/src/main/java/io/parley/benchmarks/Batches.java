package io.parley.benchmarks;

import java.util.function.Consumer;

import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

import reactor.core.publisher.BaseSubscriber;

/**
 * The subscriber of a server stream on the Reactor-based clients (raw RSocket, Parley, Spring):
 * it asks for {@code batch} items, then for {@code batch - batch / 4} more each time that many
 * have arrived — the requests Reactor's {@code limitRate(batch)} makes, without its queue and its
 * drain loop, which gRPC's observer does not have either. Its {@code dispose()} is the client's
 * abortive cancel.
 */
final class Batches extends BaseSubscriber<Object> {

    private final int batch;
    private final int replenish;
    private final Items items;
    private final Consumer<Object> release;
    private int sinceRequest;

    /**
     * @param batch the first request, and the outstanding demand's ceiling
     * @param items told of each item
     * @param release what the client does with an item once taken: a zero-copy payload is released
     */
    Batches(int batch, Items items, Consumer<Object> release) {
        this.batch = batch;
        this.replenish = replenish(batch);
        this.items = items;
        this.release = release;
    }

    /**
     * Subscribes to a stream's items in batches.
     *
     * @return the client's abortive cancel: disposing the subscription
     */
    static Runnable read(Publisher<?> stream, int batch, Items items, Consumer<Object> release) {
        Batches subscriber = new Batches(batch, items, release);
        stream.subscribe(subscriber);
        return subscriber::dispose;
    }

    /** How many items a client asks for again once it has received as many: limitRate's low tide, 75 %. */
    static int replenish(int batch) {
        return Math.max(1, batch - (batch >> 2));
    }

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
        subscription.request(batch);
    }

    @Override
    protected void hookOnNext(Object item) {
        release.accept(item);
        items.item();
        if (++sinceRequest == replenish) {
            sinceRequest = 0;
            request(replenish);
        }
    }

    @Override
    protected void hookOnError(Throwable error) {
        items.failed(error);
    }

    @Override
    protected void hookOnComplete() {
        items.completed();
    }
}
