package io.parley.core.transport;

import reactor.core.publisher.Mono;

/**
 * Accepts connections and hands each one to Parley's server.
 *
 * <p>For every connection it accepts, a transport calls {@link CallAcceptor#openSession} once,
 * passes each request of that connection to {@link ServerSession#handle}, each graceful-cancel
 * notice to {@link ServerSession#cancelGracefully}, and calls {@link ServerSession#close} when
 * the connection ends, however it ends.
 */
public interface ServerTransport {

    /**
     * Starts accepting connections.
     *
     * @param acceptor Parley's server, which opens a session for each connection
     * @return the bound server, once it accepts; an error if it cannot bind
     */
    Mono<TransportServer> bind(CallAcceptor acceptor);
}
