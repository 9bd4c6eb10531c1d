/**
 * Parley's programming model in Spring: {@link io.parley.spring.ParleyService @ParleyService}
 * beans whose {@link io.parley.spring.ParleyMethod @ParleyMethod} methods are served, and
 * {@link io.parley.spring.ParleyStub @ParleyStub} interfaces made into injectable clients.
 */
@NullMarked
package io.parley.spring;

import org.jspecify.annotations.NullMarked;
