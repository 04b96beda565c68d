/**
 * The Conduit wire format: flyweights that encode and decode datagrams in place over Agrona buffers, with no
 * object per packet. {@link io.conduit.transport.codec.PacketDecoder} validates every received datagram before any
 * field is trusted and reports a {@link io.conduit.transport.codec.RejectReason} instead of throwing;
 * {@link io.conduit.transport.codec.PacketEncoder} writes a header and seals it with a CRC32C. The layout is
 * specified in {@code docs/wire-format.md}; {@link io.conduit.transport.codec.PacketLayout} holds its offsets.
 */
package io.conduit.transport.codec;
