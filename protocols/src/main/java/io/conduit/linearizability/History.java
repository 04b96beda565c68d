package io.conduit.linearizability;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A concurrent history of client operations for the {@link LinearizabilityChecker}: each operation's invocation and
 * response with timestamps from one clock (virtual time in simulations, {@code System.nanoTime} at a real process's
 * edge). Record the invocation before sending the request and the response after it arrives, so the interval
 * covers the moment the operation took effect.
 * <p>
 * An operation that never completes (the client timed out or crashed) is simply never completed: it stays open and
 * the checker lets it take effect at any point after its invocation, or not at all.
 * <p>
 * Thread-safe: the methods synchronize, so clients on several threads of a real-process test can share one history.
 */
public final class History
{
    private final List<HistoryEntry> entries = new ArrayList<>();

    /**
     * Records an invocation.
     *
     * @param clientId  the invoking client, for explanations.
     * @param operation what was asked.
     * @param timeNs    when, before the request left.
     * @return the operation's id, for {@link #complete(int, Result, long)}.
     */
    public synchronized int invoke(final int clientId, final Operation operation, final long timeNs)
    {
        Objects.requireNonNull(operation, "operation");
        if (timeNs == HistoryEntry.OPEN)
        {
            throw new IllegalArgumentException("invoke time Long.MAX_VALUE is reserved for open operations");
        }
        final int id = entries.size();
        entries.add(new HistoryEntry(id, clientId, operation, timeNs, null, HistoryEntry.OPEN));
        return id;
    }

    /**
     * Records a response. Leave an operation without an answer uncompleted rather than inventing one.
     *
     * @param opId   the id {@link #invoke(int, Operation, long)} returned.
     * @param result what the service answered.
     * @param timeNs when the answer arrived; not before the invocation.
     */
    public synchronized void complete(final int opId, final Result result, final long timeNs)
    {
        Objects.requireNonNull(result, "result: leave an operation with an unknown outcome open instead");
        if (opId < 0 || opId >= entries.size())
        {
            throw new IllegalArgumentException("no operation with id " + opId + " in a history of " + entries.size());
        }
        final HistoryEntry open = entries.get(opId);
        if (!open.isOpen())
        {
            throw new IllegalStateException("operation already completed: " + open);
        }
        if (timeNs < open.invokeNs())
        {
            throw new IllegalArgumentException("return time " + timeNs + " is before the invocation of " + open);
        }
        if (timeNs == HistoryEntry.OPEN)
        {
            throw new IllegalArgumentException("return time Long.MAX_VALUE is reserved for open operations");
        }
        entries.set(opId, new HistoryEntry(opId, open.clientId(), open.operation(), open.invokeNs(), result, timeNs));
    }

    /**
     * Records a completed operation in one call, for hand-written histories.
     *
     * @param clientId  the invoking client.
     * @param operation what was asked.
     * @param invokeNs  when it was invoked.
     * @param result    what the service answered.
     * @param returnNs  when the answer arrived.
     * @return the operation's id.
     */
    public synchronized int record(
        final int clientId, final Operation operation, final long invokeNs, final Result result, final long returnNs)
    {
        final int id = invoke(clientId, operation, invokeNs);
        complete(id, result, returnNs);
        return id;
    }

    /**
     * @return the number of operations recorded, open or completed.
     */
    public synchronized int size()
    {
        return entries.size();
    }

    /**
     * @return a snapshot of the operations in id order.
     */
    public synchronized List<HistoryEntry> entries()
    {
        return List.copyOf(entries);
    }
}
