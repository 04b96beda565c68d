package io.conduit.linearizability;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The definition, executed literally as an oracle for small histories: try every order of the operations that
 * respects real time (an operation that returned strictly before another was invoked goes first), with open
 * operations placed anywhere after their invocation or left out, over the whole store at once (no partitioning).
 */
final class BruteForceLinearizability
{
    private BruteForceLinearizability()
    {
    }

    static <S> boolean isLinearizable(final List<HistoryEntry> entries, final Model<S> model)
    {
        if (entries.size() > 16)
        {
            throw new IllegalArgumentException("brute force is for at most 16 operations, not " + entries.size());
        }
        return search(entries, model, 0, new HashMap<>());
    }

    private static <S> boolean search(
        final List<HistoryEntry> entries, final Model<S> model, final int done, final Map<String, S> states)
    {
        if (allCompletedDone(entries, done))
        {
            return true;
        }
        for (int i = 0; i < entries.size(); i++)
        {
            if ((done & (1 << i)) != 0 || !mayGoNext(entries, done, i))
            {
                continue;
            }
            final HistoryEntry entry = entries.get(i);
            final String key = model.partitionKey(entry.operation());
            final S after = model.step(states.getOrDefault(key, model.initialState()), entry.operation(),
                entry.result());
            if (after != null)
            {
                final Map<String, S> next = new HashMap<>(states);
                next.put(key, after);
                if (search(entries, model, done | (1 << i), next))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean allCompletedDone(final List<HistoryEntry> entries, final int done)
    {
        for (int i = 0; i < entries.size(); i++)
        {
            if ((done & (1 << i)) == 0 && !entries.get(i).isOpen())
            {
                return false;
            }
        }
        return true;
    }

    private static boolean mayGoNext(final List<HistoryEntry> entries, final int done, final int candidate)
    {
        final long invokeNs = entries.get(candidate).invokeNs();
        for (int j = 0; j < entries.size(); j++)
        {
            if ((done & (1 << j)) == 0 && j != candidate && entries.get(j).returnNs() < invokeNs)
            {
                return false;
            }
        }
        return true;
    }
}
