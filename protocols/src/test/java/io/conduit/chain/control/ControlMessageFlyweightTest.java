package io.conduit.chain.control;

import java.util.SplittableRandom;

import io.conduit.kv.KvCodecError;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The control plane's own messages: round trips, each validation rule, and garbage that never throws. */
class ControlMessageFlyweightTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
    private final ControlMessageFlyweight message = new ControlMessageFlyweight();

    @Test
    void leaseMessagesRoundTrip()
    {
        assertEquals(32, ControlMessageFlyweight.encodeLease(buffer, 3, ControlMessageFlyweight.LEASE_GRANT, 7,
            -99, 123_456_789L));
        assertEquals(0, ControlMessageFlyweight.validate(buffer, 3, 32));
        message.wrap(buffer, 3);
        assertEquals(ControlMessageFlyweight.LEASE_GRANT, message.type());
        assertEquals(7, message.epoch());
        assertEquals(-99, message.incarnation());
        assertEquals(123_456_789L, message.sentNs());
    }

    @Test
    void aProposalCarriesAValidCommand()
    {
        final UnsafeBuffer command = new UnsafeBuffer(new byte[24]);
        ControlCommandFlyweight.encodeRequestJoin(command, 0, 4, 55);
        ControlMessageFlyweight.encodeProposal(buffer, 0, command, 0);
        assertEquals(0, ControlMessageFlyweight.validate(buffer, 0, 32));
        final ControlCommandFlyweight carried = new ControlCommandFlyweight().wrap(buffer,
            message.wrap(buffer, 0).commandOffset());
        assertEquals(ControlCommandFlyweight.REQUEST_JOIN, carried.type());
        assertEquals(4, carried.member());
        assertEquals(55, carried.incarnation());

        ControlCommandFlyweight.encodeRequestJoin(command, 0, 4, 0);
        ControlMessageFlyweight.encodeProposal(buffer, 0, command, 0);
        assertEquals(KvCodecError.BAD_NUMBER, ControlMessageFlyweight.validate(buffer, 0, 32));
    }

    @Test
    void eachRuleIsChecked()
    {
        ControlMessageFlyweight.encodeLease(buffer, 0, ControlMessageFlyweight.LEASE_REQUEST, 1, 1, 0);
        assertEquals(KvCodecError.BAD_LENGTH, ControlMessageFlyweight.validate(buffer, 0, 31));
        assertEquals(KvCodecError.BAD_LENGTH, ControlMessageFlyweight.validate(buffer, 40, 32), "past the end");
        buffer.putByte(ControlMessageFlyweight.VERSION_OFFSET, (byte)2);
        assertEquals(KvCodecError.BAD_VERSION, ControlMessageFlyweight.validate(buffer, 0, 32));
        buffer.putByte(ControlMessageFlyweight.VERSION_OFFSET, (byte)1);
        buffer.putByte(ControlMessageFlyweight.RESERVED_2_OFFSET, (byte)1);
        assertEquals(KvCodecError.NONZERO_RESERVED, ControlMessageFlyweight.validate(buffer, 0, 32));
        buffer.putByte(ControlMessageFlyweight.RESERVED_2_OFFSET, (byte)0);
        buffer.putByte(ControlMessageFlyweight.TYPE_OFFSET, (byte)9);
        assertEquals(KvCodecError.BAD_OP, ControlMessageFlyweight.validate(buffer, 0, 32));
        ControlMessageFlyweight.encodeLease(buffer, 0, ControlMessageFlyweight.LEASE_REQUEST, 0, 1, 0);
        assertEquals(KvCodecError.BAD_NUMBER, ControlMessageFlyweight.validate(buffer, 0, 32), "epoch 0");
        ControlMessageFlyweight.encodeLease(buffer, 0, ControlMessageFlyweight.LEASE_REQUEST, 1, 0, 0);
        assertEquals(KvCodecError.BAD_NUMBER, ControlMessageFlyweight.validate(buffer, 0, 32), "incarnation 0");
    }

    @Test
    void garbageNeverThrows()
    {
        final SplittableRandom random = new SplittableRandom(5);
        int valid = 0;
        for (int i = 0; i < 200_000; i++)
        {
            final int length = random.nextInt(40);
            for (int b = 0; b < length; b++)
            {
                buffer.putByte(b, (byte)(random.nextInt(2) == 0 ? random.nextInt(3) : random.nextInt(256)));
            }
            if (ControlMessageFlyweight.validate(buffer, random.nextInt(3), length) == 0)
            {
                valid++;
            }
        }
        assertTrue(valid < 2_000, "mostly refused: " + valid + " passed");
    }
}
