package io.parley.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;

/**
 * The metadata of one call: named entries, text or binary, that the client sends with its
 * request and the server, its interceptors and its handler read — a trace context, a tenant, a
 * request id. Immutable; {@link #with} returns a copy.
 *
 * <pre>{@code
 * CallMetadata metadata = CallMetadata.of("tenant", "acme").with("request-id", "r-42");
 * client.call("report", query, Report.class, CallOptions.DEFAULT.metadata(metadata));
 *
 * // on the server
 * String tenant = call.metadata().get("tenant");
 * }</pre>
 *
 * <p>A name is 1 to 128 characters of lower-case ASCII letters, digits, {@code -}, {@code _} and
 * {@code .}: it can never be a MIME type (which has a {@code /}), so over RSocket each entry is a
 * composite-metadata entry whose MIME string is the name, as Micrometer's RSocket instrumentation
 * sends {@code traceparent} (docs/wire-protocol.md §8). A name ending in {@value #BINARY_SUFFIX}
 * holds bytes; any other holds text, sent as UTF-8. A name may have several values, in the order
 * added.
 *
 * <p>The size a server limits ({@code ParleyServer.Builder.maxMetadataSize}) is
 * {@link #encodedSize()}: the bytes of the names and values.
 */
public final class CallMetadata {

    /** No entries. */
    public static final CallMetadata EMPTY = new CallMetadata(new String[0], new byte[0][]);

    /** The suffix of a name whose values are bytes, not text. */
    public static final String BINARY_SUFFIX = "-bin";

    /** The longest name: composite metadata holds MIME strings of up to 128 bytes. */
    public static final int MAX_NAME_LENGTH = 128;

    private final String[] names;
    private final byte[][] values;
    private final int encodedSize;

    private CallMetadata(String[] names, byte[][] values) {
        this.names = names;
        this.values = values;
        int size = 0;
        for (int i = 0; i < names.length; i++) {
            size += names[i].length() + values[i].length;
        }
        this.encodedSize = size;
    }

    /**
     * Metadata of one text entry.
     *
     * @param name the entry's name
     * @param value its text
     * @return the metadata
     * @throws IllegalArgumentException if the name is not valid or names a binary entry
     */
    public static CallMetadata of(String name, String value) {
        return EMPTY.with(name, value);
    }

