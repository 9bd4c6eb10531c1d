package io.parley.core.server;

import java.util.concurrent.atomic.AtomicReference;

import io.parley.core.codec.JsonCodec;
import io.parley.core.transport.CallAcceptor;
import io.parley.core.transport.ServerSession;
import io.parley.core.transport.ServerTransport;
import io.parley.core.transport.TransportServer;
import reactor.core.publisher.Mono;

/**
 * A server transport without a network, for tests that drive the server's sessions themselves:
 * it keeps the acceptor the server binds with and opens sessions on it, as a transport does for
 * each connection.
 */
final class SessionTransport implements ServerTransport {

    private final AtomicReference<CallAcceptor> acceptor = new AtomicReference<>();

    @Override
    public Mono<TransportServer> bind(CallAcceptor a) {
        acceptor.set(a);
        return Mono.just(new TransportServer() {
            @Override
            public String address() {
                return "test:session";
            }

            @Override
            public Mono<Void> onClose() {
                return Mono.empty();
            }

            @Override
            public void dispose() {
            }
        });
    }

    /** A session as for a new connection whose client speaks JSON. */
    ServerSession openSession() {
        return acceptor.get().openSession(JsonCodec.MIME_TYPE);
    }
}
