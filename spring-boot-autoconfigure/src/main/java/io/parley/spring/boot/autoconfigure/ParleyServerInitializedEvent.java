package io.parley.spring.boot.autoconfigure;

import org.springframework.context.ApplicationEvent;

import io.parley.core.server.ParleyServer;

/**
 * Published once the auto-configured {@link ParleyServer} is bound and accepting calls.
 */
public class ParleyServerInitializedEvent extends ApplicationEvent {

    public ParleyServerInitializedEvent(ParleyServer server) {
        super(server);
    }

    /** The running server. */
    public ParleyServer getServer() {
        return (ParleyServer) getSource();
    }
}
