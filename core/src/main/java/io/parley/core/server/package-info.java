/**
 * The server side of a call: {@link io.parley.core.server.ParleyServer} serves
 * {@link io.parley.core.server.ServerMethod}s, and each call reaches its handler as an
 * {@link io.parley.core.server.AsyncCall} to complete, abort, or ask whether the client has
 * cancelled.
 */
@NullMarked
package io.parley.core.server;

import org.jspecify.annotations.NullMarked;
