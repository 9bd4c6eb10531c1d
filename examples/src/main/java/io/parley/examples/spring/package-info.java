/**
 * Parley in Spring Boot: a {@code @ParleyService} doing slow work that polls
 * {@code testCancel()}, and a WebFlux endpoint that calls it through a {@code @ParleyClient}, so
 * an HTTP client that goes away cancels the Parley call on the server.
 */
@NullMarked
package io.parley.examples.spring;

import org.jspecify.annotations.NullMarked;
