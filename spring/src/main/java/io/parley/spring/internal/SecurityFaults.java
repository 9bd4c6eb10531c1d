package io.parley.spring.internal;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.util.ClassUtils;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;

/**
 * Spring Security's refusals, as Parley faults: a {@code @ParleyMethod} that Spring's method
 * security denies ({@code AccessDeniedException}, {@code AuthorizationDeniedException}, or an
 * {@code AuthenticationException} for a caller it could not find) ends with
 * {@code RPC_S_ACCESS_DENIED}, not {@code RPC_S_CALL_FAILED}. Without Spring Security on the
 * classpath, errors pass unchanged.
 */
final class SecurityFaults {

    /** The detail of a call Spring Security denied: short, naming no rule and no authority. */
    static final String DENIED = "access denied";

    static final boolean PRESENT = ClassUtils.isPresent("org.springframework.security.access.AccessDeniedException",
            SecurityFaults.class.getClassLoader());

    private SecurityFaults() {
    }

    /**
     * The error a handler's error becomes.
     *
     * @param error what the handler threw or emitted
     * @return an {@code RPC_S_ACCESS_DENIED} fault for Spring Security's refusals, else {@code error}
     */
    static Throwable translate(Throwable error) {
        return PRESENT ? Spring.translate(error) : error;
    }

    /** Loaded only with Spring Security on the classpath. */
    private static final class Spring {

        static Throwable translate(Throwable error) {
            if (error instanceof AccessDeniedException || error instanceof AuthenticationException) {
                return new RpcFault(RpcStatus.ACCESS_DENIED, DENIED, error);
            }
            return error;
        }
    }
}
