package io.conduit.chain;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The messages between chain members, every one stamped with the sender's epoch; a receiver ignores an older
 * epoch. {@link ChainMessageCodec} puts them on the wire. Updates flow down the chain (predecessor to successor),
 * acknowledgements and the link handshake flow up; CRAQ reads go from any member to the tail and back.
 * <pre>
 *   predecessor                              successor
 *        |  &lt;------- HELLO(last, acked) ---------|   on every new configuration, link reset, or gap
 *        |  -------- RESUME(after) or ---------&gt; |   "I continue after your last"
 *        |           SNAPSHOT_CHUNK ... --------&gt; |   or "your last is behind what I keep": state transfer
 *        |  -------- FORWARD(updates) ---------&gt; |   batched, in sequence order
 *        |  &lt;------- ACK(committed) -------------|   cumulative, from the tail upwards
 *   any member --- READ_QUERY(id, get) ---&gt; tail --- READ_REPLY(id, response) ---&gt; that member
 * </pre>
 */
public sealed interface ChainMessage
    permits ChainMessage.Forward, ChainMessage.Ack, ChainMessage.Hello, ChainMessage.Resume,
    ChainMessage.SnapshotChunk, ChainMessage.ReadQuery, ChainMessage.ReadReply
{
    /** The sender's epoch when it sent the message. */
    long epoch();

    /** The message's type, its wire code. */
    ChainMessageType type();

    /**
     * Updates with consecutive sequence numbers, from a predecessor to its successor.
     *
     * @param updates at least one, consecutive, in order.
     */
    record Forward(long epoch, List<ChainUpdate> updates) implements ChainMessage
    {
        public Forward
        {
            updates = List.copyOf(updates);
            if (updates.isEmpty())
            {
                throw new IllegalArgumentException("a forward carries at least one update");
            }
        }

        @Override
        public ChainMessageType type()
        {
            return ChainMessageType.FORWARD;
        }

        public long firstSequence()
        {
            return updates.get(0).sequence();
        }

        public long lastSequence()
        {
            return updates.get(updates.size() - 1).sequence();
        }
    }

    /** Everything up to {@code committedSequence} is committed at the tail; from a successor to its predecessor. */
    record Ack(long epoch, long committedSequence) implements ChainMessage
    {
        @Override
        public ChainMessageType type()
        {
            return ChainMessageType.ACK;
        }
    }

    /**
     * The successor's half of the link handshake: what it holds and what it knows committed. Sent on a new
     * configuration, after a link reset and when a gap shows updates were lost.
     */
    record Hello(long epoch, long lastSequence, long committedSequence) implements ChainMessage
    {
        @Override
        public ChainMessageType type()
        {
            return ChainMessageType.HELLO;
        }
    }

    /** The predecessor's answer to a HELLO it can serve from its unacknowledged updates: FORWARDs follow. */
    record Resume(long epoch, long afterSequence) implements ChainMessage
    {
        @Override
        public ChainMessageType type()
        {
            return ChainMessageType.RESUME;
        }
    }

    /**
     * One piece of a state transfer: the predecessor's whole state machine as of {@code snapshotSequence}, of which
     * {@code committedSequence} and below were known committed. FORWARDs after the last chunk continue from
     * {@code snapshotSequence + 1}.
     */
    record SnapshotChunk(
        long epoch, long snapshotSequence, long committedSequence, long totalLength, long chunkOffset, byte[] bytes)
        implements ChainMessage
    {
        public SnapshotChunk
        {
            Objects.requireNonNull(bytes, "bytes");
        }

        @Override
        public ChainMessageType type()
        {
            return ChainMessageType.SNAPSHOT_CHUNK;
        }

        public boolean isLast()
        {
            return chunkOffset + bytes.length == totalLength;
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof SnapshotChunk that && epoch == that.epoch &&
                snapshotSequence == that.snapshotSequence && committedSequence == that.committedSequence &&
                totalLength == that.totalLength && chunkOffset == that.chunkOffset && Arrays.equals(bytes, that.bytes);
        }

        @Override
        public int hashCode()
        {
            return Objects.hash(epoch, snapshotSequence, committedSequence, totalLength, chunkOffset) * 31 +
                Arrays.hashCode(bytes);
        }
    }

    /** A CRAQ read of a dirty key, asked of the tail: the client's get request byte for byte. */
    record ReadQuery(long epoch, long queryId, byte[] request) implements ChainMessage
    {
        public ReadQuery
        {
            Objects.requireNonNull(request, "request");
        }

        @Override
        public ChainMessageType type()
        {
            return ChainMessageType.READ_QUERY;
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof ReadQuery that && epoch == that.epoch && queryId == that.queryId &&
                Arrays.equals(request, that.request);
        }

        @Override
        public int hashCode()
        {
            return Objects.hash(epoch, queryId) * 31 + Arrays.hashCode(request);
        }
    }

    /** The tail's answer to a READ_QUERY: the client's response byte for byte, stamped with the query's epoch. */
    record ReadReply(long epoch, long queryId, byte[] response) implements ChainMessage
    {
        public ReadReply
        {
            Objects.requireNonNull(response, "response");
        }

        @Override
        public ChainMessageType type()
        {
            return ChainMessageType.READ_REPLY;
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof ReadReply that && epoch == that.epoch && queryId == that.queryId &&
                Arrays.equals(response, that.response);
        }

        @Override
        public int hashCode()
        {
            return Objects.hash(epoch, queryId) * 31 + Arrays.hashCode(response);
        }
    }
}
