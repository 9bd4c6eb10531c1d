package io.parley.benchmarks;

/** How a system reports the end of one call to the closed loop that made it. */
interface Done {

    /** The reply arrived. */
    void ok();

    /**
     * The call failed.
     *
     * @param error why
     */
    void failed(Throwable error);
}
