package io.conduit.linearizability;

import java.util.List;
import java.util.Objects;

/**
 * What the {@link LinearizabilityChecker} found.
 *
 * @param verdict                   the answer.
 * @param partitionKey              the partition (key) that is not linearizable or whose search ran out of budget;
 *                                  {@code null} when linearizable.
 * @param longestLinearizablePrefix when not linearizable: the longest sequence of the partition's operations that
 *                                  the search could linearize, in linearization order; empty otherwise.
 * @param involved                  when not linearizable: the operation that returned before it could take effect
 *                                  (first) and the operations that could have gone next after that prefix, none of
 *                                  which leads to a linearization; empty otherwise.
 * @param searchSteps               how many steps the search took over all partitions checked.
 * @param explanation               one paragraph for a person: the verdict, the key, the operations involved.
 */
public record CheckResult(
    Verdict verdict,
    String partitionKey,
    List<HistoryEntry> longestLinearizablePrefix,
    List<HistoryEntry> involved,
    long searchSteps,
    String explanation)
{
    /** The checker's answer. */
    public enum Verdict
    {
        /** Some order of the operations respects real time and the model. */
        LINEARIZABLE,
        /** No order does: the history shows a consistency bug (or a recording bug). */
        NOT_LINEARIZABLE,
        /** The search ran out of steps or time before it could tell. */
        UNKNOWN
    }

    public CheckResult
    {
        Objects.requireNonNull(verdict, "verdict");
        longestLinearizablePrefix = List.copyOf(longestLinearizablePrefix);
        involved = List.copyOf(involved);
        Objects.requireNonNull(explanation, "explanation");
    }

    static CheckResult linearizable(final int operationCount, final int partitionCount, final long searchSteps)
    {
        return new CheckResult(Verdict.LINEARIZABLE, null, List.of(), List.of(), searchSteps,
            "linearizable: " + operationCount + " operations on " + partitionCount + " keys, " + searchSteps +
            " search steps");
    }

    static CheckResult unknown(final String partitionKey, final long searchSteps, final String reason)
    {
        return new CheckResult(Verdict.UNKNOWN, partitionKey, List.of(), List.of(), searchSteps,
            "unknown: " + reason + " while checking key " + partitionKey + " after " + searchSteps + " search steps");
    }

    /**
     * @return true if the verdict is {@link Verdict#LINEARIZABLE}.
     */
    public boolean isLinearizable()
    {
        return verdict == Verdict.LINEARIZABLE;
    }

    @Override
    public String toString()
    {
        return explanation;
    }
}
