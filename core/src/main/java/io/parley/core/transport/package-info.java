/**
 * The contract between Parley's call model and a transport, and the in-process transport.
 *
 * <p>A transport moves four things: a request with its metadata ({@link RpcRequest}), an
 * abortive cancel (cancelling the subscription to a call's {@code Mono}), a graceful-cancel
 * notice ({@code cancelGracefully(callId)}), and a reply or an {@link io.parley.core.RpcFault}.
 * It never sees the typed values or the call state; those stay in core.
 *
 * <ul>
 *   <li>Server side: {@link ServerTransport#bind} hands every connection to a
 *       {@link CallAcceptor}, which opens a {@link ServerSession} that serves its calls.</li>
 *   <li>Client side: {@link ClientTransport#connect} yields a {@link ClientConnection} that
 *       sends requests and graceful-cancel notices.</li>
 * </ul>
 *
 * {@link InProcessTransport} implements both sides inside one JVM.
 */
@NullMarked
package io.parley.core.transport;

import org.jspecify.annotations.NullMarked;
