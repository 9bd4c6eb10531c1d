package io.parley.core.transport;

/**
 * How a call crosses a transport: RSocket's four interaction models, which a transport maps to
 * its own frames. A method's {@link io.parley.core.CallShape} says which one it is called with.
 */
public enum Interaction {

    /** One request, at most one reply: RSocket {@code REQUEST_RESPONSE}. */
    REQUEST_RESPONSE("a request-response"),
    /** One request, any number of replies: RSocket {@code REQUEST_STREAM}. */
    REQUEST_STREAM("a request-stream"),
    /** Any number of requests, any number of replies: RSocket {@code REQUEST_CHANNEL}. */
    REQUEST_CHANNEL("a request-channel"),
    /** One request, nothing back, not even a status: RSocket {@code REQUEST_FNF}. */
    FIRE_AND_FORGET("a fire-and-forget");

    private final String description;

    Interaction(String description) {
        this.description = description;
    }

    /** The interaction as a phrase, for messages: "a request-stream". */
    public String description() {
        return description;
    }
}
