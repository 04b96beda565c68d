package io.conduit.linearizability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Generates histories that are linearizable by construction: every operation gets an interval and a point inside it
 * (invoke ≤ point ≤ return), the operations run against a sequential map in the order of their points, and each
 * records what the map answered. Open operations take effect at their point or not at all, by coin flip. Written
 * values are unique, so a value identifies the one operation that wrote it.
 */
final class SimulatedKvHistories
{
    private record Planned(int clientId, long invokeNs, long pointNs, long returnNs, boolean open, boolean effective)
    {
    }

    private record Executed(Planned planned, KvOperation operation, KvResult result)
    {
    }

    private SimulatedKvHistories()
    {
    }

    /**
     * @param random       the seeded source.
     * @param clients      concurrent clients, each with one operation outstanding at a time.
     * @param opsPerClient operations per client.
     * @param keys         distinct keys.
     * @param openPercent  chance in percent that an operation never completes.
     * @return the history, operations numbered in invocation order.
     */
    static History generate(
        final Random random, final int clients, final int opsPerClient, final int keys, final int openPercent)
    {
        final List<Planned> plan = plan(random, clients, opsPerClient, openPercent);
        plan.sort(Comparator.comparingLong(Planned::pointNs).thenComparingInt(Planned::clientId));
        final List<Executed> executed = execute(random, plan, keys);
        executed.sort(Comparator.comparingLong((Executed e) -> e.planned().invokeNs())
            .thenComparingInt((Executed e) -> e.planned().clientId()));
        final History history = new History();
        for (final Executed e : executed)
        {
            final int id = history.invoke(e.planned().clientId(), e.operation(), e.planned().invokeNs());
            if (!e.planned().open())
            {
                history.complete(id, e.result(), e.planned().returnNs());
            }
        }
        return history;
    }

    // Small gaps and durations against several clients make overlaps, and zero-length gaps make equal timestamps.
    private static List<Planned> plan(
        final Random random, final int clients, final int opsPerClient, final int openPercent)
    {
        final List<Planned> plan = new ArrayList<>(clients * opsPerClient);
        for (int client = 0; client < clients; client++)
        {
            long timeNs = random.nextInt(50);
            for (int i = 0; i < opsPerClient; i++)
            {
                final long invokeNs = timeNs + random.nextInt(20);
                final long pointNs = invokeNs + random.nextInt(40);
                final long returnNs = pointNs + random.nextInt(40);
                final boolean open = random.nextInt(100) < openPercent;
                plan.add(new Planned(client, invokeNs, pointNs, returnNs, open, !open || random.nextBoolean()));
                timeNs = returnNs;
            }
        }
        return plan;
    }

    private static List<Executed> execute(final Random random, final List<Planned> plan, final int keys)
    {
        final Map<String, String> store = new HashMap<>();
        final List<Executed> executed = new ArrayList<>(plan.size());
        int nextValue = 0;
        for (final Planned planned : plan)
        {
            final String key = "k" + random.nextInt(keys);
            final String current = store.get(key);
            final int kind = random.nextInt(100);
            final KvOperation operation;
            if (kind < 35)
            {
                operation = KvOperation.get(key);
            }
            else if (kind < 65)
            {
                operation = KvOperation.put(key, "v" + nextValue++);
            }
            else if (kind < 85)
            {
                final String expected = random.nextInt(100) < 60 ? current : "v" + random.nextInt(nextValue + 1);
                operation = KvOperation.cas(key, expected, "v" + nextValue++);
            }
            else
            {
                operation = KvOperation.delete(key);
            }
            executed.add(new Executed(planned, operation, apply(store, operation, planned.effective())));
        }
        return executed;
    }

    private static KvResult apply(final Map<String, String> store, final KvOperation operation, final boolean effective)
    {
        final String current = store.get(operation.key());
        if (operation instanceof KvOperation.Get)
        {
            return current == null ? KvResult.MISSING : KvResult.value(current);
        }
        if (operation instanceof KvOperation.Cas cas && !Objects.equals(current, cas.expected()))
        {
            return KvResult.FAIL;
        }
        if (effective)
        {
            if (operation instanceof KvOperation.Put put)
            {
                store.put(put.key(), put.value());
            }
            else if (operation instanceof KvOperation.Cas cas)
            {
                store.put(cas.key(), cas.update());
            }
            else
            {
                store.remove(operation.key());
            }
        }
        return KvResult.OK;
    }

    /**
     * @param entries      a history's entries.
     * @param replacements new results by operation id.
     * @return a copy of the history with those results replaced.
     */
    static History withResults(final List<HistoryEntry> entries, final Map<Integer, Result> replacements)
    {
        final History history = new History();
        for (final HistoryEntry entry : entries)
        {
            final int copy = history.invoke(entry.clientId(), entry.operation(), entry.invokeNs());
            if (!entry.isOpen())
            {
                history.complete(copy, replacements.getOrDefault(entry.id(), entry.result()), entry.returnNs());
            }
        }
        return history;
    }
}
