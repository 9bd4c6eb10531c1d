package io.parley.rsocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.LongConsumer;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.parley.core.CallMetadata;
import io.parley.core.Credentials;
import io.parley.core.transport.Interaction;
import io.parley.core.transport.RpcRequest;
import io.rsocket.metadata.AuthMetadataCodec;
import io.rsocket.metadata.WellKnownAuthType;

/**
 * Encodes and reads the metadata of Parley's RSocket frames: composite metadata
 * ({@code message/x.rsocket.composite-metadata.v0}) holding a routing entry that names the method
 * and, from a Parley client, a {@value #CALL_MIME_TYPE} entry with the call's id and timeout, the
 * call's {@link CallMetadata} entries (each an entry whose MIME string is its name) and its
 * credentials ({@value #AUTHENTICATION_MIME_TYPE}, read and written with RSocket-Java's
 * {@link AuthMetadataCodec}); the credentials of a SETUP frame; and the
 * {@value #CANCEL_MIME_TYPE} entry of a graceful-cancel METADATA_PUSH. See
 * {@code docs/wire-protocol.md}.
 *
 * <p>Stateless. Read methods leave the reader index of the buffer they are given where it was.
 */
public final class ParleyMetadataCodec {

    /** The composite metadata MIME type, announced in SETUP. */
    public static final String COMPOSITE_MIME_TYPE = "message/x.rsocket.composite-metadata.v0";

    /** The routing metadata MIME type; Parley reads its first tag as the method name. */
    public static final String ROUTING_MIME_TYPE = "message/x.rsocket.routing.v0";

    /** The entry of a call's id and timeout: 8-byte call id, 4-byte timeout in milliseconds, big-endian. */
    public static final String CALL_MIME_TYPE = "message/x.parley.call.v0";

    /** The entry of a graceful cancel, in METADATA_PUSH: the 8-byte id of each call cancelled. */
    public static final String CANCEL_MIME_TYPE = "message/x.parley.cancel.v0";

    /**
     * The entry of a graceful cancel made because the call's graceful bound passed at the client,
     * in METADATA_PUSH: the 8-byte id of each call. The server reports the deadline as the reason.
     */
    public static final String DEADLINE_MIME_TYPE = "message/x.parley.deadline.v0";

    /** RSocket's authentication metadata MIME type: simple or bearer credentials. */
    public static final String AUTHENTICATION_MIME_TYPE = "message/x.rsocket.authentication.v0";

    /** The well-known id of {@link #ROUTING_MIME_TYPE} in composite metadata. */
    static final int ROUTING_MIME_ID = 0x7E;

    /** The well-known id of {@link #AUTHENTICATION_MIME_TYPE} in composite metadata. */
    static final int AUTHENTICATION_MIME_ID = 0x7C;

    private static final byte[] AUTHENTICATION_MIME_BYTES = AUTHENTICATION_MIME_TYPE.getBytes(StandardCharsets.US_ASCII);

    private static final byte[] ROUTING_MIME_BYTES = ROUTING_MIME_TYPE.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CALL_MIME = CALL_MIME_TYPE.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CANCEL_MIME = CANCEL_MIME_TYPE.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DEADLINE_MIME = DEADLINE_MIME_TYPE.getBytes(StandardCharsets.US_ASCII);
    private static final int CALL_ENTRY_LENGTH = 12;
    private static final int MAX_TAG_LENGTH = 255;

    private ParleyMetadataCodec() {
    }

    /**
     * Encodes the composite metadata of a request.
     *
     * @param allocator where the buffer comes from
     * @param method the method name, at most 255 UTF-8 bytes
     * @param callId the call's id; 0 writes no {@value #CALL_MIME_TYPE} entry
     * @param timeoutMillis the call's timeout in milliseconds, 0 for none, at most 0xFFFFFFFF
     * @return the metadata, owned by the caller
     * @throws IllegalArgumentException if the method name is empty or longer than 255 bytes
     */
    public static ByteBuf encodeRequest(ByteBufAllocator allocator, String method, long callId, long timeoutMillis) {
        return encodeRequest(allocator, method.getBytes(StandardCharsets.UTF_8), method, callId, timeoutMillis,
                CallMetadata.EMPTY, null);
    }

