/**
 * A server stream in the MS-RPC style: a long job that reports its progress, one item per step
 * within the client's demand, and ends with a summary item
 * ({@link io.parley.examples.progress.ProgressJob}). A client that cancels it gracefully keeps
 * receiving until the summary; one that cancels abortively stops at once
 * ({@link io.parley.examples.progress.ProgressDemo} shows both over RSocket TCP).
 */
@NullMarked
package io.parley.examples.progress;

import org.jspecify.annotations.NullMarked;
