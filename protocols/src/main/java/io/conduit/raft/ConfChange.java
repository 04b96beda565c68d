package io.conduit.raft;

/**
 * One membership change (Raft thesis §4.1: one server at a time, so any majority of the old configuration overlaps
 * any majority of the new one and joint consensus is not needed). Proposed with
 * {@link RaftNode#proposeConfChange(ConfChange)}, carried in the log as a {@link EntryKind#CONF_CHANGE} entry whose
 * payload is {@link #encode()}, and in effect on every node from the moment the entry is in its log, committed or
 * not.
 * <p>
 * Payload layout (6 bytes, little-endian): {@code [format = 1][type code][node id, int32]}.
 *
 * @param type   what changes.
 * @param nodeId the server it changes, positive.
 */
public record ConfChange(Type type, int nodeId)
{
    /** Length of {@link #encode()}'s result. */
    public static final int ENCODED_LENGTH = 6;
    private static final byte FORMAT = 1;

    /** What a change does; the codes are stable (they are in logs on disk). */
    public enum Type
    {
        /** A new server joins as a voter at once (prefer a learner first: thesis §4.2.1). */
        ADD_VOTER(0),
        /** A voter leaves; a leader removing itself keeps leading until the change commits, then steps down. */
        REMOVE_VOTER(1),
        /** A new server joins as a learner: it receives the log but neither votes nor counts in any majority. */
        ADD_LEARNER(2),
        /** A learner becomes a voter, refused until it is caught up ({@link RaftConfig#maxPromotionLagEntries()}). */
        PROMOTE_LEARNER(3),
        /** A learner leaves. */
        REMOVE_LEARNER(4);

        private final int code;

        Type(final int code)
        {
            this.code = code;
        }

        public int code()
        {
            return code;
        }

        static Type fromCode(final int code)
        {
            for (final Type type : values())
            {
                if (type.code == code)
                {
                    return type;
                }
            }
            throw new IllegalArgumentException("no conf change type has code " + code);
        }
    }

    /** Why {@link RaftNode#proposeConfChange(ConfChange)} was refused; see {@link RaftNode#confChangeRefusal()}. */
    public enum Refusal
    {
        /** Not the leader: the result names the leader known, if any. */
        NOT_LEADER,
        /** A leadership transfer is under way: the result names its target. */
        LEADER_TRANSFER,
        /** Thesis §4.1: one change at a time; an earlier one is not yet committed. */
        CHANGE_PENDING,
        /**
         * The leader has not yet committed an entry of its term: a change appended now could be committed alongside
         * a conflicting one of an earlier leader (the single-server change bug Ongaro described on raft-dev, 2015).
         */
        NO_COMMIT_IN_TERM,
        /** The change does not apply to the configuration (e.g. adding a member, removing the last voter). */
        NOT_APPLICABLE,
        /** Thesis §4.2.1: the learner is further behind the leader's last index than the configured lag. */
        LEARNER_LAGGING
    }

    public ConfChange
    {
        if (type == null || nodeId <= 0)
        {
            throw new IllegalArgumentException("a conf change needs a type and a positive node id: " + type + " " +
                nodeId);
        }
    }

    public static ConfChange addVoter(final int nodeId)
    {
        return new ConfChange(Type.ADD_VOTER, nodeId);
    }

    public static ConfChange removeVoter(final int nodeId)
    {
        return new ConfChange(Type.REMOVE_VOTER, nodeId);
    }

    public static ConfChange addLearner(final int nodeId)
    {
        return new ConfChange(Type.ADD_LEARNER, nodeId);
    }

    public static ConfChange promoteLearner(final int nodeId)
    {
        return new ConfChange(Type.PROMOTE_LEARNER, nodeId);
    }

    public static ConfChange removeLearner(final int nodeId)
    {
        return new ConfChange(Type.REMOVE_LEARNER, nodeId);
    }

    /** The payload of the change's log entry. */
    public byte[] encode()
    {
        return new byte[]{FORMAT, (byte)type.code, (byte)nodeId, (byte)(nodeId >>> 8), (byte)(nodeId >>> 16),
            (byte)(nodeId >>> 24)};
    }

    /**
     * @param payload a {@link EntryKind#CONF_CHANGE} entry's payload.
     * @return the change it encodes.
     * @throws IllegalArgumentException if the payload is not one {@link #encode()} produced.
     */
    public static ConfChange decode(final byte[] payload)
    {
        if (payload.length != ENCODED_LENGTH || payload[0] != FORMAT)
        {
            throw new IllegalArgumentException("not a conf change payload: " + payload.length + " bytes, format " +
                (payload.length > 0 ? payload[0] : -1));
        }
        final int nodeId = (payload[2] & 0xFF) | (payload[3] & 0xFF) << 8 | (payload[4] & 0xFF) << 16 |
            (payload[5] & 0xFF) << 24;
        return new ConfChange(Type.fromCode(payload[1]), nodeId);
    }
}