    /**
     * Encodes the composite metadata of a request with its metadata entries and credentials.
     *
     * @param allocator where the buffer comes from
     * @param method the method name, at most 255 UTF-8 bytes
     * @param callId the call's id; 0 writes no {@value #CALL_MIME_TYPE} entry
     * @param timeoutMillis the call's timeout in milliseconds, 0 for none, at most 0xFFFFFFFF
     * @param metadata the call's entries, each written as an entry whose MIME string is its name
     * @param credentials the call's credentials, or {@code null}
     * @return the metadata, owned by the caller
     * @throws IllegalArgumentException if the method name is empty or longer than 255 bytes
     */
    public static ByteBuf encodeRequest(ByteBufAllocator allocator, String method, long callId, long timeoutMillis,
            CallMetadata metadata, @Nullable Credentials credentials) {
        return encodeRequest(allocator, method.getBytes(StandardCharsets.UTF_8), method, callId, timeoutMillis, metadata,
                credentials);
    }

    /** As {@link #encodeRequest(ByteBufAllocator, String, long, long, CallMetadata, Credentials)}, with the name's UTF-8 bytes at hand. */
    static ByteBuf encodeRequest(ByteBufAllocator allocator, byte[] route, String method, long callId, long timeoutMillis,
            CallMetadata metadata, @Nullable Credentials credentials) {
        if (route.length == 0 || route.length > MAX_TAG_LENGTH) {
            throw new IllegalArgumentException("method: '" + method + "' is " + route.length
                    + " UTF-8 bytes (expected: 1 to " + MAX_TAG_LENGTH + ")");
        }
        int size = 1 + 3 + 1 + route.length;
        if (callId != 0) {
            size += 1 + CALL_MIME.length + 3 + CALL_ENTRY_LENGTH;
        }
        size += entriesLength(metadata) + authenticationLength(credentials);
        ByteBuf buf = allocator.buffer(size, size);
        buf.writeByte(0x80 | ROUTING_MIME_ID);
        buf.writeMedium(1 + route.length);
        buf.writeByte(route.length);
        buf.writeBytes(route);
        if (callId != 0) {
            buf.writeByte(CALL_MIME.length - 1);
            buf.writeBytes(CALL_MIME);
            buf.writeMedium(CALL_ENTRY_LENGTH);
            buf.writeLong(callId);
            buf.writeInt((int) Math.min(timeoutMillis, 0xFFFF_FFFFL));
        }
        if (!metadata.isEmpty()) {
            metadata.forEach((name, value) -> {
                buf.writeByte(name.length() - 1);
                buf.writeCharSequence(name, StandardCharsets.US_ASCII);
                buf.writeMedium(value.remaining());
                buf.writeBytes(value);
            });
        }
        if (credentials != null) {
            writeAuthentication(buf, credentials);
        }
        return buf;
    }

    /** The bytes the entries of call metadata take in composite metadata. */
    private static int entriesLength(CallMetadata metadata) {
        if (metadata.isEmpty()) {
            return 0;
        }
        int[] size = {0};
        metadata.forEach((name, value) -> {
            if (value.remaining() > 0xFF_FFFF) {
                throw new IllegalArgumentException("metadata: the value of '" + name + "' is " + value.remaining()
                        + " bytes (expected: at most 16 MiB - 1, a composite metadata entry's limit)");
            }
            size[0] += 1 + name.length() + 3 + value.remaining();
        });
        return size[0];
    }

    /** The bytes an authentication entry takes, or 0 without credentials. */
    private static int authenticationLength(@Nullable Credentials credentials) {
        if (credentials == null) {
            return 0;
        }
        return 1 + 3 + authenticationContentLength(credentials);
    }

    private static int authenticationContentLength(Credentials credentials) {
        if (credentials instanceof Credentials.Basic basic) {
            return 1 + 2 + RpcRequest.utf8Length(basic.username()) + RpcRequest.utf8Length(basic.password());
        }
        return 1 + RpcRequest.utf8Length(((Credentials.Bearer) credentials).token());
    }

