/**
 * How requests and replies become bytes: the {@link io.parley.core.codec.Codec} SPI, with a JSON
 * codec ({@link io.parley.core.codec.JsonCodec}, the default), a CBOR codec
 * ({@link io.parley.core.codec.CborCodec}, which servers speak beside JSON by default) and a
 * raw-bytes codec ({@link io.parley.core.codec.BytesCodec}).
 */
@NullMarked
package io.parley.core.codec;

import org.jspecify.annotations.NullMarked;
