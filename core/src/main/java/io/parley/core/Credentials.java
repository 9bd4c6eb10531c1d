package io.parley.core;

import java.util.Objects;

/**
 * What a client proves its identity with: RSocket's standard authentication metadata
 * ({@code message/x.rsocket.authentication.v0}), simple (a username and a password) or bearer (a
 * token). A client sends them for its connection, in SETUP, and for a call, with its request; a
 * call's own win. A server turns them into a {@link java.security.Principal} with its
 * {@code Authenticator}.
 *
 * <pre>{@code
 * ParleyClient client = ParleyClient.builder()
 *         .credentials(Credentials.basic("alice", "secret"))      // the connection's
 *         .transport(...)
 *         .build();
 * client.call("report", query, Report.class,
 *         CallOptions.DEFAULT.credentials(Credentials.bearer(token)));   // one call's
 * }</pre>
 *
 * <p>{@code toString()} never shows a password or a token.
 */
public sealed interface Credentials permits Credentials.Basic, Credentials.Bearer {

    /**
     * Simple credentials: a username and a password.
     *
     * @param username the username, at most 65 535 UTF-8 bytes
     * @param password the password
     * @return the credentials
     */
    static Credentials basic(String username, String password) {
        return new Basic(username, password);
    }

    /**
     * Bearer credentials: a token, such as a JWT.
     *
     * @param token the token
     * @return the credentials
     */
    static Credentials bearer(String token) {
        return new Bearer(token);
    }

    /**
     * A username and a password.
     *
     * @param username the username
     * @param password the password
     */
    record Basic(String username, String password) implements Credentials {

        /** Checks the arguments. */
        public Basic {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Credentials.Basic{username=" + username + ", password=****}";
        }
    }

    /**
     * A bearer token.
     *
     * @param token the token
     */
    record Bearer(String token) implements Credentials {

        /** Checks the argument. */
        public Bearer {
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String toString() {
            return "Credentials.Bearer{token=****}";
        }
    }
}
