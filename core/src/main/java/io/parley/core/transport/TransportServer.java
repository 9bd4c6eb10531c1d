package io.parley.core.transport;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * A bound {@link ServerTransport}. Disposing it stops accepting connections and closes the open
 * ones, which closes their sessions.
 */
public interface TransportServer extends Disposable {

    /**
     * Where clients reach this server, e.g. {@code "127.0.0.1:40411"} or
     * {@code "in-process:orders"}; with port 0 asked for, the port actually bound.
     */
    String address();

    /** Completes when the server has stopped. */
    Mono<Void> onClose();
}
