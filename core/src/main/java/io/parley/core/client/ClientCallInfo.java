package io.parley.core.client;

import org.jspecify.annotations.Nullable;

import io.parley.core.CallMetadata;
import io.parley.core.CallShape;
import io.parley.core.Credentials;
import reactor.util.context.ContextView;

/**
 * One client call as its interceptors see it: what it calls, the metadata and credentials it will
 * send, and the caller's Reactor {@code Context}. While its interceptors run, they may add
 * metadata and set the call's credentials; once the request is out, both are fixed.
 *
 * <p>A carrier for Micrometer's {@code SenderContext}: its setter is {@link #putMetadata}.
 */
public interface ClientCallInfo {

    /** The name of the method called. */
    String method();

    /** How many requests and replies the call carries. */
    CallShape shape();

    /** The id the client gave the call, unique among its calls on one connection. */
    long id();

    /** The metadata the call sends: the call's options', then what interceptors put. */
    CallMetadata metadata();

    /**
     * Sets a text entry of the call's metadata, replacing those of the same name.
     *
     * @param name the entry's name ({@link CallMetadata} says which are valid)
     * @param value its text
     * @throws IllegalStateException once the call's interceptors have run
     */
    void putMetadata(String name, String value);

    /**
     * Adds metadata entries after the call's own.
     *
     * @param metadata the entries
     * @throws IllegalStateException once the call's interceptors have run
     */
    void addMetadata(CallMetadata metadata);

    /** The call's own credentials: the options', or what an interceptor set; {@code null} for the connection's. */
    @Nullable Credentials credentials();

    /**
     * Sets the call's own credentials, which win over the connection's.
     *
     * @param credentials the credentials
     * @throws IllegalStateException once the call's interceptors have run
     */
    void credentials(Credentials credentials);

    /**
     * The Reactor {@code Context} of the call: the caller's (empty for a call made with
     * {@link ParleyClient#start}), with what the interceptors added.
     */
    ContextView context();
}
