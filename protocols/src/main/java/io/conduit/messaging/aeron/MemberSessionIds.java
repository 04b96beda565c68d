package io.conduit.messaging.aeron;

/**
 * How an Aeron session id names the member that sent it, so that messages need no header and an image identifies
 * its peer the moment it becomes available. Each publication is created with an explicit {@code session-id}:
 *
 * <pre>
 *   31 30            16 15               0
 *  +--+----------------+------------------+
 *  |0 |   generation   |    member id     |
 *  +--+----------------+------------------+
 * </pre>
 *
 * The generation (1..32767, from a counter that starts at random in each process and advances with every
 * publication) differs between a member's publication and its replacement or its restart's, so a receiver never
 * mistakes the new publication for the old image still lingering in its driver (Aeron ignores setups for a session
 * it is cooling down) and can tell the two images apart.
 */
final class MemberSessionIds
{
    /** Member ids must fit in the low 16 bits. */
    static final int MAX_MEMBER_ID = 0xFFFF;
    static final int MAX_GENERATION = 0x7FFF;

    private static final int GENERATION_SHIFT = 16;

    private MemberSessionIds()
    {
    }

    static int sessionId(final int memberId, final int generation)
    {
        if (memberId <= 0 || memberId > MAX_MEMBER_ID)
        {
            throw new IllegalArgumentException("member id out of range 1.." + MAX_MEMBER_ID + ": " + memberId);
        }
        if (generation <= 0 || generation > MAX_GENERATION)
        {
            throw new IllegalArgumentException("generation out of range 1.." + MAX_GENERATION + ": " + generation);
        }
        return (generation << GENERATION_SHIFT) | memberId;
    }

    static int memberId(final int sessionId)
    {
        return sessionId & MAX_MEMBER_ID;
    }

    static int generation(final int sessionId)
    {
        return sessionId >>> GENERATION_SHIFT;
    }
}
