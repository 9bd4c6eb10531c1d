package io.parley.core.codec;

/**
 * A value could not be encoded, or bytes could not be decoded, by a {@link Codec}. Parley ends
 * the call with {@code RPC_X_BAD_STUB_DATA} when it meets one.
 */
public final class CodecException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what could not be encoded or decoded, and as what
     * @param cause the codec library's own error, kept on this side
     */
    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * @param message what could not be encoded or decoded, and as what
     */
    public CodecException(String message) {
        super(message);
    }
}
