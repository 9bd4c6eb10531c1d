/**
 * Testing services and transports built with Parley.
 *
 * <ul>
 * <li>{@link io.parley.test.ParleyExtension}: a JUnit extension that serves a test's methods
 *     (in-process, or over any transport) and hands the test a client of them, recording how
 *     each call ended on the server;</li>
 * <li>{@link io.parley.test.ParleyAssertions}: AssertJ assertions on a call's outcome (its
 *     status, its fault code) and on what the server saw (its cancel);</li>
 * <li>{@link io.parley.test.NettyLeakDetection}: Netty's leak detector at PARANOID, failing the
 *     test class that leaked a buffer;</li>
 * <li>{@link io.parley.test.Await}: bounded waits for what handlers hand over;</li>
 * <li>{@link io.parley.test.transport}: the call-semantics suites a transport proves itself with.</li>
 * </ul>
 */
@NullMarked
package io.parley.test;

import org.jspecify.annotations.NullMarked;
