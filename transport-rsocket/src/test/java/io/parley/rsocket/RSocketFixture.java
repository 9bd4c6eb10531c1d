package io.parley.rsocket;

import java.util.concurrent.atomic.AtomicInteger;

import io.parley.core.server.ParleyServer;
import io.parley.core.transport.ClientTransport;
import io.parley.core.transport.ServerTransport;
import io.parley.test.transport.TransportFixture;

/**
 * RSocket transports for the call-semantics suites: local, TCP and WebSocket on loopback, and
 * WebSocket on a route of an HTTP server.
 */
enum RSocketFixture implements TransportFixture {

    LOCAL {
        @Override
        public ServerTransport serverTransport() {
            return RSocketServerTransport.local("suite-" + NAMES.incrementAndGet());
        }

        @Override
        public ClientTransport clientTransport(ParleyServer server) {
            return RSocketClientTransport.local(server.address().substring("local:".length()));
        }
    },

    TCP {
        @Override
        public ServerTransport serverTransport() {
            return RSocketServerTransport.tcp("127.0.0.1", 0);
        }

        @Override
        public ClientTransport clientTransport(ParleyServer server) {
            return RSocketClientTransport.tcp("127.0.0.1", port(server));
        }
    },

    WEBSOCKET {
        @Override
        public ServerTransport serverTransport() {
            return RSocketServerTransport.websocket("127.0.0.1", 0);
        }

        @Override
        public ClientTransport clientTransport(ParleyServer server) {
            return RSocketClientTransport.websocket("127.0.0.1", port(server));
        }
    },

    /** WebSocket on a route of an HTTP server that serves a plain route too. */
    WEBSOCKET_ROUTE {
        @Override
        public ServerTransport serverTransport() {
            return new RouteOnHttpServer();
        }

        @Override
        public ClientTransport clientTransport(ParleyServer server) {
            return RSocketClientTransport.websocket("127.0.0.1", port(server), RouteOnHttpServer.PATH);
        }
    };

    private static final AtomicInteger NAMES = new AtomicInteger();

    static int port(ParleyServer server) {
        String address = server.address();
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }
}
