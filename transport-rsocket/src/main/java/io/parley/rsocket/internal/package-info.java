/**
 * The RSocket transport's internals. Not API: anything here may change or go in any release;
 * depend on nothing in this package.
 */
@NullMarked
package io.parley.rsocket.internal;

import org.jspecify.annotations.NullMarked;
