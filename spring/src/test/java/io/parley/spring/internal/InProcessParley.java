package io.parley.spring.internal;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

import io.parley.core.Credentials;
import io.parley.core.client.CallOptions;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.Authenticator;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.core.transport.InProcessTransport;

/** A server and a client over the in-process transport, under a name no other test uses. */
final class InProcessParley implements AutoCloseable {

    private static final AtomicInteger NAMES = new AtomicInteger();

    final ParleyServer server;
    final ParleyClient client;

    private InProcessParley(ParleyServer server, ParleyClient client) {
        this.server = server;
        this.client = client;
    }

    static InProcessParley serve(List<ServerMethod<?, ?>> methods) {
        return serve(methods, CallOptions.DEFAULT);
    }

    static InProcessParley serve(List<ServerMethod<?, ?>> methods, CallOptions clientDefaults) {
        String name = "spring-" + NAMES.incrementAndGet();
        ParleyServer server = ParleyServer.builder().methods(methods).transport(InProcessTransport.server(name)).bindNow();
        return new InProcessParley(server, ParleyClient.builder()
                .transport(InProcessTransport.client(name))
                .defaultOptions(clientDefaults)
                .build());
    }

    /** A server that checks credentials with the authenticator, and a client that sends these, if any, in its setup. */
    static InProcessParley serve(List<ServerMethod<?, ?>> methods, Authenticator authenticator, @Nullable Credentials credentials) {
        String name = "spring-" + NAMES.incrementAndGet();
        ParleyServer server = ParleyServer.builder()
                .methods(methods)
                .authenticator(authenticator)
                .transport(InProcessTransport.server(name))
                .bindNow();
        ParleyClient.Builder client = ParleyClient.builder().transport(InProcessTransport.client(name));
        if (credentials != null) {
            client.credentials(credentials);
        }
        return new InProcessParley(server, client.build());
    }

    @Override
    public void close() {
        client.dispose();
        server.dispose();
    }
}
