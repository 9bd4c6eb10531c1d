package io.parley.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ServiceLoader;

import org.junit.jupiter.api.Test;

import reactor.blockhound.integration.BlockHoundIntegration;

/** BlockHound finds core's allowances through ServiceLoader, once. */
class ParleyCoreBlockHoundIntegrationTest {

    @Test
    void serviceLoader_findsTheIntegration_once() {
        assertThat(ServiceLoader.load(BlockHoundIntegration.class).stream()
                .filter(provider -> provider.type().getName().startsWith("io.parley."))
                .map(provider -> provider.type().getName()))
                .containsExactly(ParleyCoreBlockHoundIntegration.class.getName());
    }
}
