package io.conduit.linearizability;

import java.util.List;

/** Builds the one-paragraph explanation of a violation: short enough to read in a test failure. */
final class Explanations
{
    /** How many operations of the longest linearizable prefix are shown: the ones just before the failure. */
    static final int PREFIX_TAIL_SHOWN = 8;

    private Explanations()
    {
    }

    static String notLinearizable(
        final String partitionKey,
        final int operationCount,
        final List<HistoryEntry> prefix,
        final Object stateAfterPrefix,
        final List<HistoryEntry> involved)
    {
        final StringBuilder text = new StringBuilder(512)
            .append("not linearizable: key ").append(partitionKey).append(" (").append(operationCount)
            .append(" operations); the longest linearizable prefix has ").append(prefix.size()).append(" operations");
        if (!prefix.isEmpty())
        {
            final int from = Math.max(0, prefix.size() - PREFIX_TAIL_SHOWN);
            text.append(from > 0 ? ", ending:" : ":");
            for (int i = from; i < prefix.size(); i++)
            {
                text.append("\n  ").append(prefix.get(i));
            }
        }
        text.append("\nleaving state ").append(stateAfterPrefix).append("; then ").append(involved.get(0))
            .append(" had returned but could not take effect");
        if (involved.size() > 1)
        {
            text.append(", nor could any of the other operations pending at that point:");
            for (int i = 1; i < involved.size(); i++)
            {
                text.append("\n  ").append(involved.get(i));
            }
        }
        return text.toString();
    }
}
