package io.conduit.linearizability;

import org.junit.jupiter.api.Test;

import static io.conduit.linearizability.KvOperation.get;
import static io.conduit.linearizability.KvOperation.put;
import static io.conduit.linearizability.KvResult.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryTest
{
    private final History history = new History();

    @Test
    void invokeReturnsSequentialIdsAndLeavesTheOperationOpen()
    {
        assertEquals(0, history.invoke(3, put("x", "1"), 100));
        assertEquals(1, history.invoke(4, get("x"), 110));

        final HistoryEntry open = history.entries().get(0);
        assertTrue(open.isOpen());
        assertNull(open.result());
        assertEquals(HistoryEntry.OPEN, open.returnNs());
        assertEquals(3, open.clientId());
        assertEquals(2, history.size());
    }

    @Test
    void completeRecordsResultAndTime()
    {
        final int id = history.invoke(3, put("x", "1"), 100);

        history.complete(id, OK, 150);

        final HistoryEntry done = history.entries().get(id);
        assertFalse(done.isOpen());
        assertEquals(OK, done.result());
        assertEquals(150, done.returnNs());
        assertEquals("#0 client 3 PUT(x, 1) -> OK [100, 150]", done.toString());
    }

    @Test
    void entriesIsASnapshot()
    {
        final int id = history.invoke(0, put("x", "1"), 100);
        final var before = history.entries();

        history.complete(id, OK, 150);

        assertTrue(before.get(id).isOpen());
    }

    @Test
    void completingTwiceIsRejected()
    {
        final int id = history.record(0, put("x", "1"), 0, OK, 10);

        assertThrows(IllegalStateException.class, () -> history.complete(id, OK, 20));
    }

    @Test
    void returnBeforeInvocationIsRejected()
    {
        final int id = history.invoke(0, put("x", "1"), 100);

        final IllegalArgumentException thrown =
            assertThrows(IllegalArgumentException.class, () -> history.complete(id, OK, 99));
        assertTrue(thrown.getMessage().contains("before the invocation"), thrown.getMessage());
    }

    @Test
    void unknownIdAndMissingResultAreRejected()
    {
        assertThrows(IllegalArgumentException.class, () -> history.complete(0, OK, 10));
        final int id = history.invoke(0, put("x", "1"), 0);
        assertThrows(NullPointerException.class, () -> history.complete(id, null, 10));
    }
}
