package io.parley.spring.boot.autoconfigure;

import io.parley.core.client.ParleyClient;

/**
 * Customizes the {@link ParleyClient.Builder} of the auto-configured client: codec, default call
 * options, an observer, or its transport. Customizer beans are applied in their
 * {@link org.springframework.core.Ordered order}, after the {@code parley.client.*} properties.
 */
@FunctionalInterface
public interface ParleyClientCustomizer {

    /**
     * Customizes the client's builder.
     *
     * @param builder the builder
     */
    void customize(ParleyClient.Builder builder);
}
