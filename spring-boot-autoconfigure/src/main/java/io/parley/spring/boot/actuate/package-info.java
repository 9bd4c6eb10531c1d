/**
 * Parley's Spring Boot Actuator endpoint: the server's calls in flight, and an operator's abort.
 */
@NullMarked
package io.parley.spring.boot.actuate;

import org.jspecify.annotations.NullMarked;
