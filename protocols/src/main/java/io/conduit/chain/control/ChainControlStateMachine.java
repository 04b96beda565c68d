package io.conduit.chain.control;

import java.nio.ByteOrder;
import java.util.Arrays;

import io.conduit.chain.ChainConfiguration;
import io.conduit.kv.KvCodecError;
import io.conduit.kv.ReplicatedStateMachine;
import io.conduit.kv.SnapshotSink;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The chain's configuration as a deterministic replicated state machine: the current {@link ChainConfiguration}
 * (epoch and members in chain order), and for each member of the fixed set that may take part, whether it is in the
 * chain, which replica incarnation holds its place, the epoch that incarnation joined at, and whether it has
 * reported holding everything committed (synced). Commands are {@link ControlCommandFlyweight}s in the Raft log:
 *
 * <ul>
 *   <li><b>REPORT_FAILED(member, observedEpoch)</b>: the next epoch without {@code member}, if the incarnation in
 *       its place was already in the chain at {@code observedEpoch} (a report about an earlier incarnation, or from
 *       a future epoch, is stale and ignored) and another synced member remains (the last member holding every
 *       committed update is never removed: without it the chain's state would be gone).</li>
 *   <li><b>REQUEST_JOIN(member, incarnation)</b>: the first join creates epoch 1 with that member alone (it starts
 *       synced: everyone starts empty); later ones append the member as the new tail
 *       ({@link ChainConfiguration#withTail}), unsynced. The same incarnation again changes nothing; another
 *       incarnation of a member still in the chain is a restart: the old one holds nothing any more, so it is
 *       removed (one epoch) and the new one appended (the next), under the same last-synced rule.</li>
 *   <li><b>REPORT_SYNCED(member, incarnation)</b>: marks that incarnation synced; no new epoch.</li>
 * </ul>
 * Every configuration issued follows its predecessor ({@link ChainConfiguration#followsFrom}) and epochs grow by one
 * per change. Garbage, and commands naming a member outside the set, are refused with a response, never thrown.
 *
 * <h2>Response (16 bytes, little-endian)</h2>
 * {@code outcome} (byte 0: {@link #APPLIED}, {@link #IGNORED}, {@link #REFUSED}), {@code reason} (byte 1: one of the
 * {@code REASON_*} constants, or for REFUSED the negated {@link KvCodecError}), two reserved bytes and a reserved
 * int, then the epoch after the command (int64 at 8).
 *
 * <h2>Snapshot (little-endian)</h2>
 * magic "CHCM" (int32 at 0), version byte 1 and three zero bytes, appliedIndex, appliedTerm, epoch, removalEpoch
 * (int64 at 8, 16, 24, 32), memberCount and chainLength (int32 at 40, 44); then per member in ascending id order
 * {@code id int32, flags int32 (bit 0 in chain, bit 1 synced), incarnation int64, joinedEpoch int64}; then the chain's
 * member ids in order. {@link #restoreSnapshot} validates every field and leaves the state unchanged on garbage.
 */
public final class ChainControlStateMachine implements ReplicatedStateMachine
{
    public static final byte APPLIED = 1;
    public static final byte IGNORED = 2;
    public static final byte REFUSED = 3;

    public static final byte REASON_NONE = 0;
    /** A failure report about an earlier incarnation, or from an epoch not yet reached. */
    public static final byte REASON_STALE = 1;
    /** The member is not in the chain (or not with that incarnation). */
    public static final byte REASON_NOT_IN_CHAIN = 2;
    /** The member is in the chain with that incarnation already. */
    public static final byte REASON_ALREADY_IN_CHAIN = 3;
    /** Removing it would leave no synced member. */
    public static final byte REASON_LAST_SYNCED = 4;
    /** The member is not one of the set this chain was configured with. */
    public static final byte REASON_UNKNOWN_MEMBER = 5;
    /** Already synced. */
    public static final byte REASON_ALREADY_SYNCED = 6;

    public static final int RESPONSE_LENGTH = 16;
    public static final int RESPONSE_OUTCOME_OFFSET = 0;
    public static final int RESPONSE_REASON_OFFSET = 1;
    public static final int RESPONSE_EPOCH_OFFSET = 8;

    public static final int SNAPSHOT_MAGIC = 0x4D434843;
    public static final int SNAPSHOT_VERSION = 1;
    public static final int SNAPSHOT_HEADER_LENGTH = 48;
    public static final int SNAPSHOT_MEMBER_LENGTH = 24;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int FLAG_IN_CHAIN = 1;
    private static final int FLAG_SYNCED = 2;

    private final int[] memberIds;
    private final ControlCommandFlyweight command = new ControlCommandFlyweight();
    private final UnsafeBuffer snapshotBuffer;

    private final boolean[] inChain;
    private final boolean[] synced;
    private final long[] incarnation;
    private final long[] joinedEpoch;
    private final int[] chain;
    private int chainLength;
    private long epoch;
    private long removalEpoch;
    private long appliedIndex;
    private long appliedTerm;
    private ChainConfiguration configuration;

    private byte lastOutcome;
    private byte lastReason;
    private long configurationsIssued;

    /**
     * @param members every member that may ever be in the chain; positive and distinct. No chain exists until the
     *                first REQUEST_JOIN.
     */
    public ChainControlStateMachine(final int... members)
    {
        final int[] sorted = members.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++)
        {
            if (sorted[i] <= 0 || (i > 0 && sorted[i] == sorted[i - 1]))
            {
                throw new IllegalArgumentException("members must be distinct and positive: " +
                    Arrays.toString(members));
            }
        }
        if (sorted.length == 0)
        {
            throw new IllegalArgumentException("a chain needs at least one possible member");
        }
        this.memberIds = sorted;
        this.inChain = new boolean[sorted.length];
        this.synced = new boolean[sorted.length];
        this.incarnation = new long[sorted.length];
        this.joinedEpoch = new long[sorted.length];
        this.chain = new int[sorted.length];
        this.snapshotBuffer = new UnsafeBuffer(new byte[maxSnapshotLength()]);
    }

    // ------------------------------------------------------------------------------------------ apply

    @Override
    public int apply(
        final long index, final long term, final DirectBuffer bytes, final int offset, final int length,
        final MutableDirectBuffer out, final int outOffset)
    {
        if (index <= appliedIndex || term < appliedTerm)
        {
            throw new IllegalStateException("entry " + index + " of term " + term + " after " + appliedIndex +
                " of term " + appliedTerm + ": the engine has a bug");
        }
        appliedIndex = index;
        appliedTerm = term;
        if (length == 0)
        {
            return 0;
        }
        final int valid = ControlCommandFlyweight.validate(bytes, offset, length);
        if (valid < 0)
        {
            return respond(out, outOffset, REFUSED, (byte)-valid);
        }
        command.wrap(bytes, offset);
        final int slot = slotOf(command.member());
        if (slot < 0)
        {
            return respond(out, outOffset, REFUSED, REASON_UNKNOWN_MEMBER);
        }
        switch (command.type())
        {
            case ControlCommandFlyweight.REPORT_FAILED:
                return respond(out, outOffset, reportFailed(slot, command.epoch()));
            case ControlCommandFlyweight.REQUEST_JOIN:
                return respond(out, outOffset, requestJoin(slot, command.incarnation()));
            default:
                return respond(out, outOffset, reportSynced(slot, command.incarnation()));
        }
    }

    /** @return the outcome in the high byte and the reason in the low byte. */
    private int reportFailed(final int slot, final long observedEpoch)
    {
        if (!inChain[slot])
        {
            return result(IGNORED, REASON_NOT_IN_CHAIN);
        }
        if (observedEpoch < joinedEpoch[slot] || observedEpoch > epoch)
        {
            return result(IGNORED, REASON_STALE);
        }
        if (!otherSyncedMember(slot))
        {
            return result(IGNORED, REASON_LAST_SYNCED);
        }
        remove(slot);
        return result(APPLIED, REASON_NONE);
    }

    private int requestJoin(final int slot, final long joiningIncarnation)
    {
        if (inChain[slot] && incarnation[slot] == joiningIncarnation)
        {
            return result(IGNORED, REASON_ALREADY_IN_CHAIN);
        }
        if (inChain[slot])
        {
            // A restart: the incarnation holding the place came back empty, so the place holds nothing.
            if (!otherSyncedMember(slot))
            {
                return result(IGNORED, REASON_LAST_SYNCED);
            }
            remove(slot);
        }
        append(slot, joiningIncarnation);
        return result(APPLIED, REASON_NONE);
    }

    private int reportSynced(final int slot, final long syncedIncarnation)
    {
        if (!inChain[slot] || incarnation[slot] != syncedIncarnation)
        {
            return result(IGNORED, REASON_NOT_IN_CHAIN);
        }
        if (synced[slot])
        {
            return result(IGNORED, REASON_ALREADY_SYNCED);
        }
        synced[slot] = true;
        return result(APPLIED, REASON_NONE);
    }

    private boolean otherSyncedMember(final int slot)
    {
        for (int i = 0; i < chainLength; i++)
        {
            final int other = slotOf(chain[i]);
            if (other != slot && synced[other])
            {
                return true;
            }
        }
        return false;
    }

    private void remove(final int slot)
    {
        final int id = memberIds[slot];
        int kept = 0;
        for (int i = 0; i < chainLength; i++)
        {
            if (chain[i] != id)
            {
                chain[kept++] = chain[i];
            }
        }
        chainLength = kept;
        inChain[slot] = false;
        synced[slot] = false;
        incarnation[slot] = 0;
        joinedEpoch[slot] = 0;
        epoch++;
        removalEpoch = epoch;
        issue();
    }

    private void append(final int slot, final long joiningIncarnation)
    {
        final boolean first = chainLength == 0;
        chain[chainLength++] = memberIds[slot];
        epoch++;
        inChain[slot] = true;
        // The first configuration's members all start empty, which is everything committed.
        synced[slot] = first;
        incarnation[slot] = joiningIncarnation;
        joinedEpoch[slot] = epoch;
        issue();
    }

    private void issue()
    {
        final ChainConfiguration next = new ChainConfiguration(epoch, Arrays.copyOf(chain, chainLength));
        if (configuration != null && !next.followsFrom(configuration))
        {
            throw new IllegalStateException(next + " does not follow " + configuration);
        }
        configuration = next;
        configurationsIssued++;
    }

    private static int result(final byte outcome, final byte reason)
    {
        return (outcome << 8) | (reason & 0xFF);
    }

    private int respond(final MutableDirectBuffer out, final int outOffset, final int result)
    {
        return respond(out, outOffset, (byte)(result >> 8), (byte)result);
    }

    private int respond(final MutableDirectBuffer out, final int outOffset, final byte outcome, final byte reason)
    {
        lastOutcome = outcome;
        lastReason = reason;
        out.putByte(outOffset + RESPONSE_OUTCOME_OFFSET, outcome);
        out.putByte(outOffset + RESPONSE_REASON_OFFSET, reason);
        out.putShort(outOffset + 2, (short)0, ORDER);
        out.putInt(outOffset + 4, 0, ORDER);
        out.putLong(outOffset + RESPONSE_EPOCH_OFFSET, epoch, ORDER);
        return RESPONSE_LENGTH;
    }

    // ------------------------------------------------------------------------------------------ queries

    /** The current configuration, or null before the first member joined. */
    public ChainConfiguration configuration()
    {
        return configuration;
    }

    /** The current configuration's epoch; 0 before the first. */
    public long epoch()
    {
        return epoch;
    }

    /**
     * The latest epoch that removed a member (0 for none). A member that sees it rise waits a lease time before
     * adopting it, so a removed member that is still alive has stopped serving reads by then (see
     * {@link ChainControlPlane}).
     */
    public long removalEpoch()
    {
        return removalEpoch;
    }

    /** Every member that may take part, ascending. */
    public int[] members()
    {
        return memberIds.clone();
    }

    public boolean isKnownMember(final int member)
    {
        return slotOf(member) >= 0;
    }

    public boolean inChain(final int member)
    {
        final int slot = slotOf(member);
        return slot >= 0 && inChain[slot];
    }

    /** The incarnation holding {@code member}'s place in the chain, 0 when it has none. */
    public long incarnation(final int member)
    {
        final int slot = slotOf(member);
        return slot < 0 ? 0 : incarnation[slot];
    }

    /** The epoch at which {@code member}'s current incarnation joined, 0 when not in the chain. */
    public long joinedEpoch(final int member)
    {
        final int slot = slotOf(member);
        return slot < 0 ? 0 : joinedEpoch[slot];
    }

    /** Whether {@code member}'s current incarnation reported holding everything committed. */
    public boolean isSynced(final int member)
    {
        final int slot = slotOf(member);
        return slot >= 0 && synced[slot];
    }

    /** Whether {@code member} is in the chain with exactly {@code replicaIncarnation}. */
    public boolean holdsPlace(final int member, final long replicaIncarnation)
    {
        final int slot = slotOf(member);
        return slot >= 0 && inChain[slot] && incarnation[slot] == replicaIncarnation;
    }

    /** The outcome of the last command applied: {@link #APPLIED}, {@link #IGNORED} or {@link #REFUSED}. */
    public byte lastOutcome()
    {
        return lastOutcome;
    }

    /** The reason of the last command's outcome (a {@code REASON_*} constant, or a negated codec error). */
    public byte lastReason()
    {
        return lastReason;
    }

    /** Configurations issued since this instance was created or restored (not part of the replicated state). */
    public long configurationsIssued()
    {
        return configurationsIssued;
    }

    private int slotOf(final int member)
    {
        final int slot = Arrays.binarySearch(memberIds, member);
        return slot >= 0 ? slot : -1;
    }

    // ------------------------------------------------------------------------------------------ snapshots

    @Override
    public long appliedIndex()
    {
        return appliedIndex;
    }

    @Override
    public long appliedTerm()
    {
        return appliedTerm;
    }

    @Override
    public long snapshotLength()
    {
        return SNAPSHOT_HEADER_LENGTH + (long)memberIds.length * SNAPSHOT_MEMBER_LENGTH + 4L * chainLength;
    }

    private int maxSnapshotLength()
    {
        return SNAPSHOT_HEADER_LENGTH + memberIds.length * (SNAPSHOT_MEMBER_LENGTH + 4);
    }

    @Override
    public void writeSnapshot(final SnapshotSink sink)
    {
        final UnsafeBuffer out = snapshotBuffer;
        out.putInt(0, SNAPSHOT_MAGIC, ORDER);
        out.putInt(4, SNAPSHOT_VERSION, ORDER);
        out.putLong(8, appliedIndex, ORDER);
        out.putLong(16, appliedTerm, ORDER);
        out.putLong(24, epoch, ORDER);
        out.putLong(32, removalEpoch, ORDER);
        out.putInt(40, memberIds.length, ORDER);
        out.putInt(44, chainLength, ORDER);
        int position = SNAPSHOT_HEADER_LENGTH;
        for (int slot = 0; slot < memberIds.length; slot++)
        {
            out.putInt(position, memberIds[slot], ORDER);
            out.putInt(position + 4, (inChain[slot] ? FLAG_IN_CHAIN : 0) | (synced[slot] ? FLAG_SYNCED : 0), ORDER);
            out.putLong(position + 8, incarnation[slot], ORDER);
            out.putLong(position + 16, joinedEpoch[slot], ORDER);
            position += SNAPSHOT_MEMBER_LENGTH;
        }
        for (int i = 0; i < chainLength; i++)
        {
            out.putInt(position, chain[i], ORDER);
            position += 4;
        }
        sink.write(out, 0, position);
    }

    @Override
    public int restoreSnapshot(final DirectBuffer snapshot, final int offset, final int length)
    {
        final int valid = validateSnapshot(snapshot, offset, length);
        if (valid < 0)
        {
            return valid;
        }
        appliedIndex = snapshot.getLong(offset + 8, ORDER);
        appliedTerm = snapshot.getLong(offset + 16, ORDER);
        epoch = snapshot.getLong(offset + 24, ORDER);
        removalEpoch = snapshot.getLong(offset + 32, ORDER);
        chainLength = snapshot.getInt(offset + 44, ORDER);
        int position = offset + SNAPSHOT_HEADER_LENGTH;
        for (int slot = 0; slot < memberIds.length; slot++)
        {
            final int flags = snapshot.getInt(position + 4, ORDER);
            inChain[slot] = (flags & FLAG_IN_CHAIN) != 0;
            synced[slot] = (flags & FLAG_SYNCED) != 0;
            incarnation[slot] = snapshot.getLong(position + 8, ORDER);
            joinedEpoch[slot] = snapshot.getLong(position + 16, ORDER);
            position += SNAPSHOT_MEMBER_LENGTH;
        }
        for (int i = 0; i < chainLength; i++)
        {
            chain[i] = snapshot.getInt(position + 4 * i, ORDER);
        }
        configuration = chainLength == 0 ? null : new ChainConfiguration(epoch, Arrays.copyOf(chain, chainLength));
        return 0;
    }

    private int validateSnapshot(final DirectBuffer snapshot, final int offset, final int length)
    {
        if (length < SNAPSHOT_HEADER_LENGTH || offset < 0 || offset > snapshot.capacity() - length)
        {
            return KvCodecError.TOO_SHORT;
        }
        if (snapshot.getInt(offset, ORDER) != SNAPSHOT_MAGIC)
        {
            return KvCodecError.BAD_MAGIC;
        }
        if (snapshot.getInt(offset + 4, ORDER) != SNAPSHOT_VERSION)
        {
            return KvCodecError.BAD_VERSION;
        }
        final long index = snapshot.getLong(offset + 8, ORDER);
        final long term = snapshot.getLong(offset + 16, ORDER);
        final long snapshotEpoch = snapshot.getLong(offset + 24, ORDER);
        final long snapshotRemovalEpoch = snapshot.getLong(offset + 32, ORDER);
        final int memberCount = snapshot.getInt(offset + 40, ORDER);
        final int snapshotChainLength = snapshot.getInt(offset + 44, ORDER);
        if (index < 0 || term < 0 || snapshotEpoch < 0 || snapshotRemovalEpoch < 0 ||
            snapshotRemovalEpoch > snapshotEpoch || memberCount != memberIds.length ||
            snapshotChainLength < 0 || snapshotChainLength > memberCount ||
            (snapshotEpoch == 0) != (snapshotChainLength == 0))
        {
            return KvCodecError.BAD_NUMBER;
        }
        if (length != SNAPSHOT_HEADER_LENGTH + memberCount * SNAPSHOT_MEMBER_LENGTH + 4 * snapshotChainLength)
        {
            return KvCodecError.BAD_LENGTH;
        }
        final int members = validateMembers(snapshot, offset + SNAPSHOT_HEADER_LENGTH, snapshotEpoch);
        if (members < 0)
        {
            return members;
        }
        if (members != snapshotChainLength)
        {
            return KvCodecError.BAD_NUMBER;
        }
        final int chainValid = validateChain(snapshot, offset + SNAPSHOT_HEADER_LENGTH +
            memberCount * SNAPSHOT_MEMBER_LENGTH, snapshotChainLength);
        if (chainValid < 0)
        {
            return chainValid;
        }
        return index < appliedIndex ? KvCodecError.SNAPSHOT_BEHIND : 0;
    }

    /** @return how many members are in the chain, or a negative error. */
    private int validateMembers(final DirectBuffer snapshot, final int start, final long snapshotEpoch)
    {
        int inChainCount = 0;
        int position = start;
        for (int slot = 0; slot < memberIds.length; slot++)
        {
            if (snapshot.getInt(position, ORDER) != memberIds[slot])
            {
                return KvCodecError.UNSORTED;
            }
            final int flags = snapshot.getInt(position + 4, ORDER);
            final long memberIncarnation = snapshot.getLong(position + 8, ORDER);
            final long memberJoinedEpoch = snapshot.getLong(position + 16, ORDER);
            final boolean member = (flags & FLAG_IN_CHAIN) != 0;
            if ((flags & ~(FLAG_IN_CHAIN | FLAG_SYNCED)) != 0 || (!member && flags != 0))
            {
                return KvCodecError.NONZERO_RESERVED;
            }
            if (member ? memberIncarnation == 0 || memberJoinedEpoch < 1 || memberJoinedEpoch > snapshotEpoch :
                memberIncarnation != 0 || memberJoinedEpoch != 0)
            {
                return KvCodecError.BAD_NUMBER;
            }
            inChainCount += member ? 1 : 0;
            position += SNAPSHOT_MEMBER_LENGTH;
        }
        return inChainCount;
    }

    private int validateChain(final DirectBuffer snapshot, final int start, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            final int id = snapshot.getInt(start + 4 * i, ORDER);
            final int slot = slotOf(id);
            if (slot < 0)
            {
                return KvCodecError.BAD_NUMBER;
            }
            final int flags = snapshot.getInt(start - memberIds.length * SNAPSHOT_MEMBER_LENGTH +
                slot * SNAPSHOT_MEMBER_LENGTH + 4, ORDER);
            if ((flags & FLAG_IN_CHAIN) == 0)
            {
                return KvCodecError.BAD_NUMBER;
            }
            for (int j = 0; j < i; j++)
            {
                if (snapshot.getInt(start + 4 * j, ORDER) == id)
                {
                    return KvCodecError.UNSORTED;
                }
            }
        }
        return 0;
    }

    @Override
    public String toString()
    {
        return "ChainControlStateMachine{applied=" + appliedIndex + " " +
            (configuration == null ? "no chain" : configuration.toString()) + " removalEpoch=" + removalEpoch + '}';
    }
}
