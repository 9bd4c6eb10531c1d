package io.parley.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The configuration processor's metadata ships with the starter, so IDEs complete {@code parley.*}. */
class ConfigurationMetadataTests {

    @Test
    void everyPropertyIsDescribed() throws IOException {
        String metadata;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("META-INF/spring-configuration-metadata.json").isNotNull();
            metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(metadata).contains("\"parley.server.port\"", "\"parley.server.address\"", "\"parley.server.transport\"",
                "\"parley.server.mapping-path\"", "\"parley.server.ssl.bundle\"", "\"parley.server.max-inbound-payload-size\"",
                "\"parley.server.max-calls-per-connection\"", "\"parley.client.targets\"",
                "\"parley.client.timeout.graceful\"", "\"parley.client.timeout.abortive\"", "\"parley.client.transport\"",
                "\"parley.server.security.enabled\"", "\"parley.server.security.require-authentication\"",
                "\"parley.client.credentials.username\"",
                "\"parley.client.credentials.password\"", "\"parley.client.credentials.bearer-token\"",
                "\"parley.client.retry.max-attempts\"", "\"parley.client.retry.first-backoff\"",
                "\"parley.client.retry.max-backoff\"");
        assertThat(metadata).contains("Server port; 0 for any free port.");
    }
}
