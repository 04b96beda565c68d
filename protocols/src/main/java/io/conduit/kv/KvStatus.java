package io.conduit.kv;

/**
 * The outcome carried by a response. The first six are final answers that the text protocol prints; NOT_LEADER and
 * RETRY tell the client to try again (another member, or the same one later) with the same session sequence.
 */
public enum KvStatus
{
    /** Applied: {@code ok}, or {@code ok TOKEN} for a lease grant (the fencing token is non-zero). */
    OK(1, true),
    /** A get found the key: {@code value VALUE}. */
    VALUE(2, true),
    /** A get did not find the key: {@code missing}. */
    MISSING(3, true),
    /** A cas whose current value was not EXPECTED (or the key was absent): {@code fail}. */
    FAIL(4, true),
    /** A lease held by another holder that has not expired: {@code held HOLDER}. */
    HELD(5, true),
    /** This member does not lead; the response carries a leader hint (0 = unknown). Certainly not applied here. */
    NOT_LEADER(6, false),
    /** Certainly not applied, with a one-line reason: {@code error TEXT}. */
    ERROR(7, true),
    /** Not served yet (e.g. a sequential read on a replica behind the client's minIndex); try again. */
    RETRY(8, false);

    private final int code;
    private final boolean finalAnswer;

    KvStatus(final int code, final boolean finalAnswer)
    {
        this.code = code;
        this.finalAnswer = finalAnswer;
    }

    public int code()
    {
        return code;
    }

    /** Whether a client stops retrying and prints this status; false for NOT_LEADER and RETRY. */
    public boolean isFinal()
    {
        return finalAnswer;
    }

    /** The status for a wire byte, or {@code null} for an unknown one. */
    public static KvStatus fromCode(final int code)
    {
        switch (code)
        {
            case 1: return OK;
            case 2: return VALUE;
            case 3: return MISSING;
            case 4: return FAIL;
            case 5: return HELD;
            case 6: return NOT_LEADER;
            case 7: return ERROR;
            case 8: return RETRY;
            default: return null;
        }
    }
}
