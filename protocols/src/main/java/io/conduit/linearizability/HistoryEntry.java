package io.conduit.linearizability;

/**
 * One operation of a {@link History}: who invoked what when, and what came back when, if anything did.
 *
 * @param id        the operation's id, its index in the history.
 * @param clientId  the client that invoked it.
 * @param operation what was asked.
 * @param invokeNs  when the client invoked it, on the recorder's clock.
 * @param result    what the service answered, or {@code null} while the operation is open (no answer, outcome
 *                  unknown).
 * @param returnNs  when the answer arrived, or {@link #OPEN} while the operation is open.
 */
public record HistoryEntry(int id, int clientId, Operation operation, long invokeNs, Result result, long returnNs)
{
    /**
     * The return time of an open operation: it may take effect at any point after its invocation, as if it returned
     * at infinity (Porcupine).
     */
    public static final long OPEN = Long.MAX_VALUE;

    /**
     * @return true if no answer was recorded: the operation may or may not have taken effect.
     */
    public boolean isOpen()
    {
        return result == null;
    }

    @Override
    public String toString()
    {
        return "#" + id + " client " + clientId + " " + operation + " -> " + (isOpen() ? "?" : result) +
            " [" + invokeNs + ", " + (isOpen() ? "open" : Long.toString(returnNs)) + "]";
    }
}