    /** Writes an authentication entry, its content made by RSocket-Java's own codec. */
    private static void writeAuthentication(ByteBuf buf, Credentials credentials) {
        ByteBuf content = credentials instanceof Credentials.Basic basic
                ? AuthMetadataCodec.encodeSimpleMetadata(buf.alloc(), basic.username().toCharArray(), basic.password().toCharArray())
                : AuthMetadataCodec.encodeBearerMetadata(buf.alloc(), ((Credentials.Bearer) credentials).token().toCharArray());
        try {
            buf.writeByte(0x80 | AUTHENTICATION_MIME_ID);
            buf.writeMedium(content.readableBytes());
            buf.writeBytes(content);
        }
        finally {
            content.release();
        }
    }

    /**
     * Encodes the composite metadata of a SETUP frame that carries a connection's credentials.
     *
     * @param allocator where the buffer comes from
     * @param credentials the credentials
     * @return the metadata, owned by the caller
     */
    public static ByteBuf encodeSetup(ByteBufAllocator allocator, Credentials credentials) {
        int size = authenticationLength(credentials);
        ByteBuf buf = allocator.buffer(size, size);
        writeAuthentication(buf, credentials);
        return buf;
    }

    /**
     * Reads the credentials of a SETUP frame's composite metadata.
     *
     * @param metadata the SETUP frame's metadata
     * @return the credentials, or {@code null} if it carries none
     * @throws MalformedMetadataException if the metadata cannot be read
     */
    public static @Nullable Credentials decodeSetup(ByteBuf metadata) {
        @Nullable Credentials[] credentials = new Credentials[1];
        forEachEntry(metadata, (header, mimeStart, mimeLength, index, length) -> {
            if (credentials[0] == null && isAuthentication(metadata, header, mimeStart, mimeLength)) {
                credentials[0] = readAuthentication(metadata, index, length);
            }
        });
        return credentials[0];
    }

    /** What {@link #forEachEntry} hands over of each composite metadata entry: where its parts are. */
    @FunctionalInterface
    private interface Entry {

        void at(int header, int mimeStart, int mimeLength, int index, int length);
    }

    /**
     * Walks the entries of composite metadata, each checked against the buffer's end. A request's
     * metadata is read in {@link #decodeRequest} with the same walk written out, as it is read
     * once per call and keeps several values as it goes.
     */
    private static void forEachEntry(ByteBuf metadata, Entry entry) {
        int index = metadata.readerIndex();
        int end = metadata.writerIndex();
        while (index < end) {
            int header = metadata.getUnsignedByte(index++);
            int mimeStart = index;
            int mimeLength = (header & 0x80) != 0 ? 0 : (header & 0x7F) + 1;
            index += mimeLength;
            int length = entryLength(metadata, index, end);
            index += 3;
            entry.at(header, mimeStart, mimeLength, index, length);
            index += length;
        }
    }

    private static boolean isAuthentication(ByteBuf metadata, int header, int mimeStart, int mimeLength) {
        return (header & 0x80) != 0 ? (header & 0x7F) == AUTHENTICATION_MIME_ID
                : equalsAscii(metadata, mimeStart, mimeLength, AUTHENTICATION_MIME_BYTES);
    }

    /**
     * Reads simple or bearer credentials with RSocket-Java's codec; {@code null} for another
     * authentication type, which Parley does not read.
     */
    private static @Nullable Credentials readAuthentication(ByteBuf metadata, int index, int length) {
        ByteBuf content = metadata.slice(index, length);
        try {
            if (length < 1 || !AuthMetadataCodec.isWellKnownAuthType(content)) {
                return null;
            }
            WellKnownAuthType type = AuthMetadataCodec.readWellKnownAuthType(content);
            if (type == WellKnownAuthType.SIMPLE) {
                return Credentials.basic(new String(AuthMetadataCodec.readUsernameAsCharArray(content)),
                        new String(AuthMetadataCodec.readPasswordAsCharArray(content)));
            }
            if (type == WellKnownAuthType.BEARER) {
                return Credentials.bearer(new String(AuthMetadataCodec.readBearerTokenAsCharArray(content)));
            }
            return null;
        }
        catch (IndexOutOfBoundsException | IllegalStateException | IllegalArgumentException e) {
            throw new MalformedMetadataException(AUTHENTICATION_MIME_TYPE + " entry of " + length + " bytes cannot be read: "
                    + e.getMessage());
        }
    }

