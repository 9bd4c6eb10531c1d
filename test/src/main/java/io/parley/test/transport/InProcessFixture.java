package io.parley.test.transport;

import java.util.concurrent.atomic.AtomicInteger;

import io.parley.core.server.ParleyServer;
import io.parley.core.transport.ClientTransport;
import io.parley.core.transport.InProcessTransport;
import io.parley.core.transport.ServerTransport;

/** In-process transports, each server under a name of its own: {@link TransportFixture#inProcess()}. */
final class InProcessFixture implements TransportFixture {

    static final InProcessFixture INSTANCE = new InProcessFixture();

    private static final String PREFIX = "in-process:";
    private final AtomicInteger names = new AtomicInteger();

    @Override
    public ServerTransport serverTransport() {
        return InProcessTransport.server("suite-" + names.incrementAndGet());
    }

    @Override
    public ClientTransport clientTransport(ParleyServer server) {
        String address = server.address();
        if (!address.startsWith(PREFIX)) {
            throw new IllegalArgumentException("address: " + address + " (expected: " + PREFIX + "<name>)");
        }
        return InProcessTransport.client(address.substring(PREFIX.length()));
    }
}
