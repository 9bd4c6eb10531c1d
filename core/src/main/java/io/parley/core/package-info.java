/**
 * Parley's call model: the status codes of MS-RPC ({@link io.parley.core.RpcStatus}) and the
 * fault a client sees when a call is aborted ({@link io.parley.core.RpcFault}).
 *
 * <p>The server side lives in {@code io.parley.core.server}, the client side in
 * {@code io.parley.core.client}, payload encoding in {@code io.parley.core.codec} and the
 * contract a transport implements in {@code io.parley.core.transport}.
 */
@NullMarked
package io.parley.core;

import org.jspecify.annotations.NullMarked;
