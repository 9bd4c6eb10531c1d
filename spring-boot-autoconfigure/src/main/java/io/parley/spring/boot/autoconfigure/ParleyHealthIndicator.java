package io.parley.spring.boot.autoconfigure;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import io.parley.core.server.ParleyServer;

/**
 * Health of the Parley server: UP while it is bound and accepting calls, OUT_OF_SERVICE while it
 * shuts down, DOWN before it starts and once it has stopped.
 */
public class ParleyHealthIndicator extends AbstractHealthIndicator {

    private final ParleyServerBootstrap bootstrap;

    public ParleyHealthIndicator(ParleyServerBootstrap bootstrap) {
        super("Parley health check failed");
        this.bootstrap = bootstrap;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        ParleyServer server = this.bootstrap.getServer();
        if (server == null) {
            builder.down().withDetail("reason", "not started");
            return;
        }
        if (server.isAccepting()) {
            builder.up();
        }
        else if (server.isDisposed()) {
            builder.down().withDetail("reason", "stopped");
        }
        else {
            builder.outOfService().withDetail("reason", "shutting down");
        }
        builder.withDetail("address", server.address())
            .withDetail("activeCalls", server.activeCalls())
            .withDetail("droppedReplies", server.droppedReplies());
    }
}