    /**
     * The size of a request's metadata as {@link #encodeRequest} writes it with a call id.
     *
     * @param request the request
     * @return the size in bytes
     */
    static int requestLength(RpcRequest request) {
        return requestLength(request.method()) + entriesLength(request.metadata()) + authenticationLength(request.credentials());
    }

    /**
     * The size of a request's metadata as {@link #encodeRequest} writes it with a call id and
     * nothing else.
     *
     * @param method the method name
     * @return the size in bytes
     */
    static int requestLength(String method) {
        return 1 + 3 + 1 + RpcRequest.utf8Length(method) + 1 + CALL_MIME.length + 3 + CALL_ENTRY_LENGTH;
    }

    /**
     * Encodes the composite metadata of a graceful cancel, sent as METADATA_PUSH.
     *
     * @param allocator where the buffer comes from
     * @param callId the id of the call cancelled
     * @return the metadata, owned by the caller
     */
    public static ByteBuf encodeCancel(ByteBufAllocator allocator, long callId) {
        return encodeCancel(allocator, callId, false);
    }

    /**
     * Encodes the composite metadata of a graceful cancel, sent as METADATA_PUSH: the caller's
     * ({@value #CANCEL_MIME_TYPE}) or the deadline's ({@value #DEADLINE_MIME_TYPE}).
     *
     * @param allocator where the buffer comes from
     * @param callId the id of the call cancelled
     * @param deadline whether the call's graceful bound is why
     * @return the metadata, owned by the caller
     */
    public static ByteBuf encodeCancel(ByteBufAllocator allocator, long callId, boolean deadline) {
        byte[] mime = deadline ? DEADLINE_MIME : CANCEL_MIME;
        int size = 1 + mime.length + 3 + 8;
        ByteBuf buf = allocator.buffer(size, size);
        buf.writeByte(mime.length - 1);
        buf.writeBytes(mime);
        buf.writeMedium(8);
        buf.writeLong(callId);
        return buf;
    }

    /**
     * Reads the metadata of a request.
     *
     * @param metadata composite metadata, or bare routing metadata if {@code composite} is false
     * @param composite whether the connection announced composite metadata in SETUP
     * @return what the request says of its call
     * @throws MalformedMetadataException if the metadata cannot be read or names no method
     */
    public static Request decodeRequest(ByteBuf metadata, boolean composite) {
        RpcRequest request = decodeRequest(metadata, composite, null, NO_DATA, Interaction.REQUEST_RESPONSE, null);
        Duration timeout = request.timeout();
        return new Request(request.method(), request.callId(), timeout == null ? 0 : timeout.toMillis());
    }

    private static final ByteBuffer NO_DATA = ByteBuffer.allocate(0);

