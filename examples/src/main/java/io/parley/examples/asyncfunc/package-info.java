/**
 * The {@code AsyncFunc} example of MS-RPC's asynchronous call model, served and called with
 * Parley over RSocket TCP: the server routine that sleeps, polls for a cancel and completes
 * ({@link io.parley.examples.asyncfunc.AsyncFunc}), a client that cancels it abortively or
 * gracefully ({@link io.parley.examples.asyncfunc.AsyncFuncClient}), a program that runs both
 * on loopback ({@link io.parley.examples.asyncfunc.AsyncFuncDemo}), and the two halves as
 * programs of their own ({@link io.parley.examples.asyncfunc.AsyncFuncServer},
 * {@link io.parley.examples.asyncfunc.AsyncFuncCaller}).
 */
@NullMarked
package io.parley.examples.asyncfunc;

import org.jspecify.annotations.NullMarked;
