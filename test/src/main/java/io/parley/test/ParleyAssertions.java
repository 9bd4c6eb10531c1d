package io.parley.test;

import org.reactivestreams.Publisher;

/**
 * Entry points of Parley's AssertJ assertions.
 *
 * <pre>{@code
 * import static io.parley.test.ParleyAssertions.assertThat;
 * import static io.parley.test.ParleyAssertions.assertThatCall;
 *
 * assertThatCall(client.call("find", id, Order.class)).endsWith(RpcStatus.ACCESS_DENIED);
 * assertThatCall(client.call("audit", event, Void.class)).endsWithFaultCode(0xC0DE0001);
 * assertThat(parley.awaitServed("find")).sawCancel(CancelReason.ABORTIVE);
 * }</pre>
 */
public final class ParleyAssertions {

    private ParleyAssertions() {
    }

    /**
     * Assertions on how a call ends: a client's {@code Mono} or {@code Flux}, subscribed by the
     * first assertion and awaited up to {@link Await#TIMEOUT} (or {@link CallAssert#within}).
     *
     * @param call the call, not yet subscribed
     * @return the assertions
     */
    public static CallAssert assertThatCall(Publisher<?> call) {
        return new CallAssert(call);
    }

    /**
     * Assertions on how a call ended on the server.
     *
     * @param call the call, as {@link ParleyExtension} recorded it
     * @return the assertions
     */
    public static ServedCallAssert assertThat(ServedCall call) {
        return new ServedCallAssert(call);
    }
}
