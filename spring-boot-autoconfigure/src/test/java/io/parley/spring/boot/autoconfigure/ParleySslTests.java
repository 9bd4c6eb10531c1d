package io.parley.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.parley.core.RpcFault;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.ServerMethod;
import reactor.core.publisher.Mono;

/** {@code parley.server.ssl.*} and {@code parley.client.ssl.*}: TLS from Spring Boot's SSL bundles. */
class ParleySslTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static X509Bundle certificate;

    private static X509Bundle stranger;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certificate = selfSigned("CN=localhost");
        stranger = selfSigned("CN=someone else");
    }

    private static X509Bundle selfSigned(String subject) throws Exception {
        return new CertificateBuilder().subject(subject)
            .setIsCertificateAuthority(true)
            .addSanDnsName("localhost")
            .addSanIpAddress("127.0.0.1")
            .buildSelfSigned();
    }

    private ApplicationContextRunner runner(X509Bundle trusted) {
        return new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ParleyServerAutoConfiguration.class,
                    ParleyClientAutoConfiguration.class))
            .withBean("echo", ServerMethod.class, () -> ServerMethod.mono("echo", String.class, Mono::just))
            .withPropertyValues("parley.server.port=0", "parley.server.address=127.0.0.1",
                    "spring.ssl.bundle.pem.server.keystore.certificate=" + certificate.getCertificatePEM(),
                    "spring.ssl.bundle.pem.server.keystore.private-key=" + certificate.getPrivateKeyPEM(),
                    "spring.ssl.bundle.pem.client.truststore.certificate=" + trusted.getCertificatePEM(),
                    "parley.server.ssl.enabled=true", "parley.server.ssl.bundle=server",
                    "parley.client.ssl.enabled=true", "parley.client.ssl.bundle=client",
                    "parley.client.connect-timeout=3s");
    }

    @Test
    void serverAndClientSpeakTls_fromTheirBundles() {
        runner(certificate).run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(ParleyClient.class).call("echo", "over tls", String.class).block(TIMEOUT))
                .isEqualTo("over tls");
        });
    }

    @Test
    void clientThatDoesNotTrustTheServer_failsItsCall_withAFault() {
        runner(stranger).run((context) -> assertThat(context.getBean(ParleyClient.class)
            .call("echo", "x", String.class)
            .map((reply) -> "answered")
            .onErrorResume(RpcFault.class, (fault) -> Mono.just("fault " + fault.status().name()))
            .block(TIMEOUT)).startsWith("fault RPC_S_"));
    }

    @Test
    void unknownBundle_failsAtStartUp_namingTheProperty() {
        runner(certificate).withPropertyValues("parley.client.ssl.bundle=nope").run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                .hasMessageContaining("parley.client.ssl.bundle")
                .hasMessageContaining("nope");
        });
    }
}
