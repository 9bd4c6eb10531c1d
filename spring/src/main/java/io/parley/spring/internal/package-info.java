/**
 * The machinery behind Parley's Spring programming model: reading {@code @ParleyMethod} methods
 * into server methods, proxies for {@code @ParleyStub} interfaces and their registration.
 * Not API: it may change in any release without notice.
 */
@NullMarked
package io.parley.spring.internal;

import org.jspecify.annotations.NullMarked;
