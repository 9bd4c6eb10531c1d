/**
 * The contract between Parley's call model and a transport, and the in-process transport.
 *
 * <p>A transport moves four things: a request with its metadata ({@link RpcRequest}), an
 * abortive cancel, a graceful-cancel notice, and a reply or an {@link io.parley.core.RpcFault}.
 * It never sees the typed values or the call state; those stay in core.
 *
 * <ul>
 *   <li>Server side: {@link ServerTransport#bind} hands every connection to a
 *       {@link CallAcceptor}, which opens a {@link ServerSession} that serves its calls.</li>
 *   <li>Client side: {@link ClientTransport#connect} yields the client's one
 *       {@link ClientConnection}, which owns connecting, reconnecting and balancing, and gives
 *       each call a {@link TransportCall} handle: start, cancel abortively, cancel gracefully,
 *       and a listener for the reply or the fault. {@link AbstractTransportCall} keeps, once for
 *       every transport, the cancels made before a request is out.</li>
 * </ul>
 *
 * {@link InProcessTransport} implements both sides inside one JVM.
 */
@NullMarked
package io.parley.core.transport;

import org.jspecify.annotations.NullMarked;
