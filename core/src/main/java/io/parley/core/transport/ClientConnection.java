package io.parley.core.transport;

import reactor.core.Disposable;

/**
 * A client's way to its server or servers, from a {@link ClientTransport}: the one owner of the
 * connections behind it. It connects when its first call needs it, connects again after a drop,
 * and, over several servers, balances calls among them. Thread-safe.
 */
public interface ClientConnection extends Disposable {

    /**
     * A handle for one call; nothing is sent until it is {@linkplain TransportCall#start started}.
     *
     * @param request the request; its payload belongs to the transport from now on
     * @return the call's handle
     */
    TransportCall newCall(RpcRequest request);
}
