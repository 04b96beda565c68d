package io.conduit.kv;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every line form of the {@code conduit kv} contract, and the one-line errors for bad lines. */
class KvTextProtocolTest
{
    private final KvTextProtocol text = new KvTextProtocol(KvConfig.DEFAULT);

    @Test
    void everyCommandFormParses()
    {
        assertEquals(KvOperation.put("k", "v"), parsed("put k v"));
        assertEquals(KvOperation.get("k"), parsed("get k"));
        assertEquals(KvOperation.cas("k", "old", "new"), parsed("cas k old new"));
        assertEquals(KvOperation.delete("k"), parsed("delete k"));
        assertEquals(KvOperation.lease("leader", "node-1", 5000), parsed("lease leader node-1 5000"));
    }

    @Test
    void whitespaceAroundAndBetweenTokensIsIgnoredAndNonAsciiTokensAreKept()
    {
        assertEquals(KvOperation.put("k", "v"), parsed("  put \t k    v \r"));
        assertEquals(KvOperation.put("ключ", "värde"), parsed("put ключ värde"));
    }

    @Test
    void wrongArgumentCountsNameTheExpectedForm()
    {
        assertEquals("error usage: put KEY VALUE", error("put k"));
        assertEquals("error usage: put KEY VALUE", error("put k v extra"));
        assertEquals("error usage: get KEY", error("get"));
        assertEquals("error usage: cas KEY EXPECTED NEW", error("cas k old"));
        assertEquals("error usage: delete KEY", error("delete"));
        assertTrue(error("lease leader node").startsWith("error usage: lease NAME HOLDER TTL_MS"));
    }

    @Test
    void aBadTtlIsAUsageError()
    {
        for (final String ttl : new String[] {"0", "-5", "ten", "1.5", "3600001", "99999999999999999999"})
        {
            assertTrue(error("lease n h " + ttl).startsWith("error usage: lease NAME HOLDER TTL_MS"), ttl);
        }
    }

    @Test
    void unknownAndEmptyLinesGetTheUsage()
    {
        assertEquals("error " + KvTextProtocol.USAGE, error(""));
        assertEquals("error " + KvTextProtocol.USAGE, error("   "));
        assertEquals("error unknown command 'PUT'; " + KvTextProtocol.USAGE, error("PUT k v"));
    }

    @Test
    void oversizedAndControlCharacterFieldsAreNamed()
    {
        assertEquals("error KEY is 257 bytes, longer than the limit of 256", error("get " + "k".repeat(257)));
        assertEquals("error VALUE is 65537 bytes, longer than the limit of 65536",
            error("put k " + "v".repeat(65_537)));
        assertEquals("error HOLDER contains a control character", error("lease n h\u0001 10"));
    }

    @Test
    void errorLinesStayOnOneLine()
    {
        final String line = error("bogus\u0007command");
        assertFalse(line.contains("\u0007"));
        assertEquals("error a?b", KvTextProtocol.errorLine("a\nb"));
    }

    @Test
    void parsedLinesEncodeToValidRequests()
    {
        for (final String line : new String[] {"put k v", "get k", "cas k a b", "delete k", "lease n h 1"})
        {
            final KvOperation operation = parsed(line);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[operation.encodedLength()]);
            final int length = KvRequestFlyweight.encode(buffer, 0, 1, 1, Consistency.LINEARIZABLE, 0, operation);
            assertEquals(length, new KvRequestFlyweight().wrap(buffer, 0, length).validate(KvConfig.DEFAULT), line);
        }
    }

    @Test
    void everyFinalResponseFormatsAsTheContractsLine()
    {
        // The response side of each form is covered in KvCodecTest.responsesRoundTripForEveryStatus; here the
        // statuses that are not lines at all.
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final KvResponseFlyweight response = new KvResponseFlyweight();
        response.wrap(buffer, 0, KvResponseFlyweight.encode(buffer, 0, 1, 1, KvStatus.RETRY, 0));
        assertThrows(IllegalArgumentException.class, () -> KvTextProtocol.format(response));
        response.wrap(buffer, 0, KvResponseFlyweight.encodeNotLeader(buffer, 0, 1, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> KvTextProtocol.format(response));
        assertEquals("timeout", KvTextProtocol.TIMEOUT_LINE);
    }

    private KvOperation parsed(final String line)
    {
        final KvTextProtocol.Parsed parsed = text.parse(line);
        assertNull(parsed.errorLine(), line);
        return parsed.operation();
    }

    private String error(final String line)
    {
        final KvTextProtocol.Parsed parsed = text.parse(line);
        assertTrue(parsed.isError(), line);
        assertNull(parsed.operation());
        return parsed.errorLine();
    }
}
