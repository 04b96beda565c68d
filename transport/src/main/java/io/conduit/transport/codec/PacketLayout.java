package io.conduit.transport.codec;

import java.nio.ByteOrder;

/**
 * Offsets and sizes of the Conduit datagram, all little-endian (the byte order of every machine Conduit targets,
 * so no swapping on the hot path). See {@code docs/wire-format.md} for the specification.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+---------------+---------------+
 * |          magic 0xC0D1         |    version    |     type      |  0
 * +---------------+---------------+---------------+---------------+
 * |     flags     |   sackCount   |        payloadLength          |  4
 * +---------------+---------------+-------------------------------+
 * |            CRC32C of the datagram, this field skipped         |  8
 * +---------------------------------------------------------------+
 * |                   destination connection id                   | 12
 * +---------------------------------------------------------------+
 * |                     source connection id                      | 16
 * +---------------------------------------------------------------+
 * |                  sequence number (segments)                   | 20
 * +---------------------------------------------------------------+
 * |             cumulative acknowledgement (next expected)        | 24
 * +---------------------------------------------------------------+
 * |          receive window (segments beyond the ack)             | 28
 * +---------------------------------------------------------------+
 * |                   timestamp value (microseconds)              | 32
 * +---------------------------------------------------------------+
 * |                     timestamp echo reply                      | 36
 * +---------------------------------------------------------------+
 * |   message length (DATA) or probe id (PROBE, ACK with PROBE_ACK) | 40
 * +---------------------------------------------------------------+
 * |        fragment offset within the message (DATA only)         | 44
 * +---------------------------------------------------------------+
 * |  SACK blocks: sackCount x (start seq, end seq exclusive)      | 48
 * +---------------------------------------------------------------+
 * |  cookie (20 bytes) when FLAG_COOKIE is set                    |
 * +---------------------------------------------------------------+
 * |  payload (payloadLength bytes; zero padding in a PROBE); with  |
 * |  FLAG_BATCH a sequence of frames:                             |
 * |  [length (2 bytes)][length bytes of one message] ...           |
 * |  with FLAG_SPAN: [end of this message][next message length (4  |
 * |  bytes)][first fragment of the next message]                   |
 * +---------------------------------------------------------------+
 * |  authentication tag (16 bytes) when FLAG_AUTH is set          |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>A DATA segment that has no acknowledgement news for its peer (nothing new to acknowledge, the same window, no
 * cookie to echo) may instead use the 28-byte compact form, told apart by its first byte:
 *
 * <pre>
 * +---------------+---------------+-------------------------------+
 * |  marker 0xD2  |     flags     |        payloadLength          |  0
 * +---------------+---------------+-------------------------------+
 * |            CRC32C of the datagram, this field skipped         |  4
 * +---------------------------------------------------------------+
 * |                   destination connection id                   |  8
 * +---------------------------------------------------------------+
 * |                  sequence number (segments)                   | 12
 * +---------------------------------------------------------------+
 * |                   timestamp value (microseconds)              | 16
 * +---------------------------------------------------------------+
 * |                        message length                         | 20
 * +---------------------------------------------------------------+
 * |                fragment offset within the message             | 24
 * +---------------------------------------------------------------+
 * |  payload, then the authentication tag when FLAG_AUTH is set   | 28
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>A compact segment from the middle of a fragmented message (neither its first nor its last fragment) may drop
 * the message length and fragment offset as well: the 20-byte continuation, marker {@code 0xD3}, is the compact
 * header's first five words followed by the payload. Its receiver takes both fields from the message it is
 * assembling when the segment comes in order.
 */
public final class PacketLayout
{
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    public static final short MAGIC = (short)0xC0D1;
    public static final int VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 2;
    public static final int TYPE_OFFSET = 3;
    public static final int FLAGS_OFFSET = 4;
    public static final int SACK_COUNT_OFFSET = 5;
    public static final int PAYLOAD_LENGTH_OFFSET = 6;
    public static final int CHECKSUM_OFFSET = 8;
    public static final int DESTINATION_ID_OFFSET = 12;
    public static final int SOURCE_ID_OFFSET = 16;
    public static final int SEQUENCE_OFFSET = 20;
    public static final int ACK_OFFSET = 24;
    public static final int WINDOW_OFFSET = 28;
    public static final int TIMESTAMP_OFFSET = 32;
    public static final int TIMESTAMP_ECHO_OFFSET = 36;
    public static final int MESSAGE_LENGTH_OFFSET = 40;
    public static final int FRAGMENT_OFFSET_OFFSET = 44;
    /** PROBE, and ACK with {@link #FLAG_PROBE_ACK}: the probe id rides in the message length field. */
    public static final int PROBE_ID_OFFSET = MESSAGE_LENGTH_OFFSET;
    public static final int HEADER_LENGTH = 48;

