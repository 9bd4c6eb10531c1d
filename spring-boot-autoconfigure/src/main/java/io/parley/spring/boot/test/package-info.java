/**
 * Parley in an application's Spring Boot tests: {@link io.parley.spring.boot.test.AutoConfigureParleyInProcess}.
 * Needs {@code spring-test} on the test class path, as every Spring Boot test has.
 */
@NullMarked
package io.parley.spring.boot.test;

import org.jspecify.annotations.NullMarked;
