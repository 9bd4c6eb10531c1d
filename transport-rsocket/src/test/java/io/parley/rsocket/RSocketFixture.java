package io.parley.rsocket;

import java.util.concurrent.atomic.AtomicInteger;

import io.parley.core.server.ParleyServer;
import io.parley.core.transport.ClientTransport;
import io.parley.core.transport.ServerTransport;
import io.parley.core.transport.TransportFixture;

/** RSocket transports for the call-semantics suites: local, TCP and WebSocket on loopback. */
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
    };

    private static final AtomicInteger NAMES = new AtomicInteger();

    static int port(ParleyServer server) {
        String address = server.address();
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }
}