    /**
     * Reads a request, taking method names from a cache of those seen before.
     *
     * @param metadata composite metadata, or bare routing metadata if {@code composite} is false
     * @param composite whether the connection announced composite metadata in SETUP
     * @param names the names seen on this connection, or {@code null}
     * @param data the request's data
     * @param interaction the frame the request came in
     * @param more a channel's further requests, or {@code null}
     * @return the request
     * @throws MalformedMetadataException if the metadata cannot be read or names no method
     */
    static RpcRequest decodeRequest(ByteBuf metadata, boolean composite, @Nullable Names names, ByteBuffer data,
            Interaction interaction, @Nullable Publisher<ByteBuffer> more) {
        if (!composite) {
            return new RpcRequest(firstTag(metadata, metadata.readerIndex(), metadata.readableBytes(), names),
                    RpcRequest.NO_CALL_ID, null, data, interaction, more);
        }
        @Nullable String method = null;
        long callId = 0;
        long timeoutMillis = 0;
        CallMetadata.@Nullable Reader entries = null;
        @Nullable Credentials credentials = null;
        int index = metadata.readerIndex();
        int end = metadata.writerIndex();
        while (index < end) {
            int header = metadata.getUnsignedByte(index++);
            int mimeStart = index;
            int mimeLength = 0;
            boolean wellKnown = (header & 0x80) != 0;
            if (!wellKnown) {
                mimeLength = (header & 0x7F) + 1;
                index += mimeLength;
            }
            int length = entryLength(metadata, index, end);
            index += 3;
            if (wellKnown) {
                if ((header & 0x7F) == ROUTING_MIME_ID && method == null) {
                    method = firstTag(metadata, index, length, names);
                }
                else if ((header & 0x7F) == AUTHENTICATION_MIME_ID && credentials == null) {
                    credentials = readAuthentication(metadata, index, length);
                }
            }
            else if (equalsAscii(metadata, mimeStart, mimeLength, CALL_MIME)) {
                if (length != CALL_ENTRY_LENGTH) {
                    throw new MalformedMetadataException(CALL_MIME_TYPE + " entry of " + length + " bytes (expected: 12)");
                }
                callId = metadata.getLong(index);
                timeoutMillis = metadata.getUnsignedInt(index + 8);
            }
            else if (!contains(metadata, mimeStart, mimeLength, (byte) '/')) {
                // An entry of the call's metadata: its MIME string is its name.
                String name = entryName(metadata, mimeStart, mimeLength);
                if (name != null) {
                    byte[] value = new byte[length];
                    metadata.getBytes(index, value);
                    entries = (entries != null ? entries : new CallMetadata.Reader()).add(name, value);
                }
            }
            else if (method == null && equalsAscii(metadata, mimeStart, mimeLength, ROUTING_MIME_BYTES)) {
                method = firstTag(metadata, index, length, names);
            }
            else if (credentials == null && equalsAscii(metadata, mimeStart, mimeLength, AUTHENTICATION_MIME_BYTES)) {
                credentials = readAuthentication(metadata, index, length);
            }
            index += length;
        }
        if (method == null) {
            throw new MalformedMetadataException("no route: the metadata has no " + ROUTING_MIME_TYPE + " entry");
        }
        return new RpcRequest(method, callId, timeoutMillis > 0 ? Duration.ofMillis(timeoutMillis) : null, data, interaction, more,
                entries != null ? entries.build() : CallMetadata.EMPTY, credentials);
    }

    /**
     * Reads the call ids of a graceful-cancel METADATA_PUSH.
     *
     * @param metadata composite metadata
     * @param callIds receives each call id the metadata cancels
     * @throws MalformedMetadataException if the metadata cannot be read
     */
    public static void decodeCancel(ByteBuf metadata, LongConsumer callIds) {
        decodeCancel(metadata, callIds, callIds);
    }

    /**
     * Reads the call ids of a graceful-cancel METADATA_PUSH, the caller's and the deadline's apart.
     *
     * @param metadata composite metadata
     * @param callIds receives each call id the metadata cancels for the caller
     * @param deadlines receives each call id the metadata cancels because its graceful bound passed
     * @throws MalformedMetadataException if the metadata cannot be read
     */
    public static void decodeCancel(ByteBuf metadata, LongConsumer callIds, LongConsumer deadlines) {
        forEachEntry(metadata, (header, mimeStart, mimeLength, index, length) -> {
            if (mimeLength == 0) {
                return;
            }
            boolean deadline = equalsAscii(metadata, mimeStart, mimeLength, DEADLINE_MIME);
            if (!deadline && !equalsAscii(metadata, mimeStart, mimeLength, CANCEL_MIME)) {
                return;
            }
            if (length % 8 != 0) {
                throw new MalformedMetadataException((deadline ? DEADLINE_MIME_TYPE : CANCEL_MIME_TYPE) + " entry of "
                        + length + " bytes (expected: a multiple of 8)");
            }
            LongConsumer to = deadline ? deadlines : callIds;
            for (int i = 0; i < length; i += 8) {
                to.accept(metadata.getLong(index + i));
            }
        });
    }

