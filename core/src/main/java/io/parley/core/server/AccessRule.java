package io.parley.core.server;

import java.security.Principal;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Who may call a method: checked after the call's credentials, before any interceptor or handler.
 * A server has one for all its methods ({@code ParleyServer.Builder.access}, {@link #permitAll()}
 * by default), and a method may have its own ({@link ServerMethod#access}).
 *
 * <p>A call refused ends with {@code RPC_S_ACCESS_DENIED} and a short detail: "'m' requires
 * credentials; the call has none" for a call without a principal, "'alice' may not call 'm'"
 * otherwise. The connection goes on serving.
 */
@FunctionalInterface
public interface AccessRule {

    /**
     * Whether the call may go on. Must be quick and must not block.
     *
     * @param call the call, with its {@link ServerCallInfo#principal()} (null if it has none)
     * @return true to let it through
     */
    boolean permits(ServerCallInfo call);

    /** Every call, with credentials or without. */
    static AccessRule permitAll() {
        return AccessRules.PERMIT_ALL;
    }

    /** Calls with a principal: credentials the authenticator accepted. */
    static AccessRule authenticated() {
        return AccessRules.AUTHENTICATED;
    }

    /** No call. */
    static AccessRule denyAll() {
        return AccessRules.DENY_ALL;
    }

    /**
     * Calls whose principal passes a test; calls without one are refused.
     *
     * @param test the test
     * @return the rule
     */
    static AccessRule principal(Predicate<? super Principal> test) {
        Objects.requireNonNull(test, "test");
        return call -> {
            Principal p = call.principal();
            return p != null && test.test(p);
        };
    }
}
