package io.parley.spring.boot.autoconfigure;

import io.parley.core.server.ParleyServer;

/**
 * Customizes the {@link ParleyServer.Builder} of the auto-configured server before it binds:
 * methods, codecs, limits, interceptors, or its transport. Customizer beans are applied in their
 * {@link org.springframework.core.Ordered order}, after the {@code parley.server.*} properties and the
 * interceptor beans.
 */
@FunctionalInterface
public interface ParleyServerCustomizer {

    /**
     * Customizes the server's builder.
     *
     * @param builder the builder
     */
    void customize(ParleyServer.Builder builder);
}
