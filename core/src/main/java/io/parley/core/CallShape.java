package io.parley.core;

import io.parley.core.transport.Interaction;

/**
 * The shape of a method: how many requests go to the server and how many replies come back.
 * MS-RPC's asynchronous pipes are the model for the streams: a call that moves a sequence of
 * elements and still ends with exactly one complete or one abort. A one-way call is MS-RPC's
 * {@code [maybe]}: the request goes out and nothing comes back, not even a status.
 */
public enum CallShape {

    /** One request, one reply (or none): a {@code Mono}. */
    UNARY(Interaction.REQUEST_RESPONSE, "a unary call"),
    /** One request, a {@code Flux} of replies. */
    SERVER_STREAM(Interaction.REQUEST_STREAM, "a server stream"),
    /** A {@code Flux} of requests, one reply (or none). */
    CLIENT_STREAM(Interaction.REQUEST_CHANNEL, "a client stream"),
    /** A {@code Flux} of requests, a {@code Flux} of replies. */
    BIDI_STREAM(Interaction.REQUEST_CHANNEL, "a bidirectional stream"),
    /** One request, nothing back: no reply, no fault, no status. */
    ONE_WAY(Interaction.FIRE_AND_FORGET, "a one-way call");

    private final Interaction interaction;
    private final String description;

    CallShape(Interaction interaction, String description) {
        this.interaction = interaction;
        this.description = description;
    }

    /**
     * The shape a transport interaction carries.
     *
     * @param interaction the interaction
     * @return the shape
     */
    public static CallShape of(Interaction interaction) {
        return switch (interaction) {
            case REQUEST_RESPONSE -> UNARY;
            case REQUEST_STREAM -> SERVER_STREAM;
            case REQUEST_CHANNEL -> BIDI_STREAM;
            case FIRE_AND_FORGET -> ONE_WAY;
        };
    }

    /** How calls of this shape cross a transport. */
    public Interaction interaction() {
        return interaction;
    }

    /** Whether the server may send more than one reply. */
    public boolean repliesMany() {
        return this == SERVER_STREAM || this == BIDI_STREAM;
    }

    /** Whether the client sends a {@code Flux} of requests. */
    public boolean requestsMany() {
        return interaction == Interaction.REQUEST_CHANNEL;
    }

    /** The shape as a phrase, for messages: "a server stream". */
    public String description() {
        return description;
    }
}
