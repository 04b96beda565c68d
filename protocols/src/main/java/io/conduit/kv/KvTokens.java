package io.conduit.kv;

import org.agrona.DirectBuffer;

/** Byte-level checks for the contract's tokens ("non-empty tokens without whitespace") and error text. */
final class KvTokens
{
    private KvTokens()
    {
    }

    /**
     * Whether a byte may appear in a key, value or holder: anything above space except DEL. Bytes of multi-byte
     * UTF-8 characters are all above 0x7F, so any non-ASCII text is a token; ASCII whitespace and control
     * characters never are, so a token always survives the one-line text protocol.
     */
    static boolean isTokenByte(final byte b)
    {
        return (b & 0xFF) > 0x20 && b != 0x7F;
    }

    static boolean isToken(final DirectBuffer buffer, final int offset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (!isTokenByte(buffer.getByte(offset + i)))
            {
                return false;
            }
        }
        return true;
    }

    static boolean isToken(final byte[] bytes)
    {
        for (final byte b : bytes)
        {
            if (!isTokenByte(b))
            {
                return false;
            }
        }
        return true;
    }

    /** Error text must stay on one printed line: printable ASCII, spaces allowed. */
    static boolean isTextByte(final byte b)
    {
        return b >= 0x20 && b < 0x7F;
    }

    static boolean isText(final DirectBuffer buffer, final int offset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (!isTextByte(buffer.getByte(offset + i)))
            {
                return false;
            }
        }
        return true;
    }
}
