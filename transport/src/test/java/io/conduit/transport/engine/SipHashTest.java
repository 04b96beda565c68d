package io.conduit.transport.engine;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SipHashTest
{
    // Key 00 01 .. 0f, as in the paper's Appendix A and the reference implementation's vectors.h.
    private static final long KEY_K0 = 0x0706050403020100L;
    private static final long KEY_K1 = 0x0f0e0d0c0b0a0908L;

    /**
     * The 64 SipHash-2-4 vectors of the reference implementation (vectors.h, vectors_sip64): entry i is the output,
     * as little-endian bytes in hex, for the i-byte message 00 01 .. (i-1) under key 00 01 .. 0f.
     */
    private static final String[] REFERENCE_VECTORS_HEX =
    {
        "310e0edd47db6f72", "fd67dc93c539f874", "5a4fa9d909806c0d", "2d7efbd796666785",
        "b7877127e09427cf", "8da699cd64557618", "cee3fe586e46c9cb", "37d1018bf50002ab",
        "6224939a79f5f593", "b0e4a90bdf82009e", "f3b9dd94c5bb5d7a", "a7ad6b22462fb3f4",
        "fbe50e86bc8f1e75", "903d84c02756ea14", "eef27a8e90ca23f7", "e545be4961ca29a1",
        "db9bc2577fcc2a3f", "9447be2cf5e99a69", "9cd38d96f0b3c14b", "bd6179a71dc96dbb",
        "98eea21af25cd6be", "c7673b2eb0cbf2d0", "883ea3e395675393", "c8ce5ccd8c030ca8",
        "94af49f6c650adb8", "eab8858ade92e1bc", "f315bb5bb835d817", "adcf6b0763612e2f",
        "a5c91da7acaa4dde", "716595876650a2a6", "28ef495c53a387ad", "42c341d8fa92d832",
        "ce7cf2722f512771", "e37859f94623f3a7", "381205bb1ab0e012", "ae97a10fd434e015",
        "b4a31508beff4d31", "81396229f0907902", "4d0cf49ee5d4dcca", "5c73336a76d8bf9a",
        "d0a704536ba93e0e", "925958fcd6420cad", "a915c29bc8067318", "952b79f3bc0aa6d4",
        "f21df2e41d4535f9", "87577519048f53a9", "10a56cf5dfcd9adb", "eb75095ccd986cd0",
        "51a9cb9ecba312e6", "96afadfc2ce666c7", "72fe52975a4364ee", "5a1645b276d592a1",
        "b274cb8ebf87870a", "6f9bb4203de7b381", "eaecb2a30b22a87f", "9924a43cc1315724",
        "bd838d3aafbf8db7", "0b1a2a3265d51aea", "135079a3231ce660", "932b2846e4d70666",
        "e1915f5cb1eca46c", "f325965ca16d629f", "575ff28e60381be5", "724506eb4c328a95",
    };

    @Test
    void byteOrientedReferenceMatchesAllSixtyFourPaperVectors()
    {
        assertEquals(64, REFERENCE_VECTORS_HEX.length);
        for (int length = 0; length < REFERENCE_VECTORS_HEX.length; length++)
        {
            assertEquals(expectedOutput(length), referenceHash(KEY_K0, KEY_K1, countingMessage(length)),
                "message length " + length);
        }
    }

    @Test
    void paperAppendixExampleForFifteenBytes()
    {
        // Paper Appendix A: key 00..0f, message 00..0e.
        assertEquals(0xa129ca6149be45e5L, referenceHash(KEY_K0, KEY_K1, countingMessage(15)));
    }

    @Test
    void hash24MatchesPaperVectorForThirtyTwoByteMessage()
    {
        final long m0 = 0x0706050403020100L;
        final long m1 = 0x0f0e0d0c0b0a0908L;
        final long m2 = 0x1716151413121110L;
        final long m3 = 0x1f1e1d1c1b1a1918L;

        assertEquals(expectedOutput(32), SipHash.hash24(KEY_K0, KEY_K1, m0, m1, m2, m3));
    }

    @Test
    void hash24MatchesByteOrientedReferenceForRandomKeysAndMessages()
    {
        final SplittableRandom random = new SplittableRandom(0x5195_4a54L);
        for (int i = 0; i < 10_000; i++)
        {
            final long k0 = random.nextLong();
            final long k1 = random.nextLong();
            final long m0 = random.nextLong();
            final long m1 = random.nextLong();
            final long m2 = random.nextLong();
            final long m3 = random.nextLong();

            final byte[] message = new byte[32];
            putLittleEndian(message, 0, m0);
            putLittleEndian(message, 8, m1);
            putLittleEndian(message, 16, m2);
            putLittleEndian(message, 24, m3);

            assertEquals(referenceHash(k0, k1, message), SipHash.hash24(k0, k1, m0, m1, m2, m3), "iteration " + i);
        }
    }

    private static long expectedOutput(final int messageLength)
    {
        final String hex = REFERENCE_VECTORS_HEX[messageLength];
        long value = 0;
        for (int i = 7; i >= 0; i--)
        {
            value = (value << 8) | Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }

        return value;
    }

    private static byte[] countingMessage(final int length)
    {
        final byte[] message = new byte[length];
        for (int i = 0; i < length; i++)
        {
            message[i] = (byte)i;
        }

        return message;
    }

    private static void putLittleEndian(final byte[] bytes, final int offset, final long value)
    {
        for (int i = 0; i < 8; i++)
        {
            bytes[offset + i] = (byte)(value >>> (8 * i));
        }
    }

    /**
     * Straightforward byte-oriented SipHash-2-4 following the paper's §2, kept independent of {@link SipHash}
     * (state in an array, any message length) so the two can check each other.
     */
    private static long referenceHash(final long k0, final long k1, final byte[] message)
    {
        final long[] v =
        {
            k0 ^ 0x736f6d6570736575L,
            k1 ^ 0x646f72616e646f6dL,
            k0 ^ 0x6c7967656e657261L,
            k1 ^ 0x7465646279746573L,
        };

        final int wholeWordsEnd = message.length - (message.length % 8);
        for (int offset = 0; offset < wholeWordsEnd; offset += 8)
        {
            compress(v, littleEndianWord(message, offset, 8));
        }

        final long lastBlock = ((long)(message.length & 0xff) << 56) |
            littleEndianWord(message, wholeWordsEnd, message.length - wholeWordsEnd);
        compress(v, lastBlock);

        v[2] ^= 0xff;
        for (int i = 0; i < 4; i++)
        {
            sipRound(v);
        }

        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    private static long littleEndianWord(final byte[] bytes, final int offset, final int length)
    {
        long word = 0;
        for (int i = 0; i < length; i++)
        {
            word |= (bytes[offset + i] & 0xffL) << (8 * i);
        }

        return word;
    }

    private static void compress(final long[] v, final long m)
    {
        v[3] ^= m;
        sipRound(v);
        sipRound(v);
        v[0] ^= m;
    }

    private static void sipRound(final long[] v)
    {
        v[0] += v[1];
        v[1] = Long.rotateLeft(v[1], 13) ^ v[0];
        v[0] = Long.rotateLeft(v[0], 32);
        v[2] += v[3];
        v[3] = Long.rotateLeft(v[3], 16) ^ v[2];
        v[0] += v[3];
        v[3] = Long.rotateLeft(v[3], 21) ^ v[0];
        v[2] += v[1];
        v[1] = Long.rotateLeft(v[1], 17) ^ v[2];
        v[2] = Long.rotateLeft(v[2], 32);
    }
}
