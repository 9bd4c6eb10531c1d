package io.parley.test.transport;

import io.parley.core.server.ParleyServer;
import io.parley.core.transport.ClientTransport;
import io.parley.core.transport.ServerTransport;

/**
 * What the call-semantics suites (and {@link io.parley.test.ParleyExtension}) need of a transport:
 * a fresh server transport for each server, and a client transport that reaches a bound server.
 * A transport proves itself by implementing this once and extending each {@code Abstract*Test}
 * suite of this package with it.
 *
 * <pre>{@code
 * class MyTransportServerCallTest extends AbstractServerCallTest {
 *     @Override
 *     protected TransportFixture fixture() {
 *         return MyTransportFixture.INSTANCE;
 *     }
 * }
 * }</pre>
 */
public interface TransportFixture {

    /**
     * A server transport no other test uses: a new name, or port 0.
     *
     * @return the server transport
     */
    ServerTransport serverTransport();

    /**
     * A client transport connected to the given bound server.
     *
     * @param server a server bound on a transport from {@link #serverTransport()}
     * @return the client transport
     */
    ClientTransport clientTransport(ParleyServer server);

    /**
     * Core's in-process transport, each server under a name of its own.
     *
     * @return the fixture
     */
    static TransportFixture inProcess() {
        return InProcessFixture.INSTANCE;
    }
}
