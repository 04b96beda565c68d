package io.conduit.linearizability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Wing &amp; Gong's search over one partition's sub-history, with Lowe's memoization, as in Porcupine's
 * {@code checkSingle} (Athalye; Lowe 2017, "Testing for linearizability").
 * <p>
 * Calls and returns are events in one doubly linked list sorted by time. The search walks from the head: a call
 * is a candidate to take effect next; if the model accepts it and the (linearized set, state) pair is new, the call
 * and its return are lifted out of the list and the walk restarts at the head. Reaching a return means that
 * operation had to take effect already and none of the candidates before it works, so the search backtracks: it
 * unlifts the last linearized operation (dancing links: the lifted nodes keep their own pointers) and tries the
 * next candidate after it. Once every completed operation is linearized the rest are open and may never have
 * taken effect, so a linearization exists; backtracking past the first operation means none does.
 * <p>
 * Open operations (no answer, returning at infinity) are what makes searches explode, so two refinements keep them
 * in check. At each point the completed candidates are tried before the open ones, and the memo is by dominance:
 * a configuration with the same completed operations and state as one seen before, plus extra open operations, is
 * pruned, because leaving an open operation out can only keep more options (it may still take effect later, or
 * never). Trying completed operations first makes the configurations without open operations the ones seen first,
 * and an operation right after an open one is not tried if it leads to the same state without it (an overwrite).
 *
 * @param <S> the model's state.
 */
final class PartitionSearch<S>
{
    private static final int NONE = -1;

    private final Model<S> model;
    private final String partitionKey;
    private final List<HistoryEntry> operations;
    private final SearchBudget budget;

    // The event list: events 0..2n-1 and a head sentinel at 2n. Each event knows its operation and, for a call,
    // its return (match); returns have match NONE.
    private final int head;
    private final int[] next;
    private final int[] prev;
    private final int[] operationOf;
    private final int[] match;

    // The linearized set, split: completed operations by operation index, open ones by their index among the opens.
    private final boolean[] open;
    private final int[] openIndex;
    private final long[] linearizedCompleted;
    private final long[] linearizedOpen;
    private final long[] operationHash;
    private long completedHash;
    private int completedRemaining;
    private final Map<Memo, List<long[]>> seen = new HashMap<>();

    private final int[] stackCall;
    private final Object[] stackState;
    private final boolean[] stackOpenPass;
    private int depth;

    private int longestDepth = -1;
    private int[] longestPrefix = new int[0];
    private List<Integer> longestStuck = List.of();
    private Object longestState;

    /**
     * @param model        the specification.
     * @param partitionKey the partition's name, for explanations.
     * @param operations   the partition's operations; open ones return at infinity.
     * @param budget       shared by all partitions of one check.
     */
    PartitionSearch(
        final Model<S> model, final String partitionKey, final List<HistoryEntry> operations, final SearchBudget budget)
    {
        this.model = model;
        this.partitionKey = partitionKey;
        this.operations = operations;
        this.budget = budget;
        final int n = operations.size();
        head = 2 * n;
        next = new int[2 * n + 1];
        prev = new int[2 * n + 1];
        operationOf = new int[2 * n];
        match = new int[2 * n];
        open = new boolean[n];
        openIndex = new int[n];
        int openCount = 0;
        for (int op = 0; op < n; op++)
        {
            open[op] = operations.get(op).isOpen();
            openIndex[op] = open[op] ? openCount++ : NONE;
        }
        completedRemaining = n - openCount;
        linearizedCompleted = new long[(n + 63) >>> 6];
        linearizedOpen = new long[(openCount + 63) >>> 6];
        operationHash = new long[n];
        stackCall = new int[n];
        stackState = new Object[n];
        stackOpenPass = new boolean[n];
        buildEventList();
    }

