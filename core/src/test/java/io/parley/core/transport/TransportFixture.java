package io.parley.core.transport;

import io.parley.core.server.ParleyServer;

/**
 * What the call-semantics suites need of a transport: a fresh server transport for each server,
 * and a client transport that reaches a bound server.
 */
public interface TransportFixture {

    /** A server transport no other test uses: a new name, or port 0. */
    ServerTransport serverTransport();

    /** A client transport connected to the given bound server. */
    ClientTransport clientTransport(ParleyServer server);
}
