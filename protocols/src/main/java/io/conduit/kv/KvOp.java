package io.conduit.kv;

/** The operations of the key-value contract (issue 5); the wire byte is {@link #code()}. */
public enum KvOp
{
    /** {@code put KEY VALUE}: key and value. */
    PUT(1),
    /** {@code get KEY}: key only. */
    GET(2),
    /** {@code cas KEY EXPECTED NEW}: key, expected and value (the new value). */
    CAS(3),
    /** {@code delete KEY}: key only. */
    DELETE(4),
    /** {@code lease NAME HOLDER TTL_MS}: key (the lease name), holder and a positive ttlMs. */
    LEASE(5);

    private final int code;

    KvOp(final int code)
    {
        this.code = code;
    }

    public int code()
    {
        return code;
    }

    /** The operation for a wire byte, or {@code null} for an unknown one. */
    public static KvOp fromCode(final int code)
    {
        switch (code)
        {
            case 1: return PUT;
            case 2: return GET;
            case 3: return CAS;
            case 4: return DELETE;
            case 5: return LEASE;
            default: return null;
        }
    }
}
