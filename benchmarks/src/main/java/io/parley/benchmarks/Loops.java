package io.parley.benchmarks;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.netty.resources.LoopResources;

/**
 * Event loops of one thread each, under names no other system's share: {@code s<n>} for a
 * server, {@code c<n>} for a client, short enough to survive Linux's 15-character thread names.
 */
final class Loops {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private Loops() {
    }

    /** A fresh prefix for one side of one system: {@code s17}, {@code c17}. */
    static String prefix(char side) {
        return side + Integer.toString(SEQUENCE.incrementAndGet());
    }

    /** Reactor Netty loops of one thread; native epoll when present, as by default. */
    static LoopResources reactor(String prefix) {
        return LoopResources.create(prefix, 1, true);
    }

    static void dispose(LoopResources loops) {
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
    }
}
