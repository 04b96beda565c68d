package io.conduit.kv;

import java.util.Arrays;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Round trips of the three wire formats and the decoders' answer to each kind of bad input. */
class KvCodecTest
{
    private static final byte GUARD = 0x5A;
    private static final int OFFSET = 7;

    @Test
    void everyOperationRoundTripsAtAnOffsetWritingOnlyItsBytes()
    {
        final KvOperation[] operations = {
            KvOperation.put("k", "v"), KvOperation.get("k"), KvOperation.cas("k", "old", "new"),
            KvOperation.delete("k"), KvOperation.lease("name", "holder", 1_500),
        };
        for (final KvOperation operation : operations)
        {
            final byte[] array = guarded(OFFSET + operation.encodedLength() + 5);
            final UnsafeBuffer buffer = new UnsafeBuffer(array);
            final int length = KvRequestFlyweight.encode(buffer, OFFSET, 42, 3, Consistency.SEQUENTIAL, 17, operation);
            assertEquals(operation.encodedLength(), length);
            assertGuarded(array, 0, OFFSET);
            assertGuarded(array, OFFSET + length, array.length);

            final KvRequestFlyweight request = new KvRequestFlyweight().wrap(buffer, OFFSET, length);
            assertEquals(length, request.validate(KvConfig.DEFAULT), operation::toString);
            assertEquals(operation, request.operation());
            assertEquals(42, request.clientId());
            assertEquals(3, request.sequence());
            assertEquals(17, request.minIndex());
            assertEquals(Consistency.SEQUENTIAL, request.consistency());
        }
    }

