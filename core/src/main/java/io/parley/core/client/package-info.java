/**
 * The client side of a call: {@link io.parley.core.client.ParleyClient} makes calls, as a plain
 * {@code Mono} for everyday code or as a {@link io.parley.core.client.ClientCall} handle for code
 * written in the MS-RPC style.
 */
@NullMarked
package io.parley.core.client;

import org.jspecify.annotations.NullMarked;
