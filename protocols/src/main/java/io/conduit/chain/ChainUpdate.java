package io.conduit.chain;

import java.util.Arrays;
import java.util.Objects;

/**
 * One sequenced write as it travels down the chain: its global sequence number (the state machine's index), the
 * epoch of the head that sequenced it (the state machine's term) and the stamped command
 * ({@link io.conduit.kv.KvCommandFlyweight} bytes). Sequence numbers never restart: a new head continues after the
 * last one it received, so indexes increase and terms never decrease along every member's applied sequence.
 *
 * @param sequence from 1, contiguous along the chain.
 * @param term     the sequencing head's epoch; at least 1.
 * @param command  the command bytes; not copied, treat as immutable.
 */
public record ChainUpdate(long sequence, long term, byte[] command)
{
    public ChainUpdate
    {
        Objects.requireNonNull(command, "command");
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof ChainUpdate that && sequence == that.sequence && term == that.term &&
            Arrays.equals(command, that.command);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(sequence, term) * 31 + Arrays.hashCode(command);
    }

    @Override
    public String toString()
    {
        return "update " + sequence + "@" + term + " (" + command.length + " bytes)";
    }
}