    @Test
    void theRequestLayoutIsLittleEndianAtTheDocumentedOffsets()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        KvRequestFlyweight.encode(buffer, 0, 0x0102030405060708L, 9, Consistency.EVENTUAL, 0, KvOperation.get("ab"));
        assertEquals(KvRequestFlyweight.VERSION, buffer.getByte(KvRequestFlyweight.VERSION_OFFSET));
        assertEquals(KvOp.GET.code(), buffer.getByte(KvRequestFlyweight.OP_OFFSET));
        assertEquals(Consistency.EVENTUAL.code(), buffer.getByte(KvRequestFlyweight.CONSISTENCY_OFFSET));
        assertEquals(2, buffer.getByte(KvRequestFlyweight.KEY_LENGTH_OFFSET));
        assertEquals(0x08, buffer.getByte(KvRequestFlyweight.CLIENT_ID_OFFSET), "least significant byte first");
        assertEquals('a', buffer.getByte(KvRequestFlyweight.HEADER_LENGTH));
    }

    @Test
    void badRequestsGetTheirErrorCode()
    {
        assertRequestError(KvCodecError.TOO_SHORT, new byte[KvRequestFlyweight.HEADER_LENGTH - 1]);
        assertRequestError(KvCodecError.BAD_VERSION,
            mutate(KvOperation.get("k"), KvRequestFlyweight.VERSION_OFFSET, 2));
        assertRequestError(KvCodecError.BAD_OP, mutate(KvOperation.get("k"), KvRequestFlyweight.OP_OFFSET, 0));
        assertRequestError(KvCodecError.BAD_CONSISTENCY,
            mutate(KvOperation.get("k"), KvRequestFlyweight.CONSISTENCY_OFFSET, 4));
        assertRequestError(KvCodecError.NONZERO_RESERVED,
            mutate(KvOperation.get("k"), KvRequestFlyweight.RESERVED_OFFSET, 1));
        assertRequestError(KvCodecError.BAD_NUMBER, encode(KvOperation.get("k"), 0, 1));
        assertRequestError(KvCodecError.BAD_NUMBER, encode(KvOperation.get("k"), 1, 0));
        assertRequestError(KvCodecError.BAD_LENGTH, Arrays.copyOf(encode(KvOperation.get("k"), 1, 1),
            KvOperation.get("k").encodedLength() + 1));
        assertRequestError(KvCodecError.BAD_LENGTH,
            mutate(KvOperation.get("k"), KvRequestFlyweight.KEY_LENGTH_OFFSET, 2));
        assertRequestError(KvCodecError.BAD_LENGTH,
            mutate(KvOperation.get("k"), KvRequestFlyweight.VALUE_LENGTH_OFFSET + 3, 0x80));
        assertRequestError(KvCodecError.TOO_LONG, encode(KvOperation.get("k".repeat(257)), 1, 1));
        assertRequestError(KvCodecError.MISSING_FIELD, encode(KvOperation.put("k", ""), 1, 1));
        assertRequestError(KvCodecError.MISSING_FIELD, encode(KvOperation.lease("n", "", 5), 1, 1));
        assertRequestError(KvCodecError.UNEXPECTED_FIELD,
            encode(new KvOperation(KvOp.GET, bytes("k"), bytes("v"), new byte[0], new byte[0], 0), 1, 1));
        assertRequestError(KvCodecError.BAD_NUMBER, encode(KvOperation.lease("n", "h", 0), 1, 1));
        assertRequestError(KvCodecError.BAD_NUMBER, encode(KvOperation.lease("n", "h", 3_600_001), 1, 1));
        assertRequestError(KvCodecError.BAD_NUMBER,
            encode(new KvOperation(KvOp.PUT, bytes("k"), bytes("v"), new byte[0], new byte[0], 5), 1, 1));
        assertRequestError(KvCodecError.BAD_TOKEN, encode(KvOperation.put("k", "a b"), 1, 1));
        assertRequestError(KvCodecError.BAD_TOKEN, encode(KvOperation.put("k\n", "v"), 1, 1));
    }

    @Test
    void responsesRoundTripForEveryStatus()
    {
        assertResponse("ok", KvStatus.OK, 0, 0, "");
        assertResponse("ok 12", KvStatus.OK, 12, 0, "");
        assertResponse("value v1", KvStatus.VALUE, 0, 0, "v1");
        assertResponse("missing", KvStatus.MISSING, 0, 0, "");
        assertResponse("fail", KvStatus.FAIL, 0, 0, "");
        assertResponse("held someone", KvStatus.HELD, 0, 0, "someone");
        assertResponse("error no such thing", KvStatus.ERROR, 0, 0, "no such thing");
        assertResponse(null, KvStatus.NOT_LEADER, 0, 3, "");
        assertResponse(null, KvStatus.RETRY, 0, 0, "");
    }

    @Test
    void badResponsesGetTheirErrorCode()
    {
        assertResponseError(KvCodecError.BAD_STATUS, KvStatus.OK, 0, 0, "", KvResponseFlyweight.STATUS_OFFSET, 9);
        assertResponseError(KvCodecError.MISSING_FIELD, KvStatus.VALUE, 0, 0, "", -1, 0);
        assertResponseError(KvCodecError.UNEXPECTED_FIELD, KvStatus.MISSING, 0, 0, "x", -1, 0);
        assertResponseError(KvCodecError.BAD_NUMBER, KvStatus.FAIL, 5, 0, "", -1, 0);
        assertResponseError(KvCodecError.BAD_NUMBER, KvStatus.OK, 0, 2, "", -1, 0);
        assertResponseError(KvCodecError.BAD_TOKEN, KvStatus.HELD, 0, 0, "two words", -1, 0);
        assertResponseError(KvCodecError.BAD_LENGTH, KvStatus.VALUE, 0, 0, "v",
            KvResponseFlyweight.PAYLOAD_LENGTH_OFFSET, 2);
    }

    @Test
    void errorTextIsMadeSafeForOneLine()
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[KvResponseFlyweight.maxLength(KvConfig.DEFAULT)]);
        final int length = KvResponseFlyweight.encodeError(out, 0, 1, 1, 0, "bad\nline\u00e9" + "x".repeat(2000));
        final KvResponseFlyweight response = new KvResponseFlyweight().wrap(out, 0, length);
        assertEquals(length, response.validate(KvConfig.DEFAULT));
        assertEquals(KvResponseFlyweight.MAX_ERROR_TEXT_LENGTH, response.payloadLength());
        assertEquals("error bad?line?xxx", KvTextProtocol.format(response).substring(0, 18));
    }

    @Test
    void aCommandCarriesTheStampAndTheRequestUnchanged()
    {
        final UnsafeBuffer command = KvHarness.command(7, -5, 3, 4, KvOperation.cas("k", "a", "b"));
        final KvCommandFlyweight flyweight = new KvCommandFlyweight().wrap(command, 0, command.capacity());
        assertEquals(command.capacity(), flyweight.validate(KvConfig.DEFAULT));
        assertEquals(7, flyweight.term());
        assertEquals(-5, flyweight.proposedAtNs(), "a monotonic clock may read negative");
        assertEquals(KvOperation.cas("k", "a", "b"), flyweight.request().operation());

        command.putByte(KvCommandFlyweight.RESERVED_OFFSET, (byte)1);
        assertEquals(KvCodecError.NONZERO_RESERVED, flyweight.validate(KvConfig.DEFAULT));
        command.putByte(KvCommandFlyweight.RESERVED_OFFSET, (byte)0);
        command.putLong(KvCommandFlyweight.TERM_OFFSET, -1);
        assertEquals(KvCodecError.BAD_NUMBER, flyweight.validate(KvConfig.DEFAULT));
        command.putLong(KvCommandFlyweight.TERM_OFFSET, 7);
        assertEquals(KvCodecError.TOO_SHORT, flyweight.wrap(command, 0, 23).validate(KvConfig.DEFAULT));
        assertEquals(KvCodecError.TOO_SHORT, flyweight.wrap(command, 0, 30).validate(KvConfig.DEFAULT),
            "the embedded request is validated too");
    }

    private static void assertResponse(
        final String line, final KvStatus status, final long token, final long hint, final String payload)
    {
        final byte[] array = guarded(OFFSET + KvResponseFlyweight.HEADER_LENGTH + payload.length() + 3);
        final UnsafeBuffer buffer = new UnsafeBuffer(array);
        final int length = KvResponseFlyweight.encode(buffer, OFFSET, 8, 9, status, 10, token, hint, bytes(payload));
        assertGuarded(array, 0, OFFSET);
        assertGuarded(array, OFFSET + length, array.length);
        final KvResponseFlyweight response = new KvResponseFlyweight().wrap(buffer, OFFSET, length);
        assertEquals(length, response.validate(KvConfig.DEFAULT), status::toString);
        assertEquals(status, response.status());
        assertEquals(8, response.clientId());
        assertEquals(9, response.sequence());
        assertEquals(10, response.index());
        assertEquals(token, response.token());
        assertEquals(hint, response.leaderHint());
        assertEquals(payload, response.payloadString());
        if (line != null)
        {
            assertEquals(line, KvTextProtocol.format(response));
        }
    }

    private static void assertResponseError(
        final int error,
        final KvStatus status,
        final long token,
        final long hint,
        final String payload,
        final int mutateOffset,
        final int mutateValue)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[KvResponseFlyweight.HEADER_LENGTH + payload.length()]);
        final int length = KvResponseFlyweight.encode(buffer, 0, 1, 1, status, 1, token, hint, bytes(payload));
        if (mutateOffset >= 0)
        {
            buffer.putByte(mutateOffset, (byte)mutateValue);
        }
        assertEquals(error, new KvResponseFlyweight().wrap(buffer, 0, length).validate(KvConfig.DEFAULT),
            () -> status + " " + KvCodecError.describe(error));
    }

    private static void assertRequestError(final int error, final byte[] bytes)
    {
        final int result = new KvRequestFlyweight().wrap(new UnsafeBuffer(bytes), 0, bytes.length)
            .validate(KvConfig.DEFAULT);
        assertEquals(error, result, () -> "expected " + KvCodecError.describe(error) + " got " +
            KvCodecError.describe(result));
    }

    private static byte[] encode(final KvOperation operation, final long clientId, final long sequence)
    {
        final byte[] bytes = new byte[operation.encodedLength()];
        KvRequestFlyweight.encode(new UnsafeBuffer(bytes), 0, clientId, sequence, Consistency.LINEARIZABLE, 0,
            operation);
        return bytes;
    }

    private static byte[] mutate(final KvOperation operation, final int offset, final int value)
    {
        final byte[] bytes = encode(operation, 1, 1);
        bytes[offset] = (byte)value;
        return bytes;
    }

    private static byte[] guarded(final int length)
    {
        final byte[] array = new byte[length];
        Arrays.fill(array, GUARD);
        return array;
    }

    private static void assertGuarded(final byte[] array, final int from, final int to)
    {
        final byte[] expected = new byte[to - from];
        Arrays.fill(expected, GUARD);
        assertArrayEquals(expected, Arrays.copyOfRange(array, from, to));
    }

    private static byte[] bytes(final String text)
    {
        return KvOperation.utf8(text);
    }
}
