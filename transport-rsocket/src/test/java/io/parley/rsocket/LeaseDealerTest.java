package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.parley.core.transport.CallAcceptor;
import io.parley.core.transport.ConnectionInfo;
import io.parley.core.transport.ServerSession;
import io.rsocket.frame.FrameType;
import io.rsocket.lease.Lease;
import io.rsocket.lease.TrackingLeaseSender;
import reactor.core.Disposable;

/**
 * How one server's free capacity is dealt out as leases among its connections: never more than
 * is free in all, none empty, by demand, nothing (the last lease lapses) when nothing is free,
 * unbounded without a limit, an even share at once for a connection that joins, and renewed on
 * a timer.
 */
class LeaseDealerTest {

    /** Long enough that only the test renews, but for the test of the timer. */
    private static final Duration TTL = Duration.ofHours(1);

    private final AtomicInteger free = new AtomicInteger();
    private final List<Disposable> resources = new ArrayList<>();
    private final CallAcceptor acceptor = new CallAcceptor() {
        @Override
        public ServerSession openSession(ConnectionInfo connection) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int availableCalls() {
            return free.get();
        }
    };
    private final LeaseDealer dealer = dealer(TTL);

    @AfterEach
    void dispose() {
        resources.forEach(Disposable::dispose);
    }

    @Test
    void theLeasesOfARenewal_addUpToWhatIsFree_andNoneIsEmpty() {
        free.set(10);
        List<Connection> connections = List.of(connect(dealer), connect(dealer), connect(dealer));

        for (int round : new int[] {7, 2, 10, 1}) {
            connections.forEach(Connection::useUp);
            free.set(round);
            List<Lease> dealt = renew(connections);
            assertThat(dealt).as("leases of %d free", round).allSatisfy(lease -> {
                assertThat(lease.numberOfRequests()).isBetween(1, round);
                assertThat(lease.timeToLiveInMillis()).isEqualTo((int) TTL.toMillis());
            });
            assertThat(dealt.stream().mapToInt(Lease::numberOfRequests).sum()).as("dealt of %d free", round).isEqualTo(round);
        }
    }

    @Test
    void aConnectionThatAskedMore_getsMore_andAnIdleOneKeepsSome() {
        free.set(12);
        Connection busy = connect(dealer);
        Connection idle = connect(dealer);
        busy.useUp();
        idle.useUp();
        renew(List.of(busy, idle));
        busy.useUp();
        idle.useUp();
        for (int i = 0; i < 30; i++) {
            busy.sender.onStart(2 * i + 1, FrameType.REQUEST_RESPONSE, null);
        }

        renew(List.of(busy, idle));

        assertThat(busy.latest().numberOfRequests()).isGreaterThan(idle.latest().numberOfRequests());
        assertThat(idle.latest().numberOfRequests()).isPositive();
    }

    @Test
    void whatEarlierLeasesStillAllow_isNotDealtAgain() {
        free.set(10);
        Connection connection = connect(dealer);
        assertThat(connection.latest().numberOfRequests()).isEqualTo(10);
        for (int i = 0; i < 4; i++) {
            connection.sender.onStart(2 * i + 1, FrameType.REQUEST_RESPONSE, null);
        }

        List<Lease> dealt = renew(List.of(connection));

        assertThat(dealt).extracting(Lease::numberOfRequests).as("10 free, 6 of the last lease unused").containsExactly(4);
    }

    @Test
    void nothingFree_noLease() {
        free.set(5);
        Connection connection = connect(dealer);
        int before = connection.leases.size();
        free.set(0);

        dealer.renew();

        assertThat(connection.leases).hasSize(before);
    }

    @Test
    void noLimit_unboundedLeases() {
        free.set(Integer.MAX_VALUE);
        Connection connection = connect(dealer);

        dealer.renew();

        assertThat(connection.leases).extracting(Lease::numberOfRequests).containsExactly(Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    @Test
    void aConnectionThatJoins_getsAnEvenShareOfWhatIsLeft_atOnce() {
        free.set(9);
        Connection first = connect(dealer);
        assertThat(first.latest().numberOfRequests()).isEqualTo(9);
        for (int i = 0; i < 5; i++) {
            first.sender.onStart(2 * i + 1, FrameType.REQUEST_RESPONSE, null);
        }

        Connection second = connect(dealer);

        assertThat(second.latest().numberOfRequests()).as("(9 free - 4 the first may still send) / 2").isEqualTo(2);
    }

    @Test
    void leasesAreRenewedTwicePerTimeToLive() {
        free.set(3);
        LeaseDealer timed = dealer(Duration.ofMillis(20));
        Connection connection = connect(timed);

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (connection.leases.size() < 4 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }

        assertThat(connection.leases).hasSizeGreaterThanOrEqualTo(4).allSatisfy(lease -> assertThat(lease.numberOfRequests()).isEqualTo(3));
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private LeaseDealer dealer(Duration ttl) {
        LeaseDealer d = new LeaseDealer(acceptor, ttl);
        resources.add(d);
        return d;
    }

    private Connection connect(LeaseDealer to) {
        Connection connection = new Connection(to.newConnection());
        resources.add(connection.sender.send().subscribe(connection.leases::add));
        return connection;
    }

    /** Renews, and returns the leases the renewal dealt. */
    private List<Lease> renew(List<Connection> connections) {
        int[] before = connections.stream().mapToInt(c -> c.leases.size()).toArray();
        dealer.renew();
        List<Lease> dealt = new ArrayList<>();
        for (int i = 0; i < connections.size(); i++) {
            List<Lease> all = new ArrayList<>(connections.get(i).leases);
            assertThat(all.size() - before[i]).as("leases for one connection in one renewal").isLessThanOrEqualTo(1);
            dealt.addAll(all.subList(before[i], all.size()));
        }
        return dealt;
    }

    /** One connection's lease sender and the leases it sent. */
    private static final class Connection {

        final TrackingLeaseSender sender;
        final Queue<Lease> leases = new ConcurrentLinkedQueue<>();

        Connection(TrackingLeaseSender sender) {
            this.sender = sender;
        }

        /** The client sends as many requests as its last lease allows. */
        void useUp() {
            int allowed = leases.isEmpty() ? 0 : latest().numberOfRequests();
            for (int i = 0; i < allowed; i++) {
                sender.onStart(2 * i + 1, FrameType.REQUEST_RESPONSE, null);
            }
        }

        Lease latest() {
            Lease last = null;
            for (Lease lease : leases) {
                last = lease;
            }
            assertThat(last).as("a lease").isNotNull();
            return last;
        }
    }
}
