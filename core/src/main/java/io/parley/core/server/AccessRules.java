package io.parley.core.server;

/** The constant {@link AccessRule}s, which the server recognizes to skip a check that cannot fail. */
final class AccessRules {

    static final AccessRule PERMIT_ALL = call -> true;
    static final AccessRule AUTHENTICATED = call -> call.principal() != null;
    static final AccessRule DENY_ALL = call -> false;

    private AccessRules() {
    }
}
