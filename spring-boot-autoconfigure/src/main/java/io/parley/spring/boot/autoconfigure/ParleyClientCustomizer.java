package io.parley.spring.boot.autoconfigure;

import io.parley.core.client.ParleyClient;

/**
 * Customizes the {@link ParleyClient.Builder} of the auto-configured client: codec, default call
 * options, interceptors, or its transport. Customizer beans are applied in their
 * {@link org.springframework.core.Ordered order}, after the {@code parley.client.*} properties and the
 * interceptor beans.
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