    /**
     * First byte of a compact DATA datagram. A full header starts with the magic's low byte, {@code 0xD1}, so one
     * byte tells the two forms apart.
     */
    public static final int COMPACT_MARKER = 0xD2;
    public static final int COMPACT_MARKER_OFFSET = 0;
    public static final int COMPACT_FLAGS_OFFSET = 1;
    public static final int COMPACT_PAYLOAD_LENGTH_OFFSET = 2;
    public static final int COMPACT_CHECKSUM_OFFSET = 4;
    public static final int COMPACT_DESTINATION_ID_OFFSET = 8;
    public static final int COMPACT_SEQUENCE_OFFSET = 12;
    public static final int COMPACT_TIMESTAMP_OFFSET = 16;
    public static final int COMPACT_MESSAGE_LENGTH_OFFSET = 20;
    public static final int COMPACT_FRAGMENT_OFFSET_OFFSET = 24;
    /**
     * The compact DATA header: 20 bytes fewer than {@link #HEADER_LENGTH}, which on a 1,500-byte path is what lifts
     * the payload share from 94.9% to 96.2% (TCP with timestamps: 96.5%). It drops the source id, the
     * acknowledgement, the window and the timestamp echo, which a segment with no acknowledgement news repeats.
     */
    public static final int COMPACT_HEADER_LENGTH = 28;
    /**
     * First byte of a continuation: a compact DATA segment from the middle of a fragmented message, which also leaves
     * out the message length and fragment offset, since the receiver derives both from the fragments before it.
     */
    public static final int CONTINUATION_MARKER = 0xD3;
    /**
     * The continuation header: the compact header's first 20 bytes. On a 1,500-byte path it lifts the payload share
     * of a large message's middle fragments from 96.2% to 96.7%.
     */
    public static final int CONTINUATION_HEADER_LENGTH = 20;
    /**
     * What {@link PacketDecoder#messageLength()} and {@link PacketDecoder#fragmentOffset()} report for a
     * continuation: the fields are not on the wire; the receiver takes them from the message it is assembling.
     */
    public static final int CONTINUES = -1;

    public static final int MAX_SACK_BLOCKS = 4;
    public static final int SACK_BLOCK_LENGTH = 8;
    /**
     * The handshake cookie region: the listener's 16-byte MAC'd cookie followed by the initiator's initial sequence
     * number, which the MAC covers and which a later DATA segment's own sequence number no longer reveals.
     */
    public static final int COOKIE_LENGTH = 20;
    /** Offset of the initiator's initial sequence number inside the cookie region. */
    public static final int COOKIE_CLIENT_ISN_OFFSET = 16;
    public static final int AUTH_TAG_LENGTH = 16;
    public static final int MAX_HEADER_LENGTH = HEADER_LENGTH + MAX_SACK_BLOCKS * SACK_BLOCK_LENGTH + COOKIE_LENGTH;
    /**
     * What a DATA datagram adds to its payload at most: the full header (DATA carries no SACK). A segment cut while
     * the initiator still echoes the handshake cookie carries {@link #COOKIE_LENGTH} fewer payload bytes, so no DATA
     * datagram ever exceeds the configured payload plus this; a compact one is {@link #HEADER_LENGTH} -
     * {@link #COMPACT_HEADER_LENGTH} bytes shorter. Segments are cut for the full header because any segment may
     * have to be resent with it.
     */
    public static final int DATA_OVERHEAD = HEADER_LENGTH;

    /** The cookie is being echoed (handshake-completing packets) or offered (SYN-ACK). */
    public static final int FLAG_COOKIE = 0x01;
    /** Reserved for authenticated links: a tag follows the payload. */
    public static final int FLAG_AUTH = 0x02;
    /** The sender wants an immediate acknowledgement (keepalive, window probe, last segment of a burst). */
    public static final int FLAG_ACK_NOW = 0x04;
    /** ACK only: this ACK answers the PROBE whose id is in the probe id field. */
    public static final int FLAG_PROBE_ACK = 0x08;
    /**
     * DATA only: the payload is a batch of whole small messages, each framed as a little-endian 2-byte length
     * (1..65,535) followed by that many bytes; {@code messageLength} holds the number of frames and
     * {@code fragmentOffset} is 0. One sequence number covers the whole batch, so SACK, retransmission and the
     * segment-counted windows treat it as one segment.
     */
    public static final int FLAG_BATCH = 0x10;
    /**
     * DATA only, never with {@link #FLAG_BATCH} or on a continuation: the segment crosses a message boundary. Its
     * payload ends the message its fragment fields describe ({@code messageLength - fragmentOffset} bytes), then holds
     * the next message's length ({@link #SPAN_LENGTH_FIELD_LENGTH} bytes, little-endian) and that message's first
     * fragment, which may be all of it. A sender fills the room a message's short last fragment leaves with the start
     * of a message it has queued, so a stream of 64 KiB messages costs one datagram per message, not two (65,459 + 77
     * bytes).
     */
    public static final int FLAG_SPAN = 0x20;
    public static final int KNOWN_FLAGS =
        FLAG_COOKIE | FLAG_AUTH | FLAG_ACK_NOW | FLAG_PROBE_ACK | FLAG_BATCH | FLAG_SPAN;

    /** Bytes of the next message's length inside a {@link #FLAG_SPAN} payload. */
    public static final int SPAN_LENGTH_FIELD_LENGTH = 4;

    /** Bytes before each message in a {@link #FLAG_BATCH} payload: its length, unsigned 16 bits. */
    public static final int BATCH_FRAME_HEADER_LENGTH = 2;

    /** Largest UDP payload a datagram may have (IPv4 65,535 minus IP and UDP headers). */
    public static final int MAX_DATAGRAM_LENGTH = 65_507;
    /** Largest DATA payload: a maximum datagram less {@link #DATA_OVERHEAD}. */
    public static final int MAX_DATA_PAYLOAD_LENGTH = MAX_DATAGRAM_LENGTH - DATA_OVERHEAD;

    private PacketLayout()
    {
    }

    public static int sackBlocksOffset()
    {
        return HEADER_LENGTH;
    }

    public static int cookieOffset(final int sackCount)
    {
        return HEADER_LENGTH + sackCount * SACK_BLOCK_LENGTH;
    }

    public static int payloadOffset(final int flags, final int sackCount)
    {
        return cookieOffset(sackCount) + ((flags & FLAG_COOKIE) != 0 ? COOKIE_LENGTH : 0);
    }
}
