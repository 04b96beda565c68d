package io.conduit.transport.engine;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Stateless handshake cookies, in the style of TCP SYN cookies (RFC 4987 §3.6) and QUIC Retry tokens
 * (RFC 9000 §8.1.2): a listener keeps no state for a connection attempt until the initiator proves it can receive at
 * its claimed address by echoing the cookie from the SYN-ACK.
 * <p>
 * On SYN the listener picks a random server connection id and server initial sequence number, {@link #write writes}
 * a cookie binding them to the remote and the initiator's id and sequence number, and forgets everything. The
 * initiator echoes the cookie in its handshake-completing packet together with the four values, and
 * {@link #verify verify} recomputes the MAC from them; only then does the listener create connection state.
 * <p>
 * Cookie layout, {@value #COOKIE_LENGTH} bytes, all fields little-endian:
 * <pre>
 *  offset  length  field
 *  0       4       issuedAtMs   low 32 bits of floor(nowNs / 1 ms)
 *  4       4       secretEpoch  low 32 bits of floor(nowNs / rotationNs)
 *  8       8       mac          SipHash-2-4, keyed with the secret of secretEpoch, over the four words
 *                               remoteKey, clientCid:clientIsn, serverCid:serverIsn, issuedAtMs:secretEpoch
 *                               where a:b is the long with a in its high and b in its low 32 bits
 * </pre>
 * The secret is 128 bits drawn from {@code randomSource}, which must be cryptographically strong in production
 * (e.g. {@code SecureRandom::nextLong}) and seeded in tests. Secrets rotate each time {@code nowNs} enters a new
 * {@code rotationNs} epoch; the current and the previous secret are kept. Because {@code lifetimeNs <= rotationNs},
 * any cookie that is still young enough was issued in the current or the previous epoch, so two secrets suffice.
 * Ages are measured in whole milliseconds of the caller's clock, which bounds {@code rotationNs} to
 * {@link #MAX_ROTATION_NS} so the 32-bit millisecond field never wraps within two epochs.
 * <p>
 * A cookie can be replayed by its holder until it expires and will verify again: the caller must treat a verified
 * cookie whose server connection id is already live as a duplicate of the handshake it already completed.
 * <p>
 * {@link #write write} and {@link #verify verify} never allocate; the only other work they may do is draw two longs
 * from {@code randomSource} when {@code nowNs} has entered a new epoch. Not thread safe: one instance per listener
 * agent. Time that moves backwards never brings back a retired secret.
 */
public final class HandshakeCookies
{
    public static final int COOKIE_LENGTH = 16;
    public static final int ISSUED_AT_OFFSET = 0;
    public static final int SECRET_EPOCH_OFFSET = 4;
    public static final int MAC_OFFSET = 8;

    /** Keeps two epochs well inside the 2^31 ms (24.8 days) that wrapping 32-bit arithmetic can order. */
    public static final long MAX_ROTATION_NS = TimeUnit.DAYS.toNanos(1);
    /** Ages are counted in milliseconds, so a shorter lifetime could not be told apart from zero. */
    public static final long MIN_LIFETIME_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * How far in the future a cookie's issue time may lie: the issuer and verifier share a clock, so only a caller
     * that hands slightly stale {@code nowNs} values to different calls can make an honest cookie look early.
     */
    public static final int FUTURE_ALLOWANCE_MS = 1;

    private static final long NANOS_PER_MILLI = TimeUnit.MILLISECONDS.toNanos(1);
    private static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    private final LongSupplier randomSource;
    private final long rotationNs;
    private final long lifetimeNs;

    private boolean hasSecrets;
    private long currentEpoch;
    private long currentK0;
    private long currentK1;
    private long previousK0;
    private long previousK1;

    /**
     * @param randomSource supplies the secret key words; cryptographically strong in production, seeded in tests.
     * @param rotationNs   how long a secret is current before it becomes the previous one.
     * @param lifetimeNs   cookies older than this are rejected; at most {@code rotationNs}.
     */
    public HandshakeCookies(final LongSupplier randomSource, final long rotationNs, final long lifetimeNs)
    {
        if (null == randomSource)
        {
            throw new IllegalArgumentException("randomSource must not be null");
        }
        if (rotationNs <= 0 || rotationNs > MAX_ROTATION_NS)
        {
            throw new IllegalArgumentException(
                "rotationNs must be in (0, " + MAX_ROTATION_NS + "]: rotationNs=" + rotationNs);
        }
        if (lifetimeNs < MIN_LIFETIME_NS || lifetimeNs > rotationNs)
        {
            throw new IllegalArgumentException(
                "lifetimeNs must be in [" + MIN_LIFETIME_NS + ", rotationNs]: lifetimeNs=" + lifetimeNs +
                " rotationNs=" + rotationNs);
        }

        this.randomSource = randomSource;
        this.rotationNs = rotationNs;
        this.lifetimeNs = lifetimeNs;
    }

    /**
     * Writes a {@value #COOKIE_LENGTH}-byte cookie binding the handshake tuple to the current secret and time.
     *
     * @param nowNs              the caller's clock.
     * @param remoteKey          the initiator's address as derived by the I/O edge.
     * @param clientConnectionId the initiator's connection id from its SYN.
     * @param clientIsn          the initiator's initial sequence number from its SYN.
     * @param serverConnectionId the connection id this listener picked for the connection.
     * @param serverIsn          the initial sequence number this listener picked for the connection.
     * @param buffer             where to write the cookie.
     * @param offset             at which the cookie starts in {@code buffer}.
     */
    public void write(
        final long nowNs,
        final long remoteKey,
        final int clientConnectionId,
        final int clientIsn,
        final int serverConnectionId,
        final int serverIsn,
        final MutableDirectBuffer buffer,
        final int offset)
    {
        advanceEpoch(nowNs);

        final int issuedAtMs = (int)Math.floorDiv(nowNs, NANOS_PER_MILLI);
        final int secretEpoch = (int)currentEpoch;
        final long mac = mac(
            currentK0, currentK1,
            remoteKey, clientConnectionId, clientIsn, serverConnectionId, serverIsn, issuedAtMs, secretEpoch);

        buffer.putInt(offset + ISSUED_AT_OFFSET, issuedAtMs, BYTE_ORDER);
        buffer.putInt(offset + SECRET_EPOCH_OFFSET, secretEpoch, BYTE_ORDER);
        buffer.putLong(offset + MAC_OFFSET, mac, BYTE_ORDER);
    }

    /**
     * Checks a cookie echoed by an initiator against the tuple it claims.
     *
     * @param nowNs              the caller's clock.
     * @param remoteKey          the address the echo arrived from.
     * @param clientConnectionId the initiator's connection id as echoed.
     * @param clientIsn          the initiator's initial sequence number as echoed.
     * @param serverConnectionId the listener's connection id as echoed.
     * @param serverIsn          the listener's initial sequence number as echoed.
     * @param buffer             holding the echoed cookie.
     * @param offset             at which the cookie starts in {@code buffer}.
     * @return true only if this listener issued the cookie for exactly this tuple, under the current or previous
     * secret, no longer than {@code lifetimeNs} ago and not more than {@link #FUTURE_ALLOWANCE_MS} in the future.
     */
    public boolean verify(
        final long nowNs,
        final long remoteKey,
        final int clientConnectionId,
        final int clientIsn,
        final int serverConnectionId,
        final int serverIsn,
        final DirectBuffer buffer,
        final int offset)
    {
        advanceEpoch(nowNs);

        final int issuedAtMs = buffer.getInt(offset + ISSUED_AT_OFFSET, BYTE_ORDER);
        final int secretEpoch = buffer.getInt(offset + SECRET_EPOCH_OFFSET, BYTE_ORDER);
        final long mac = buffer.getLong(offset + MAC_OFFSET, BYTE_ORDER);

        // Wrapping subtraction orders the two times correctly for any cookie that can pass the epoch check below,
        // because MAX_ROTATION_NS keeps two epochs < 2^31 ms apart; a wrapped age of an older cookie fails that check.
        final int ageMs = (int)Math.floorDiv(nowNs, NANOS_PER_MILLI) - issuedAtMs;
        if (ageMs < -FUTURE_ALLOWANCE_MS || (long)ageMs * NANOS_PER_MILLI > lifetimeNs)
        {
            return false;
        }

        final long k0;
        final long k1;
        if (secretEpoch == (int)currentEpoch)
        {
            k0 = currentK0;
            k1 = currentK1;
        }
        else if (secretEpoch == (int)(currentEpoch - 1))
        {
            k0 = previousK0;
            k1 = previousK1;
        }
        else
        {
            return false;
        }

        return mac == mac(
            k0, k1, remoteKey, clientConnectionId, clientIsn, serverConnectionId, serverIsn, issuedAtMs, secretEpoch);
    }

    private void advanceEpoch(final long nowNs)
    {
        final long epoch = Math.floorDiv(nowNs, rotationNs);
        if (hasSecrets && epoch <= currentEpoch)
        {
            return;
        }

        if (hasSecrets && epoch == currentEpoch + 1)
        {
            previousK0 = currentK0;
            previousK1 = currentK1;
        }
        else
        {
            // First use, or at least one whole epoch passed unseen: no live cookie can have been issued under the
            // secret that would otherwise become previous, so it is replaced by one that never signed anything.
            previousK0 = randomSource.getAsLong();
            previousK1 = randomSource.getAsLong();
        }
        currentK0 = randomSource.getAsLong();
        currentK1 = randomSource.getAsLong();
        currentEpoch = epoch;
        hasSecrets = true;
    }

    private static long mac(
        final long k0,
        final long k1,
        final long remoteKey,
        final int clientConnectionId,
        final int clientIsn,
        final int serverConnectionId,
        final int serverIsn,
        final int issuedAtMs,
        final int secretEpoch)
    {
        return SipHash.hash24(
            k0,
            k1,
            remoteKey,
            pack(clientConnectionId, clientIsn),
            pack(serverConnectionId, serverIsn),
            pack(issuedAtMs, secretEpoch));
    }

    private static long pack(final int high, final int low)
    {
        return ((long)high << 32) | (low & 0xFFFF_FFFFL);
    }
}
