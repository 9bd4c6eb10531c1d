package io.parley.rsocket.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ServiceLoader;

import org.junit.jupiter.api.Test;

import reactor.blockhound.integration.BlockHoundIntegration;

/** BlockHound finds the allowances of core and of this transport through ServiceLoader, each once. */
class ParleyRSocketBlockHoundIntegrationTest {

    @Test
    void serviceLoader_findsCoresAndTheTransportsIntegrations_eachOnce() {
        assertThat(ServiceLoader.load(BlockHoundIntegration.class).stream()
                .filter(provider -> provider.type().getName().startsWith("io.parley."))
                .map(provider -> provider.type().getName()))
                .containsExactlyInAnyOrder("io.parley.core.internal.ParleyCoreBlockHoundIntegration",
                        ParleyRSocketBlockHoundIntegration.class.getName());
    }
}
