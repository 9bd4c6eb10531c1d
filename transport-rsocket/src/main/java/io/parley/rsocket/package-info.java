/**
 * Parley over RSocket: {@link io.parley.rsocket.RSocketServerTransport} serves Parley calls on
 * TCP, WebSocket or an in-JVM local transport, {@link io.parley.rsocket.RSocketWebSocketRoute} on
 * a WebSocket route of an HTTP server that serves other routes too, and
 * {@link io.parley.rsocket.RSocketClientTransport} makes them, to one server or balanced over
 * several.
 *
 * <p>A call is a request-response whose route names the method; an abortive cancel is the
 * CANCEL frame; a fault is an ERROR frame that any RSocket client can read. The wire format is
 * stated byte for byte in {@code docs/wire-protocol.md} and coded in
 * {@link io.parley.rsocket.ParleyMetadataCodec} and {@link io.parley.rsocket.FaultCodec}.
 */
@NullMarked
package io.parley.rsocket;

import org.jspecify.annotations.NullMarked;
