package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import javax.net.ssl.SSLException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import io.parley.test.transport.TransportFixture;
import reactor.core.publisher.Mono;

/**
 * TLS on both sides, over TCP and WebSocket, with a self-signed certificate made at run time: a
 * client that trusts it calls, one that does not is refused with RPC_S_SERVER_UNAVAILABLE and
 * does not hang.
 */
@ExtendWith(NettyLeakDetection.class)
class TlsTest extends CallTestSupport {

    private static SslContext serverContext;
    private static SslContext trustingClientContext;
    private static SslContext distrustingClientContext;

    @BeforeAll
    static void certificates() throws Exception {
        X509Bundle server = selfSigned("CN=localhost");
        X509Bundle stranger = selfSigned("CN=someone else");
        serverContext = SslContextBuilder.forServer(server.toKeyManagerFactory()).build();
        trustingClientContext = SslContextBuilder.forClient().trustManager(server.getCertificate()).build();
        distrustingClientContext = SslContextBuilder.forClient().trustManager(stranger.getCertificate()).build();
    }

    private static X509Bundle selfSigned(String subject) throws Exception {
        return new CertificateBuilder()
                .subject(subject)
                .setIsCertificateAuthority(true)
                .addSanDnsName("localhost")
                .addSanIpAddress("127.0.0.1")
                .buildSelfSigned();
    }

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }

    @Test
    void tcp_clientThatTrustsTheCertificate_calls() {
        ParleyServer server = startServer(b -> b.transport(RSocketServerTransport.tcp("127.0.0.1", 0).secure(serverContext)));
        ParleyClient client = client(server, b -> b.transport(
                RSocketClientTransport.tcp("127.0.0.1", RSocketFixture.port(server)).secure(trustingClientContext)));

        assertThat(client.call("echo", "over tls", String.class).block(TIMEOUT)).isEqualTo("over tls");
        assertThat(client.call("abort", 0xFFFFFFFF, String.class).onErrorResume(RpcFault.class,
                fault -> Mono.just(fault.status().name())).block(TIMEOUT)).isEqualTo("0xFFFFFFFF");
    }

    @Test
    void websocket_clientThatTrustsTheCertificate_calls() {
        ParleyServer server = startServer(b -> b.transport(RSocketServerTransport.websocket("127.0.0.1", 0).secure(serverContext)));
        ParleyClient client = client(server, b -> b.transport(
                RSocketClientTransport.websocket("127.0.0.1", RSocketFixture.port(server)).secure(trustingClientContext)));

        assertThat(client.call("echo", "over wss", String.class).block(TIMEOUT)).isEqualTo("over wss");
    }

    @Test
    void tcp_clientThatDoesNotTrustTheCertificate_isRefusedWithServerUnavailable_withoutHanging() {
        ParleyServer server = startServer(b -> b.transport(RSocketServerTransport.tcp("127.0.0.1", 0).secure(serverContext)));
        ParleyClient client = client(server, b -> b.transport(
                RSocketClientTransport.tcp("127.0.0.1", RSocketFixture.port(server)).secure(distrustingClientContext)));

        assertRefusedByTheHandshake(client);
        assertRefusedByTheHandshake(client);
        assertThat(server.activeCalls()).isZero();
    }

    @Test
    void websocket_clientThatDoesNotTrustTheCertificate_isRefusedWithServerUnavailable_withoutHanging() {
        ParleyServer server = startServer(b -> b.transport(RSocketServerTransport.websocket("127.0.0.1", 0).secure(serverContext)));
        ParleyClient client = client(server, b -> b.transport(
                RSocketClientTransport.websocket("127.0.0.1", RSocketFixture.port(server)).secure(distrustingClientContext)));

        assertRefusedByTheHandshake(client);
    }

    @Test
    void tcp_plainClientToATlsServer_failsWithoutHanging_andTheServerServesTlsClientsOn() {
        ParleyServer server = startServer(b -> b.transport(RSocketServerTransport.tcp("127.0.0.1", 0).secure(serverContext)));
        ParleyClient plain = client(server);

        RpcFault fault = faultOf(plain.call("echo", "in the clear", String.class));
        assertThat(fault.status()).isIn(RpcStatus.SERVER_UNAVAILABLE, RpcStatus.COMM_FAILURE);

        ParleyClient secure = client(server, b -> b.transport(
                RSocketClientTransport.tcp("127.0.0.1", RSocketFixture.port(server)).secure(trustingClientContext)));
        assertThat(secure.call("echo", "still serving", String.class).block(TIMEOUT)).isEqualTo("still serving");
    }

    private static void assertRefusedByTheHandshake(ParleyClient client) {
        long start = System.nanoTime();
        RpcFault fault = faultOf(client.call("echo", "x", String.class));

        assertThat(fault.status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);
        assertThat(fault).hasCauseInstanceOf(SSLException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
}
