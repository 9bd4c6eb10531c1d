/**
 * Parley in Spring Boot: a {@code @ParleyService} doing slow work that polls
 * {@code testCancel()}, and a WebFlux endpoint that calls it through a {@code @ParleyStub}, so
 * an HTTP client that goes away cancels the Parley call on the server; and a Parley server stream
 * (a {@code ServerMethod} bean) relayed as server-sent events, which a browser closing the page
 * cancels the same way.
 */
@NullMarked
package io.parley.examples.spring;

import org.jspecify.annotations.NullMarked;