    /** The length of a composite metadata entry whose 3-byte length is at {@code index}, checked against {@code end}. */
    private static int entryLength(ByteBuf metadata, int index, int end) {
        if (index + 3 > end) {
            throw new MalformedMetadataException("composite metadata entry cut short at byte " + (index - metadata.readerIndex()));
        }
        int length = metadata.getUnsignedMedium(index);
        if (index + 3 + length > end) {
            throw new MalformedMetadataException("composite metadata entry of " + length + " bytes runs past the end");
        }
        return length;
    }

    private static String firstTag(ByteBuf buf, int index, int length, @Nullable Names names) {
        if (length < 1) {
            throw new MalformedMetadataException("empty routing metadata");
        }
        int tagLength = buf.getUnsignedByte(index);
        if (tagLength == 0 || tagLength + 1 > length) {
            throw new MalformedMetadataException("routing tag of " + tagLength + " bytes in " + length + " bytes of routing metadata");
        }
        return names != null ? names.name(buf, index + 1, tagLength) : buf.toString(index + 1, tagLength, StandardCharsets.UTF_8);
    }

    /**
     * Method names with their UTF-8 bytes as last seen on one connection, so that a server does
     * not decode the name of a method called before into a new {@code String}, and a client does
     * not encode it again. A handful of slots, replaced in turn; each slot holds an immutable
     * entry, so a racing reader sees a whole one or another.
     */
    static final class Names {

        private static final int SLOTS = 8;

        private final Entry[] entries = new Entry[SLOTS];
        private int next;

        private record Entry(byte[] utf8, String name) {
        }

        /** The name whose UTF-8 bytes are these, as a server reads it. */
        String name(ByteBuf buf, int index, int length) {
            for (Entry e : entries) {
                if (e != null && equalsAscii(buf, index, length, e.utf8)) {
                    return e.name;
                }
            }
            byte[] utf8 = new byte[length];
            buf.getBytes(index, utf8);
            return remember(utf8, new String(utf8, StandardCharsets.UTF_8)).name;
        }

        /** The UTF-8 bytes of a name, as a client sends it. */
        byte[] utf8(String name) {
            for (Entry e : entries) {
                if (e != null && (e.name == name || e.name.equals(name))) {
                    return e.utf8;
                }
            }
            return remember(name.getBytes(StandardCharsets.UTF_8), name).utf8;
        }

        private Entry remember(byte[] utf8, String name) {
            Entry entry = new Entry(utf8, name);
            entries[next] = entry;
            next = (next + 1) % SLOTS;
            return entry;
        }
    }

    private static boolean contains(ByteBuf buf, int index, int length, byte b) {
        for (int i = 0; i < length; i++) {
            if (buf.getByte(index + i) == b) {
                return true;
            }
        }
        return false;
    }

    /**
     * The metadata name an entry's MIME string gives, lower-cased as HTTP headers are; {@code null},
     * and the entry ignored, if it is not a valid name even so.
     */
    private static @Nullable String entryName(ByteBuf buf, int index, int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            char c = (char) (buf.getByte(index + i) & 0xFF);
            chars[i] = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
        }
        String name = new String(chars);
        return CallMetadata.isValidName(name) ? name : null;
    }

    private static boolean equalsAscii(ByteBuf buf, int index, int length, byte[] expected) {
        if (length != expected.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (buf.getByte(index + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * What a request's metadata says of its call.
     *
     * @param method the route: the method name
     * @param callId the client's id of the call, 0 if it gave none
     * @param timeoutMillis the call's timeout in milliseconds, 0 if none
     */
    public record Request(String method, long callId, long timeoutMillis) {
    }

    /** Metadata that does not follow {@code docs/wire-protocol.md}. */
    public static final class MalformedMetadataException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        MalformedMetadataException(String message) {
            super(message, null, false, false);
        }
    }
}
