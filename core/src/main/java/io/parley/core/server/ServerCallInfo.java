package io.parley.core.server;

import java.net.SocketAddress;
import java.security.Principal;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

import io.parley.core.CallMetadata;
import io.parley.core.CallShape;
import io.parley.core.CancelReason;
import io.parley.core.Deadline;
import io.parley.core.RpcStatus;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * What a server knows of one call: what interceptors see, and the read side of a handler's
 * {@link AsyncCall}. A handler's Reactor {@code Context} holds it under the key
 * {@code ServerCallInfo.class}:
 *
 * <pre>{@code
 * ServerMethod.mono("whoami", Void.class, (Void none) -> ServerCallInfo.current()
 *         .map(call -> call.principal() != null ? call.principal().getName() : "anonymous"));
 * }</pre>
 *
 * <p>Thread-safe; every method is non-blocking.
 */
public interface ServerCallInfo {

    /**
     * The {@link #method()} of a call to a method the server does not serve: one name for all of
     * them, so that metrics and traces keyed by method stay bounded whatever clients send.
     */
    String UNKNOWN_METHOD = "UNKNOWN";

    /** The name of the method called; {@value #UNKNOWN_METHOD} for a method the server does not serve. */
    String method();

    /** How many requests and replies the call carries. */
    CallShape shape();

    /** The id the client gave this call, or {@code 0} if it gave none. */
    long id();

    /** How long the client said it would wait, as the call arrived; {@code null} if it set no timeout. */
    @Nullable Duration timeout();

    /**
     * When the client's timeout passes, measured from the call's arrival; {@code null} without a
     * timeout. The handler's own Parley calls inherit it.
     */
    @Nullable Deadline deadline();

    /** The metadata the client sent with the call. */
    CallMetadata metadata();

    /** Where the call came from, as the transport saw it; {@code null} if it cannot tell (in-process). */
    @Nullable SocketAddress remoteAddress();

    /**
     * Who made the call, once the server's authenticator has accepted its credentials (the call's
     * own, else its connection's); {@code null} for a call without credentials, or before they
     * are checked (interceptors run after).
     */
    @Nullable Principal principal();

    /**
     * Asks whether the client has cancelled the call: {@code RpcServerTestCancel}.
     *
     * @return {@link RpcStatus#OK} if the client cancelled, abortively or gracefully, its
     *         connection closed, or the call's timeout passed; {@link RpcStatus#CALL_IN_PROGRESS}
     *         if not; {@link RpcStatus#INVALID_BINDING} if the call has ended
     */
    RpcStatus testCancel();

    /**
     * Why the call was cancelled: the first of the causes that turned {@link #testCancel()}.
     *
     * @return the reason, or {@code null} if the call was not cancelled
     */
    @Nullable CancelReason cancelReason();

    /**
     * Completes, once, when {@link #testCancel()} turns {@link RpcStatus#OK}; never completes for
     * a call that ends uncancelled.
     *
     * @return the cancel signal
     */
    Mono<Void> cancelled();

    /**
     * The call's status, seen from the server: {@link RpcStatus#ASYNC_CALL_PENDING} until it ends,
     * then its outcome.
     */
    RpcStatus status();

    /**
     * The Reactor {@code Context} the handler runs with: this call, its deadline, and what the
     * interceptors added. Before the interceptors have run, what the server starts from.
     */
    ContextView context();

    /**
     * The call a handler's reactive code runs for, read from its Reactor {@code Context}.
     *
     * @return the call; empty outside a Parley handler
     */
    static Mono<ServerCallInfo> current() {
        return Mono.deferContextual(context -> Mono.justOrEmpty(from(context)));
    }

    /**
     * The call in a Reactor {@code Context}, if there is one.
     *
     * @param context the context
     * @return the call, or {@code null}
     */
    static @Nullable ServerCallInfo from(ContextView context) {
        return context.getOrDefault(ServerCallInfo.class, null);
    }
}
