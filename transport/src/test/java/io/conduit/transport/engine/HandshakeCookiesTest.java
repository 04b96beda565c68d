package io.conduit.transport.engine;

import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.conduit.transport.engine.HandshakeCookies.COOKIE_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandshakeCookiesTest
{
    private static final long SEED = 0x0C00_C1E5L;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long ROTATION_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long LIFETIME_NS = TimeUnit.SECONDS.toNanos(10);
    // Arbitrary, not millisecond-aligned, so the tests do not depend on a convenient clock origin.
    private static final long START_NS = TimeUnit.SECONDS.toNanos(1_000) + 123_456;

    private static final long REMOTE_KEY = (0x0A00_0001L << 16) | 4_433;
    private static final int CLIENT_CID = 0x1234_5678;
    private static final int CLIENT_ISN = 0x9ABC_DEF0;
    private static final int SERVER_CID = 0x0BAD_CAFE;
    private static final int SERVER_ISN = 0x7FFF_FFF1;

    private static final int OFFSET = 7;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);

    @Test
    void validCookieRoundTrips()
    {
        final HandshakeCookies cookies = cookies(SEED);

        write(cookies, START_NS);

        assertTrue(verify(cookies, START_NS));
        assertTrue(verify(cookies, START_NS + LIFETIME_NS / 2));
    }

    @Test
    void cookieLayoutMatchesDocumentation()
    {
        final SplittableRandom secrets = new SplittableRandom(SEED);
        final HandshakeCookies cookies = new HandshakeCookies(new SplittableRandom(SEED)::nextLong,
            ROTATION_NS, LIFETIME_NS);
        buffer.setMemory(0, buffer.capacity(), (byte)0x5A);

        write(cookies, START_NS);

        // First use draws a never-used previous secret, then the current one.
        secrets.nextLong();
        secrets.nextLong();
        final long k0 = secrets.nextLong();
        final long k1 = secrets.nextLong();
        final int issuedAtMs = (int)(START_NS / MS);
        final int secretEpoch = (int)(START_NS / ROTATION_NS);
        final long expectedMac = SipHash.hash24(k0, k1, REMOTE_KEY,
            ((long)CLIENT_CID << 32) | (CLIENT_ISN & 0xFFFF_FFFFL),
            ((long)SERVER_CID << 32) | (SERVER_ISN & 0xFFFF_FFFFL),
            ((long)issuedAtMs << 32) | (secretEpoch & 0xFFFF_FFFFL));

        assertEquals(issuedAtMs, buffer.getInt(OFFSET + HandshakeCookies.ISSUED_AT_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(secretEpoch,
            buffer.getInt(OFFSET + HandshakeCookies.SECRET_EPOCH_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(expectedMac, buffer.getLong(OFFSET + HandshakeCookies.MAC_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals((byte)0x5A, buffer.getByte(OFFSET - 1), "byte before the cookie untouched");
        assertEquals((byte)0x5A, buffer.getByte(OFFSET + COOKIE_LENGTH), "byte after the cookie untouched");
    }

    @Test
    void eachAlteredTupleFieldIsRejected()
    {
        final HandshakeCookies cookies = cookies(SEED);
        write(cookies, START_NS);

        for (int bit = 0; bit < Long.SIZE; bit++)
        {
            assertFalse(cookies.verify(START_NS, REMOTE_KEY ^ (1L << bit), CLIENT_CID, CLIENT_ISN, SERVER_CID,
                SERVER_ISN, buffer, OFFSET), "remoteKey bit " + bit);
        }
        for (int bit = 0; bit < Integer.SIZE; bit++)
        {
            final int flip = 1 << bit;
            assertFalse(cookies.verify(START_NS, REMOTE_KEY, CLIENT_CID ^ flip, CLIENT_ISN, SERVER_CID, SERVER_ISN,
                buffer, OFFSET), "clientConnectionId bit " + bit);
            assertFalse(cookies.verify(START_NS, REMOTE_KEY, CLIENT_CID, CLIENT_ISN ^ flip, SERVER_CID, SERVER_ISN,
                buffer, OFFSET), "clientIsn bit " + bit);
            assertFalse(cookies.verify(START_NS, REMOTE_KEY, CLIENT_CID, CLIENT_ISN, SERVER_CID ^ flip, SERVER_ISN,
                buffer, OFFSET), "serverConnectionId bit " + bit);
            assertFalse(cookies.verify(START_NS, REMOTE_KEY, CLIENT_CID, CLIENT_ISN, SERVER_CID, SERVER_ISN ^ flip,
                buffer, OFFSET), "serverIsn bit " + bit);
        }
        // Swapping the two sides must not verify either: the MAC binds which id belongs to which side.
        assertFalse(cookies.verify(START_NS, REMOTE_KEY, SERVER_CID, SERVER_ISN, CLIENT_CID, CLIENT_ISN,
            buffer, OFFSET));
        assertTrue(verify(cookies, START_NS), "the untouched tuple still verifies");
    }

    @Test
    void everySingleBitFlipInTheCookieIsRejected()
    {
        final HandshakeCookies cookies = cookies(SEED);
        write(cookies, START_NS);

        for (int bit = 0; bit < COOKIE_LENGTH * Byte.SIZE; bit++)
        {
            final int index = OFFSET + bit / Byte.SIZE;
            final byte original = buffer.getByte(index);
            buffer.putByte(index, (byte)(original ^ (1 << (bit % Byte.SIZE))));

            assertFalse(verify(cookies, START_NS), "bit " + bit);

            buffer.putByte(index, original);
        }
        assertTrue(verify(cookies, START_NS), "restored cookie verifies");
    }

    @Test
    void cookieExpiresAfterLifetimeMeasuredInWholeMilliseconds()
    {
        final HandshakeCookies cookies = cookies(SEED);
        final long issuedNs = TimeUnit.SECONDS.toNanos(1_000);
        write(cookies, issuedNs);

        assertTrue(verify(cookies, issuedNs + LIFETIME_NS), "exactly lifetime old");
        assertTrue(verify(cookies, issuedNs + LIFETIME_NS + MS - 1), "same millisecond as lifetime");
        assertFalse(verify(cookies, issuedNs + LIFETIME_NS + MS), "one millisecond older than lifetime");
    }

    @Test
    void cookieFromTheFutureIsRejectedBeyondTheAllowance()
    {
        final HandshakeCookies cookies = cookies(SEED);
        final long verifyNs = TimeUnit.SECONDS.toNanos(1_000);

        write(cookies, verifyNs + HandshakeCookies.FUTURE_ALLOWANCE_MS * MS);
        assertTrue(verify(cookies, verifyNs), "within the allowance");

        write(cookies, verifyNs + (HandshakeCookies.FUTURE_ALLOWANCE_MS + 1) * MS);
        assertFalse(verify(cookies, verifyNs), "beyond the allowance");
    }

    @Test
    void cookieIssuedJustBeforeRotationVerifiesAfterItAndFailsAfterTwo()
    {
        final long rotationNs = TimeUnit.SECONDS.toNanos(10);
        final HandshakeCookies cookies = new HandshakeCookies(new SplittableRandom(SEED)::nextLong,
            rotationNs, rotationNs);
        final long rotationAtNs = 100 * rotationNs;

        write(cookies, rotationAtNs - 1);
        assertTrue(verify(cookies, rotationAtNs - 1));
        assertTrue(verify(cookies, rotationAtNs), "first instant of the next epoch");
        assertTrue(verify(cookies, rotationAtNs + rotationNs - MS), "last millisecond of the next epoch");
        assertFalse(verify(cookies, rotationAtNs + rotationNs), "two rotations later");
    }

    @Test
    void secretFromTwoEpochsAgoIsRetiredEvenForAFreshIssueTime()
    {
        // Forge cookies with the same secrets the instance draws, to test secret retirement separately from expiry.
        final SplittableRandom secrets = new SplittableRandom(SEED);
        final HandshakeCookies cookies = new HandshakeCookies(new SplittableRandom(SEED)::nextLong,
            ROTATION_NS, LIFETIME_NS);
        final long epoch0Ns = 10 * ROTATION_NS;
        write(cookies, epoch0Ns);
        secrets.nextLong();
        secrets.nextLong();
        final long epoch0K0 = secrets.nextLong();
        final long epoch0K1 = secrets.nextLong();
        final int epoch0 = 10;

        final long epoch1Ns = epoch0Ns + ROTATION_NS;
        assertTrue(forgedVerifies(cookies, epoch1Ns, epoch0K0, epoch0K1, epoch0), "previous secret accepted");

        final long epoch2Ns = epoch1Ns + ROTATION_NS;
        assertFalse(forgedVerifies(cookies, epoch2Ns, epoch0K0, epoch0K1, epoch0), "two epochs old");
        assertFalse(forgedVerifies(cookies, epoch2Ns, epoch0K0, epoch0K1, epoch0 + 1), "old secret, newer epoch");
        assertFalse(forgedVerifies(cookies, epoch2Ns, epoch0K0, epoch0K1, epoch0 + 2), "old secret, current epoch");

        final long epoch1K0 = secrets.nextLong();
        final long epoch1K1 = secrets.nextLong();
        assertTrue(forgedVerifies(cookies, epoch2Ns, epoch1K0, epoch1K1, epoch0 + 1), "control: previous secret");
        assertFalse(forgedVerifies(cookies, epoch2Ns, epoch1K0, epoch1K1, epoch0 + 2),
            "previous secret claiming the current epoch");
        final long epoch2K0 = secrets.nextLong();
        final long epoch2K1 = secrets.nextLong();
        assertTrue(forgedVerifies(cookies, epoch2Ns, epoch2K0, epoch2K1, epoch0 + 2), "control: current secret");
    }

    @Test
    void jumpOverAnEpochRetiresBothSecrets()
    {
        final SplittableRandom secrets = new SplittableRandom(SEED);
        final HandshakeCookies cookies = new HandshakeCookies(new SplittableRandom(SEED)::nextLong,
            ROTATION_NS, LIFETIME_NS);
        write(cookies, 0);
        secrets.nextLong();
        secrets.nextLong();
        final long epoch0K0 = secrets.nextLong();
        final long epoch0K1 = secrets.nextLong();

        // Epoch 1 passes unseen: epoch 0's secret must not become "previous" in epoch 2.
        assertFalse(forgedVerifies(cookies, 2 * ROTATION_NS, epoch0K0, epoch0K1, 1));
        assertFalse(forgedVerifies(cookies, 2 * ROTATION_NS, epoch0K0, epoch0K1, 0));
        write(cookies, 2 * ROTATION_NS);
        assertTrue(verify(cookies, 2 * ROTATION_NS), "control: new current secret works");
    }

    @Test
    void negativeClockValuesWork()
    {
        // System.nanoTime() has an arbitrary origin and may be negative.
        final HandshakeCookies cookies = cookies(SEED);

        write(cookies, -1);
        assertTrue(verify(cookies, -1));
        assertTrue(verify(cookies, MS), "across the epoch boundary at zero");
        assertFalse(verify(cookies, LIFETIME_NS + MS), "still expires");
    }

    @Test
    void differentSeedsGiveDifferentCookiesThatDoNotCrossVerify()
    {
        final HandshakeCookies first = cookies(SEED);
        final HandshakeCookies second = cookies(SEED + 1);

        write(first, START_NS);
        final long firstMac = buffer.getLong(OFFSET + HandshakeCookies.MAC_OFFSET);
        assertFalse(verify(second, START_NS), "first's cookie on second");

        write(second, START_NS);
        final long secondMac = buffer.getLong(OFFSET + HandshakeCookies.MAC_OFFSET);
        assertFalse(verify(first, START_NS), "second's cookie on first");

        assertNotEquals(firstMac, secondMac);
    }

    @Test
    void sameSeedAndClockGiveIdenticalCookies()
    {
        // Determinism is what lets the simulator replay a handshake exactly.
        write(cookies(SEED), START_NS);
        final long firstMac = buffer.getLong(OFFSET + HandshakeCookies.MAC_OFFSET);
        write(cookies(SEED), START_NS);

        assertEquals(firstMac, buffer.getLong(OFFSET + HandshakeCookies.MAC_OFFSET));
    }

    @Test
    void randomForgedCookiesAreRejected()
    {
        final HandshakeCookies cookies = cookies(SEED);
        write(cookies, START_NS);
        final int validIssuedAt = buffer.getInt(OFFSET + HandshakeCookies.ISSUED_AT_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final int validEpoch = buffer.getInt(OFFSET + HandshakeCookies.SECRET_EPOCH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        final SplittableRandom forger = new SplittableRandom(0xF0F0_F0F0L);

        int accepted = 0;
        for (int i = 0; i < 100_000; i++)
        {
            // Half entirely random, half with a plausible issue time and epoch so the MAC alone must reject them.
            final boolean plausibleHeader = (i & 1) == 0;
            buffer.putInt(OFFSET + HandshakeCookies.ISSUED_AT_OFFSET,
                plausibleHeader ? validIssuedAt : forger.nextInt(), ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(OFFSET + HandshakeCookies.SECRET_EPOCH_OFFSET,
                plausibleHeader ? validEpoch : forger.nextInt(), ByteOrder.LITTLE_ENDIAN);
            buffer.putLong(OFFSET + HandshakeCookies.MAC_OFFSET, forger.nextLong(), ByteOrder.LITTLE_ENDIAN);
            if (verify(cookies, START_NS))
            {
                accepted++;
            }
        }

        assertEquals(0, accepted);
    }

    @Test
    void writeAndVerifyDoNotAllocate()
    {
        final HandshakeCookies cookies = cookies(SEED);
        final long[] acceptedCount = new long[1];

        final long allocatedBytes = Allocations.bytesAllocatedBy(() ->
        {
            for (int i = 0; i < 20_000; i++)
            {
                final long nowNs = START_NS + i;
                cookies.write(nowNs, REMOTE_KEY + i, CLIENT_CID, i, SERVER_CID, SERVER_ISN, buffer, OFFSET);
                if (cookies.verify(nowNs, REMOTE_KEY + i, CLIENT_CID, i, SERVER_CID, SERVER_ISN, buffer, OFFSET))
                {
                    acceptedCount[0]++;
                }
            }
        });

        assertEquals(0, allocatedBytes);
        assertEquals(40_000, acceptedCount[0]);
    }

    @Test
    void constructorRejectsInvalidParameters()
    {
        final SplittableRandom random = new SplittableRandom(SEED);

        assertThrows(IllegalArgumentException.class, () -> new HandshakeCookies(null, ROTATION_NS, LIFETIME_NS));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeCookies(random::nextLong, 0, 0));
        assertThrows(IllegalArgumentException.class,
            () -> new HandshakeCookies(random::nextLong, HandshakeCookies.MAX_ROTATION_NS + 1, LIFETIME_NS));
        assertThrows(IllegalArgumentException.class,
            () -> new HandshakeCookies(random::nextLong, ROTATION_NS, HandshakeCookies.MIN_LIFETIME_NS - 1));
        assertThrows(IllegalArgumentException.class,
            () -> new HandshakeCookies(random::nextLong, ROTATION_NS, ROTATION_NS + 1));
    }

    private static HandshakeCookies cookies(final long seed)
    {
        return new HandshakeCookies(new SplittableRandom(seed)::nextLong, ROTATION_NS, LIFETIME_NS);
    }

    private void write(final HandshakeCookies cookies, final long nowNs)
    {
        cookies.write(nowNs, REMOTE_KEY, CLIENT_CID, CLIENT_ISN, SERVER_CID, SERVER_ISN, buffer, OFFSET);
    }

    private boolean verify(final HandshakeCookies cookies, final long nowNs)
    {
        return cookies.verify(nowNs, REMOTE_KEY, CLIENT_CID, CLIENT_ISN, SERVER_CID, SERVER_ISN, buffer, OFFSET);
    }

    /**
     * Writes a cookie issued at {@code nowNs} claiming {@code secretEpoch} and MACed with the given secret, as only
     * someone who knows the secrets could, and verifies it at the same instant.
     */
    private boolean forgedVerifies(
        final HandshakeCookies cookies, final long nowNs, final long k0, final long k1, final int secretEpoch)
    {
        final int issuedAtMs = (int)Math.floorDiv(nowNs, MS);
        final long mac = SipHash.hash24(k0, k1, REMOTE_KEY,
            ((long)CLIENT_CID << 32) | (CLIENT_ISN & 0xFFFF_FFFFL),
            ((long)SERVER_CID << 32) | (SERVER_ISN & 0xFFFF_FFFFL),
            ((long)issuedAtMs << 32) | (secretEpoch & 0xFFFF_FFFFL));
        buffer.putInt(OFFSET + HandshakeCookies.ISSUED_AT_OFFSET, issuedAtMs, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(OFFSET + HandshakeCookies.SECRET_EPOCH_OFFSET, secretEpoch, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(OFFSET + HandshakeCookies.MAC_OFFSET, mac, ByteOrder.LITTLE_ENDIAN);

        return verify(cookies, nowNs);
    }
}
