/**
 * Auto-configuration of Parley for Spring Boot: a server for the application's
 * {@code @ParleyService} beans, clients for its {@code @ParleyStub} interfaces, the
 * {@code parley.*} properties, metrics, health and graceful shutdown.
 */
@NullMarked
package io.parley.spring.boot.autoconfigure;

import org.jspecify.annotations.NullMarked;
