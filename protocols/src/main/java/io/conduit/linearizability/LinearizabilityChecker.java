package io.conduit.linearizability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Decides whether a {@link History} is linearizable with respect to a {@link Model} (Herlihy &amp; Wing 1990): whether
 * every operation can be given one point between its invocation and its response such that the operations, in the
 * order of those points, are a legal sequential run of the model. Open operations may take effect at any point after
 * their invocation, or never.
 * <p>
 * The history is split by {@link Model#partitionKey(Operation)} and each partition searched on its own
 * (P-compositionality, Horn &amp; Kroening 2015): the search is exponential in the worst case, and small partitions
 * keep it fast. Each search is Wing &amp; Gong's with Lowe's memoization, as in Porcupine. Partitions are checked in
 * order of their first operation; the first violation ends the check.
 * <p>
 * Stateless and pure: a time limit reads a clock the caller passes, e.g. {@code System::nanoTime}.
 */
public final class LinearizabilityChecker
{
    /** Steps allowed by {@link #check(History, Model)}: far more than typical histories need, yet finite in CI. */
    public static final long DEFAULT_STEP_BUDGET = 200_000_000L;

    private LinearizabilityChecker()
    {
    }

    /**
     * Checks with {@link #DEFAULT_STEP_BUDGET}.
     *
     * @param history the history.
     * @param model   the specification.
     * @param <S>     the model's state.
     * @return LINEARIZABLE, NOT_LINEARIZABLE with an explanation, or UNKNOWN if the budget ran out.
     */
    public static <S> CheckResult check(final History history, final Model<S> model)
    {
        return check(history, model, DEFAULT_STEP_BUDGET);
    }

    /**
     * Checks within a number of search steps, so the answer does not depend on machine speed.
     *
     * @param history    the history.
     * @param model      the specification.
     * @param stepBudget the most search steps over all partitions; positive.
     * @param <S>        the model's state.
     * @return LINEARIZABLE, NOT_LINEARIZABLE with an explanation, or UNKNOWN if the budget ran out.
     */
    public static <S> CheckResult check(final History history, final Model<S> model, final long stepBudget)
    {
        return check(history, model, new SearchBudget(stepBudget, null, 0));
    }

    /**
     * Checks within a time limit (and {@link #DEFAULT_STEP_BUDGET}).
     *
     * @param history   the history.
     * @param model     the specification.
     * @param timeoutNs how long the search may take; positive.
     * @param nanoClock the clock to measure it with, e.g. {@code System::nanoTime}.
     * @param <S>       the model's state.
     * @return LINEARIZABLE, NOT_LINEARIZABLE with an explanation, or UNKNOWN on timeout.
     */
    public static <S> CheckResult check(
        final History history, final Model<S> model, final long timeoutNs, final LongSupplier nanoClock)
    {
        Objects.requireNonNull(nanoClock, "nanoClock");
        return check(history, model, new SearchBudget(DEFAULT_STEP_BUDGET, nanoClock, timeoutNs));
    }

    private static <S> CheckResult check(final History history, final Model<S> model, final SearchBudget budget)
    {
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(model, "model");
        final Map<String, List<HistoryEntry>> partitions = partition(history.entries(), model);
        int operationCount = 0;
        for (final Map.Entry<String, List<HistoryEntry>> partition : partitions.entrySet())
        {
            final CheckResult result =
                new PartitionSearch<>(model, partition.getKey(), partition.getValue(), budget).run();
            if (!result.isLinearizable())
            {
                return result;
            }
            operationCount += partition.getValue().size();
        }
        return CheckResult.linearizable(operationCount, partitions.size(), budget.steps());
    }

    // Open read-only operations are left out: they can always take effect last, answering anything.
    private static <S> Map<String, List<HistoryEntry>> partition(
        final List<HistoryEntry> entries, final Model<S> model)
    {
        final Map<String, List<HistoryEntry>> partitions = new LinkedHashMap<>();
        for (final HistoryEntry entry : entries)
        {
            final String key = model.partitionKey(entry.operation());
            if (entry.isOpen() && model.isReadOnly(entry.operation()))
            {
                continue;
            }
            partitions.computeIfAbsent(key, (ignored) -> new ArrayList<>()).add(entry);
        }
        return partitions;
    }
}