    /**
     * @return the verdict for this partition; a LINEARIZABLE result is only a marker, the checker builds the final
     * one.
     */
    CheckResult run()
    {
        S state = model.initialState();
        int event = next[head];
        boolean openPass = false;
        while (completedRemaining > 0)
        {
            if (!budget.step())
            {
                return CheckResult.unknown(partitionKey, budget.steps(), budget.exhaustedReason());
            }
            if (match[event] != NONE)
            {
                final S after = open[operationOf[event]] == openPass ? tryLinearize(event, state, openPass) : null;
                if (after != null)
                {
                    state = after;
                    event = next[head];
                    openPass = false;
                }
                else
                {
                    event = next[event];
                }
            }
            else if (!openPass)
            {
                openPass = true;
                event = next[head];
            }
            else
            {
                rememberIfLongest(event, state);
                if (depth == 0)
                {
                    return notLinearizable();
                }
                depth--;
                final int call = stackCall[depth];
                @SuppressWarnings("unchecked") final S before = (S)stackState[depth];
                state = before;
                stackState[depth] = null;
                openPass = stackOpenPass[depth];
                flip(operationOf[call]);
                unlift(call);
                event = next[call];
            }
        }
        return CheckResult.linearizable(operations.size(), 1, budget.steps());
    }

    // Applies the call's operation; if legal and the configuration is not dominated by one explored before, commits
    // to it and returns the new state; otherwise leaves everything as it was and returns null.
    private S tryLinearize(final int call, final S state, final boolean openPass)
    {
        final int op = operationOf[call];
        final HistoryEntry entry = operations.get(op);
        final S after = model.step(state, entry.operation(), entry.result());
        if (after == null || isCoveredWithoutLastOpen(entry, after))
        {
            return null;
        }
        flip(op);
        if (!remember(after))
        {
            flip(op);
            return null;
        }
        stackCall[depth] = call;
        stackState[depth] = state;
        stackOpenPass[depth] = openPass;
        depth++;
        lift(call);
        return after;
    }

    // If the last operation linearized is open and this one leads to the same state without it, e.g. a write that
    // overwrites the open write's value, the sibling branch that skips the open operation reaches this configuration
    // minus that open operation, which dominates it. Without this, every open write would be tried at every point
    // of the history in combination with every other.
    private boolean isCoveredWithoutLastOpen(final HistoryEntry entry, final S after)
    {
        if (depth == 0 || !open[operationOf[stackCall[depth - 1]]])
        {
            return false;
        }
        @SuppressWarnings("unchecked") final S beforeOpen = (S)stackState[depth - 1];
        return after.equals(model.step(beforeOpen, entry.operation(), entry.result()));
    }

    // Records the current configuration unless one with the same completed set and state and a subset of its open
    // operations was seen: that one has at least the same options, and was or is being explored (Lowe's memo is the
    // special case without open operations).
    private boolean remember(final S state)
    {
        final List<long[]> openSets = seen.get(new Memo(linearizedCompleted, completedHash, state));
        if (openSets == null)
        {
            final List<long[]> fresh = new ArrayList<>(1);
            fresh.add(linearizedOpen.clone());
            seen.put(new Memo(linearizedCompleted.clone(), completedHash, state), fresh);
            return true;
        }
        for (final long[] openSet : openSets)
        {
            if (isSubset(openSet, linearizedOpen))
            {
                return false;
            }
        }
        openSets.add(linearizedOpen.clone());
        return true;
    }

    private static boolean isSubset(final long[] subset, final long[] set)
    {
        for (int i = 0; i < subset.length; i++)
        {
            if ((subset[i] & ~set[i]) != 0)
            {
                return false;
            }
        }
        return true;
    }

    private void flip(final int op)
    {
        if (open[op])
        {
            linearizedOpen[openIndex[op] >>> 6] ^= 1L << openIndex[op];
        }
        else
        {
            linearizedCompleted[op >>> 6] ^= 1L << op;
            completedHash ^= operationHash[op];
            completedRemaining += (linearizedCompleted[op >>> 6] & (1L << op)) != 0 ? -1 : 1;
        }
    }

    private void lift(final int call)
    {
        next[prev[call]] = next[call];
        prev[next[call]] = prev[call];
        final int ret = match[call];
        next[prev[ret]] = next[ret];
        if (next[ret] != NONE)
        {
            prev[next[ret]] = prev[ret];
        }
    }

