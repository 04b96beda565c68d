package io.conduit.transport.engine;

/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012) specialised to a message of exactly
 * four 64-bit little-endian words, i.e. 32 bytes.
 * <p>
 * The handshake cookie MAC always authenticates a fixed-size tuple, so the general byte-oriented loop is unrolled
 * into four compression steps plus the length block; everything stays in locals, so a call never allocates.
 */
public final class SipHash
{
    private static final int COMPRESSION_ROUNDS = 2;
    private static final int FINALIZATION_ROUNDS = 4;
    private static final int MESSAGE_WORDS = 4;
    private static final long MESSAGE_LENGTH_BYTES = MESSAGE_WORDS * Long.BYTES;

    // Paper §2, "Initialization": the ASCII of "somepseudorandomlygeneratedbytes".
    private static final long INIT_V0 = 0x736f6d6570736575L;
    private static final long INIT_V1 = 0x646f72616e646f6dL;
    private static final long INIT_V2 = 0x6c7967656e657261L;
    private static final long INIT_V3 = 0x7465646279746573L;

    private SipHash()
    {
    }

    /**
     * SipHash-2-4 of the 32-byte message {@code m0 || m1 || m2 || m3}, each word encoded little-endian, under the
     * 128-bit key {@code k0 || k1} (also little-endian words, as in the reference implementation).
     *
     * @param k0 first key word (key bytes 0..7).
     * @param k1 second key word (key bytes 8..15).
     * @param m0 message bytes 0..7.
     * @param m1 message bytes 8..15.
     * @param m2 message bytes 16..23.
     * @param m3 message bytes 24..31.
     * @return the 64-bit tag; its little-endian bytes are the reference implementation's output bytes.
     */
    public static long hash24(final long k0, final long k1, final long m0, final long m1, final long m2, final long m3)
    {
        long v0 = k0 ^ INIT_V0;
        long v1 = k1 ^ INIT_V1;
        long v2 = k0 ^ INIT_V2;
        long v3 = k1 ^ INIT_V3;

        // Paper §2, "Compression": the four message words, then the final block that holds only the length byte
        // because 32 is a multiple of 8.
        for (int wordIndex = 0; wordIndex <= MESSAGE_WORDS; wordIndex++)
        {
            final long m = word(wordIndex, m0, m1, m2, m3);
            v3 ^= m;
            for (int round = 0; round < COMPRESSION_ROUNDS; round++)
            {
                v0 += v1;
                v1 = Long.rotateLeft(v1, 13);
                v1 ^= v0;
                v0 = Long.rotateLeft(v0, 32);
                v2 += v3;
                v3 = Long.rotateLeft(v3, 16);
                v3 ^= v2;
                v0 += v3;
                v3 = Long.rotateLeft(v3, 21);
                v3 ^= v0;
                v2 += v1;
                v1 = Long.rotateLeft(v1, 17);
                v1 ^= v2;
                v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }

        // Paper §2, "Finalization".
        v2 ^= 0xff;
        for (int round = 0; round < FINALIZATION_ROUNDS; round++)
        {
            v0 += v1;
            v1 = Long.rotateLeft(v1, 13);
            v1 ^= v0;
            v0 = Long.rotateLeft(v0, 32);
            v2 += v3;
            v3 = Long.rotateLeft(v3, 16);
            v3 ^= v2;
            v0 += v3;
            v3 = Long.rotateLeft(v3, 21);
            v3 ^= v0;
            v2 += v1;
            v1 = Long.rotateLeft(v1, 17);
            v1 ^= v2;
            v2 = Long.rotateLeft(v2, 32);
        }

        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static long word(final int wordIndex, final long m0, final long m1, final long m2, final long m3)
    {
        switch (wordIndex)
        {
            case 0:
                return m0;
            case 1:
                return m1;
            case 2:
                return m2;
            case 3:
                return m3;
            default:
                // The last block carries the message length in its top byte (b = len << 56 for an empty tail).
                return MESSAGE_LENGTH_BYTES << 56;
        }
    }
}
