/**
 * The {@code AsyncFunc} example of MS-RPC's asynchronous call model, served and called with
 * Parley: the server routine that sleeps, polls for a cancel and completes
 * ({@link io.parley.examples.asyncfunc.AsyncFunc}), a client that cancels it abortively or
 * gracefully ({@link io.parley.examples.asyncfunc.AsyncFuncClient}), and a program that runs both
 * ({@link io.parley.examples.asyncfunc.AsyncFuncDemo}).
 */
@NullMarked
package io.parley.examples.asyncfunc;

import org.jspecify.annotations.NullMarked;
