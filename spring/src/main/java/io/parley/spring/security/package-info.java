/**
 * Spring Security for Parley servers: an {@link io.parley.core.server.Authenticator} that checks a
 * call's credentials with Spring's {@code ReactiveAuthenticationManager}s, and a
 * {@link io.parley.core.server.ServerInterceptor} that gives handlers the resulting
 * {@code Authentication} the way Spring Security reads it, through
 * {@code ReactiveSecurityContextHolder}. Spring Boot applications get both from
 * {@code ParleySecurityAutoConfiguration}; others add them to the server's builder.
 */
@NullMarked
package io.parley.spring.security;

import org.jspecify.annotations.NullMarked;