    private void unlift(final int call)
    {
        final int ret = match[call];
        next[prev[ret]] = ret;
        if (next[ret] != NONE)
        {
            prev[next[ret]] = ret;
        }
        next[prev[call]] = call;
        prev[next[call]] = call;
    }

    // Porcupine keeps the longest linearizations for its visualisation; here the deepest point also names the
    // operations involved: the return that came due and the calls that could have gone before it.
    private void rememberIfLongest(final int dueReturn, final S state)
    {
        if (depth <= longestDepth)
        {
            return;
        }
        longestDepth = depth;
        longestPrefix = new int[depth];
        for (int i = 0; i < depth; i++)
        {
            longestPrefix[i] = operationOf[stackCall[i]];
        }
        final List<Integer> stuck = new ArrayList<>();
        stuck.add(operationOf[dueReturn]);
        for (int event = next[head]; event != dueReturn; event = next[event])
        {
            if (operationOf[event] != operationOf[dueReturn])
            {
                stuck.add(operationOf[event]);
            }
        }
        longestStuck = stuck;
        longestState = state;
    }

    private CheckResult notLinearizable()
    {
        final List<HistoryEntry> prefix = new ArrayList<>(longestPrefix.length);
        for (final int op : longestPrefix)
        {
            prefix.add(operations.get(op));
        }
        final List<HistoryEntry> involved = new ArrayList<>(longestStuck.size());
        for (final int op : longestStuck)
        {
            involved.add(operations.get(op));
        }
        return new CheckResult(CheckResult.Verdict.NOT_LINEARIZABLE, partitionKey, prefix, involved, budget.steps(),
            Explanations.notLinearizable(partitionKey, operations.size(), prefix, longestState, involved));
    }

    private void buildEventList()
    {
        final int n = operations.size();
        final Integer[] events = new Integer[2 * n];
        for (int op = 0; op < n; op++)
        {
            events[2 * op] = 2 * op;
            events[2 * op + 1] = 2 * op + 1;
            operationHash[op] = mix(op + 1);
        }
        // Sorted by time; at equal times calls come before returns, so operations that touch are concurrent and a
        // coarse clock cannot produce a false violation (Porcupine's byTime).
        Arrays.sort(events, Comparator.<Integer>comparingLong(this::eventTimeNs)
            .thenComparingInt((event) -> event & 1)
            .thenComparingInt((event) -> event));
        final int[] callPosition = new int[n];
        int previous = head;
        for (int i = 0; i < 2 * n; i++)
        {
            final int raw = events[i];
            final int op = raw >>> 1;
            operationOf[i] = op;
            match[i] = NONE;
            if ((raw & 1) == 0)
            {
                callPosition[op] = i;
            }
            else
            {
                match[callPosition[op]] = i;
            }
            next[previous] = i;
            prev[i] = previous;
            previous = i;
        }
        next[previous] = NONE;
    }

    // Events are numbered 2*op for the call and 2*op + 1 for the return before sorting.
    private long eventTimeNs(final int rawEvent)
    {
        final HistoryEntry entry = operations.get(rawEvent >>> 1);
        return (rawEvent & 1) == 0 ? entry.invokeNs() : entry.returnNs();
    }

    // SplitMix64's finaliser: independent-looking bits per operation, so XOR of a set is a good hash of the set.
    private static long mix(final long x)
    {
        long z = x * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A memo key: which completed operations are linearized and the state they lead to (Lowe 2017). */
    private static final class Memo
    {
        private final long[] linearized;
        private final long linearizedHash;
        private final Object state;
        private final int hash;

        Memo(final long[] linearized, final long linearizedHash, final Object state)
        {
            this.linearized = linearized;
            this.linearizedHash = linearizedHash;
            this.state = state;
            this.hash = Long.hashCode(linearizedHash) * 31 + state.hashCode();
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Memo memo && hash == memo.hash && linearizedHash == memo.linearizedHash &&
                Arrays.equals(linearized, memo.linearized) && state.equals(memo.state);
        }

        @Override
        public int hashCode()
        {
            return hash;
        }
    }
}