    /**
     * The same metadata with a text entry added after those of the same name.
     *
     * @param name the entry's name
     * @param value its text
     * @return the metadata
     * @throws IllegalArgumentException if the name is not valid or ends in {@value #BINARY_SUFFIX}
     */
    public CallMetadata with(String name, String value) {
        checkName(name);
        Objects.requireNonNull(value, "value");
        if (isBinary(name)) {
            throw new IllegalArgumentException("name: '" + name + "' (expected: a text name, not ending in "
                    + BINARY_SUFFIX + "; use with(name, byte[]))");
        }
        return plus(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The same metadata with a binary entry added after those of the same name.
     *
     * @param name the entry's name, ending in {@value #BINARY_SUFFIX}
     * @param value its bytes, copied
     * @return the metadata
     * @throws IllegalArgumentException if the name is not valid or does not end in {@value #BINARY_SUFFIX}
     */
    public CallMetadata with(String name, byte[] value) {
        checkName(name);
        Objects.requireNonNull(value, "value");
        if (!isBinary(name)) {
            throw new IllegalArgumentException("name: '" + name + "' (expected: a binary name, ending in "
                    + BINARY_SUFFIX + ")");
        }
        return plus(name, value.clone());
    }

    /**
     * The same metadata with every entry of {@code other} added after its own.
     *
     * @param other more metadata
     * @return the metadata
     */
    public CallMetadata with(CallMetadata other) {
        if (other.names.length == 0) {
            return this;
        }
        if (names.length == 0) {
            return other;
        }
        String[] n = Arrays.copyOf(names, names.length + other.names.length);
        byte[][] v = Arrays.copyOf(values, values.length + other.values.length);
        System.arraycopy(other.names, 0, n, names.length, other.names.length);
        System.arraycopy(other.values, 0, v, values.length, other.values.length);
        return new CallMetadata(n, v);
    }

    /**
     * The same metadata with the entries of one name replaced by a text entry: what a propagator
     * does when it sets a field.
     *
     * @param name the entry's name
     * @param value its text
     * @return the metadata
     */
    public CallMetadata replacing(String name, String value) {
        return without(name).with(name, value);
    }

    /**
     * The same metadata without the entries of one name.
     *
     * @param name the name
     * @return the metadata
     */
    public CallMetadata without(String name) {
        int keep = 0;
        for (String n : names) {
            if (!n.equals(name)) {
                keep++;
            }
        }
        if (keep == names.length) {
            return this;
        }
        String[] n = new String[keep];
        byte[][] v = new byte[keep][];
        for (int i = 0, j = 0; i < names.length; i++) {
            if (!names[i].equals(name)) {
                n[j] = names[i];
                v[j++] = values[i];
            }
        }
        return new CallMetadata(n, v);
    }

    private CallMetadata plus(String name, byte[] value) {
        String[] n = Arrays.copyOf(names, names.length + 1);
        byte[][] v = Arrays.copyOf(values, values.length + 1);
        n[names.length] = name;
        v[values.length] = value;
        return new CallMetadata(n, v);
    }

    /**
     * The first text value of a name.
     *
     * @param name the name
     * @return the value, decoded from UTF-8; {@code null} if there is none
     */
    public @Nullable String get(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return new String(values[i], StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /**
     * Every value of a name, as text, in the order sent.
     *
     * @param name the name
     * @return the values; empty if there are none
     */
    public List<String> getAll(String name) {
        List<String> all = new ArrayList<>(1);
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                all.add(new String(values[i], StandardCharsets.UTF_8));
            }
        }
        return all;
    }

    /**
     * The first value of a name, as bytes: for a binary entry, or a text one's UTF-8.
     *
     * @param name the name
     * @return a copy of the value; {@code null} if there is none
     */
    public byte @Nullable [] getBytes(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return values[i].clone();
            }
        }
        return null;
    }

    /** The names, in the order of their first entry. */
    public Set<String> names() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(names)));
    }

    /** Whether there is no entry. */
    public boolean isEmpty() {
        return names.length == 0;
    }

    /** The number of entries. */
    public int size() {
        return names.length;
    }

    /** The bytes of every name and value: what a server's limit counts. */
    public int encodedSize() {
        return encodedSize;
    }

    /**
     * Hands each entry over, in order, without copying its value: for transports.
     *
     * @param action receives each name and a read-only view of its value
     */
    public void forEach(BiConsumer<String, ByteBuffer> action) {
        for (int i = 0; i < names.length; i++) {
            action.accept(names[i], ByteBuffer.wrap(values[i]).asReadOnlyBuffer());
        }
    }

    /**
     * Whether a string is a valid entry name.
     *
     * @param name the string
     * @return true if it is 1 to 128 characters of {@code a-z 0-9 - _ .}
     */
    public static boolean isValidName(String name) {
        int length = name.length();
        if (length == 0 || length > MAX_NAME_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a name holds bytes.
     *
     * @param name the name
     * @return true if it ends in {@value #BINARY_SUFFIX}
     */
    public static boolean isBinary(String name) {
        return name.endsWith(BINARY_SUFFIX);
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (!isValidName(name)) {
            throw new IllegalArgumentException("name: '" + name + "' (expected: 1 to " + MAX_NAME_LENGTH
                    + " characters of a-z, 0-9, '-', '_', '.')");
        }
    }

    /**
     * Builds metadata as a transport reads it, entry by entry, without checking the values'
     * kind: a foreign client may send bytes under any name. For transports.
     */
    public static final class Reader {

        private final List<String> names = new ArrayList<>(4);
        private final List<byte[]> values = new ArrayList<>(4);

        /** A reader with no entries yet. */
        public Reader() {
        }

        /**
         * Adds an entry as it arrived.
         *
         * @param name the entry's name, already checked with {@link #isValidName}
         * @param value its bytes, kept
         * @return this reader
         */
        public Reader add(String name, byte[] value) {
            names.add(name);
            values.add(value);
            return this;
        }

        /** The metadata read. */
        public CallMetadata build() {
            return names.isEmpty() ? EMPTY : new CallMetadata(names.toArray(new String[0]), values.toArray(new byte[0][]));
        }
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CallMetadata)) {
            return false;
        }
        CallMetadata other = (CallMetadata) o;
        return Arrays.equals(names, other.names) && Arrays.deepEquals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(names) + Arrays.deepHashCode(values);
    }

    /** The names and text values; binary values by size only, so that a log never shows a secret's bytes. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("CallMetadata{");
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(names[i]).append('=');
            if (isBinary(names[i])) {
                sb.append('[').append(values[i].length).append(" bytes]");
            }
            else {
                sb.append(new String(values[i], StandardCharsets.UTF_8));
            }
        }
        return sb.append('}').toString();
    }
}
