package io.parley.rsocket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.jspecify.annotations.Nullable;

import io.netty.buffer.ByteBuf;
import io.parley.core.transport.CallAcceptor;
import io.rsocket.frame.FrameType;
import io.rsocket.lease.Lease;
import io.rsocket.lease.TrackingLeaseSender;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Hands out one server's free capacity as RSocket leases, one per connection: RSocket's
 * responder then refuses a request beyond its connection's lease, and a client that honours
 * leases sends none. Every half {@code ttl} the server's free capacity
 * ({@link CallAcceptor#availableCalls()}) is dealt out again, each lease living {@code ttl}, so
 * that a connection with a share never sees its lease expire. A connection's share follows its
 * demand: the requests it made (or had refused) since the last deal, plus one, so that an idle
 * connection still gets some; the shares never add up to more than what is free, and what is
 * left after rounding goes one by one to the connections in turn, a different one first each
 * time. What is free is what the server's capacity leaves less what earlier leases still allow,
 * since requests sent under an old lease may reach the server before the new one replaces it.
 * A connection whose share is nothing gets no lease: its last one lapses, as RSocket allows
 * no lease of zero requests. A connection that arrives between two deals gets an even share of
 * what is free at once, so that its first calls do not wait for the next deal. Without a limit
 * every lease allows {@code Integer.MAX_VALUE} requests.
 *
 * <p>A request RSocket has counted against its lease but the server has not yet given a place
 * is, for that moment, neither unused nor in flight: a deal then may let one more through than
 * there is room for, which a short admission queue absorbs.
 */
final class LeaseDealer implements Disposable {

    private static final AtomicIntegerFieldUpdater<LeaseDealer> DEALING =
            AtomicIntegerFieldUpdater.newUpdater(LeaseDealer.class, "dealing");

    private final CallAcceptor acceptor;
    private final Duration ttl;
    private final Set<Tenant> tenants = ConcurrentHashMap.newKeySet();
    /** Connections that joined since the last deal, waiting for their first lease. */
    private final Queue<Tenant> joining = new ConcurrentLinkedQueue<>();
    private final Disposable renewals;
    private volatile int dealing;
    private volatile boolean renewalDue;

    /** Which connection gets the first of what is left after rounding; only the dealing thread touches it. */
    private int turn;

    LeaseDealer(CallAcceptor acceptor, Duration ttl) {
        this.acceptor = acceptor;
        this.ttl = ttl;
        Duration every = ttl.dividedBy(2);
        this.renewals = Flux.interval(every, every).subscribe(tick -> renew(), error -> { });
    }

    /** Deals the free capacity out to every connection again. */
    void renew() {
        renewalDue = true;
        deal();
    }

    /** The lease sender of a new connection: RSocket's server asks for one at each SETUP. */
    TrackingLeaseSender newConnection() {
        return new Tenant();
    }

    /**
     * Gives the connections that joined their first lease and, when a renewal is due, deals the
     * free capacity out to every connection: from one thread at a time, a deal asked for
     * meanwhile following, so that a connection's leases go out in order.
     */
    private void deal() {
        if (DEALING.getAndIncrement(this) != 0) {
            return;
        }
        int missed = 1;
        do {
            Tenant joined;
            while ((joined = joining.poll()) != null) {
                tenants.add(joined);
                int free = acceptor.availableCalls();
                if (free != Integer.MAX_VALUE) {
                    long now = System.nanoTime();
                    long outstanding = 0;
                    for (Tenant tenant : tenants) {
                        outstanding += tenant.unused(now);
                    }
                    free = (int) Math.max(0, free - outstanding);
                }
                int share = free == Integer.MAX_VALUE ? free : free / tenants.size();
                if (share > 0) {
                    joined.offer(share);
                }
            }
            if (renewalDue) {
                renewalDue = false;
                renewAll();
            }
            missed = DEALING.addAndGet(this, -missed);
        } while (missed != 0);
    }

    private void renewAll() {
        List<Tenant> all = new ArrayList<>(tenants);
        int n = all.size();
        if (n == 0) {
            return;
        }
        int free = acceptor.availableCalls();
        if (free == Integer.MAX_VALUE) {
            all.forEach(tenant -> tenant.offer(Integer.MAX_VALUE));
            return;
        }
        // Permits already dealt and not yet used may still come, some on their way now: a new
        // lease does not void those that reach the server before it replaces the old one.
        long now = System.nanoTime();
        long outstanding = 0;
        for (Tenant tenant : all) {
            outstanding += tenant.unused(now);
        }
        free = (int) Math.max(0, free - outstanding);
        long[] weights = new long[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = all.get(i).demandSinceLastDeal() + 1L;
            total += weights[i];
        }
        int[] shares = new int[n];
        long dealt = 0;
        for (int i = 0; i < n; i++) {
            shares[i] = (int) (free * weights[i] / total);
            dealt += shares[i];
        }
        int first = Math.floorMod(turn++, n);
        for (int i = 0; dealt < free && i < n; i++) {
            shares[(first + i) % n]++;
            dealt++;
        }
        for (int i = 0; i < n; i++) {
            if (shares[i] > 0) {
                all.get(i).offer(shares[i]);
            }
        }
    }

    @Override
    public void dispose() {
        renewals.dispose();
        tenants.clear();
    }

    @Override
    public boolean isDisposed() {
        return renewals.isDisposed();
    }

    /**
     * One connection's leases, and what its requests say of its demand: RSocket installs a
     * {@link TrackingLeaseSender} as its connection's request interceptor too.
     */
    private final class Tenant implements TrackingLeaseSender {

        private final Sinks.Many<Lease> leases = Sinks.many().unicast().onBackpressureBuffer();
        private final AtomicInteger demand = new AtomicInteger();
        /** Requests started since the last lease, which RSocket's responder counts against it. */
        private final AtomicInteger usedOfLease = new AtomicInteger();
        /** The last lease's requests, and when it ends; written by the dealing thread. */
        private volatile int granted;
        private volatile long expiresAt;

        /** Subscribed once RSocket's server has accepted the connection: it joins the deals, and gets its first lease at once. */
        @Override
        public Flux<Lease> send() {
            return leases.asFlux()
                    .doOnSubscribe(subscription -> {
                        joining.add(this);
                        deal();
                    })
                    .doFinally(signal -> tenants.remove(this));
        }

        int demandSinceLastDeal() {
            return demand.getAndSet(0);
        }

        /** Called by the dealing thread alone. */
        void offer(int requests) {
            granted = requests;
            expiresAt = System.nanoTime() + ttl.toNanos();
            usedOfLease.set(0);
            leases.tryEmitNext(Lease.create(ttl, requests));
        }

        /** What the last lease still allows: requests the client may send, or has sent and the server not yet seen. */
        long unused(long now) {
            int g = granted;
            if (g == Integer.MAX_VALUE || now - expiresAt >= 0) {
                return 0;
            }
            return Math.max(0, g - usedOfLease.get());
        }

        @Override
        public void onStart(int streamId, FrameType requestType, @Nullable ByteBuf metadata) {
            demand.incrementAndGet();
            usedOfLease.incrementAndGet();
        }

        @Override
        public void onReject(Throwable rejectionReason, FrameType requestType, @Nullable ByteBuf metadata) {
            demand.incrementAndGet();
        }

        @Override
        public void onTerminate(int streamId, FrameType requestType, @Nullable Throwable t) {
        }

        @Override
        public void onCancel(int streamId, FrameType requestType) {
        }

        @Override
        public void dispose() {
            tenants.remove(this);
        }
    }
}
