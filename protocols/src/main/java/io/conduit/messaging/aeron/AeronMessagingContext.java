package io.conduit.messaging.aeron;

import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.LogBufferDescriptor;
import io.conduit.messaging.Members;
import org.agrona.ErrorHandler;

/**
 * Settings for one {@link AeronMessaging} node, fluent in Aeron's style (no get/set prefixes).
 *
 * <p>By default each node launches its own embedded {@code MediaDriver} ({@link ThreadingMode#SHARED}: one driver
 * thread per node, parked by a {@code BackoffIdleStrategy} when idle) in a fresh directory under
 * {@code java.io.tmpdir}, deleted again on close. With {@link #embeddedDriver(boolean) embeddedDriver(false)} the node
 * connects to a driver someone else runs, found by {@link #aeronDirectoryName(String)}, and starts none; members
 * that share such a driver may use {@link #ipc(boolean) aeron:ipc} instead of UDP.
 */
public final class AeronMessagingContext
{
    /** The smallest term Aeron allows: three terms per link keep memory small; messages up to 8 KiB. */
    public static final int DEFAULT_TERM_LENGTH = LogBufferDescriptor.TERM_MIN_LENGTH;
    /** Stream id of every link over UDP; over IPC the link to member m uses {@code streamId + m}. */
    public static final int DEFAULT_STREAM_ID = 1001;

    private Members members;
    private int localMemberId;
    private boolean embeddedDriver = true;
    private String aeronDirectoryName;
    private boolean ipc;
    private int termLength = DEFAULT_TERM_LENGTH;
    private int streamId = DEFAULT_STREAM_ID;
    private long linkTimeoutNs;
    private ThreadingMode driverThreadingMode = ThreadingMode.SHARED;
    private ErrorHandler errorHandler;

    /** The group, member id to UDP address; over IPC only the ids matter. */
    public AeronMessagingContext members(final Members members)
    {
        this.members = members;
        return this;
    }

    public Members members()
    {
        return members;
    }

    public AeronMessagingContext localMemberId(final int localMemberId)
    {
        this.localMemberId = localMemberId;
        return this;
    }

    public int localMemberId()
    {
        return localMemberId;
    }

    /** Launch a driver for this node (default true); false connects to the driver at {@link #aeronDirectoryName()}. */
    public AeronMessagingContext embeddedDriver(final boolean embeddedDriver)
    {
        this.embeddedDriver = embeddedDriver;
        return this;
    }

    public boolean embeddedDriver()
    {
        return embeddedDriver;
    }

    /** The external driver's directory (null: Aeron's default, {@code aeron.dir}); ignored with an embedded one. */
    public AeronMessagingContext aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * Links over {@code aeron:ipc} rather than UDP (default false): for members in one process that share one
     * external driver, which then moves messages through shared memory without sockets.
     */
    public AeronMessagingContext ipc(final boolean ipc)
    {
        this.ipc = ipc;
        return this;
    }

    public boolean ipc()
    {
        return ipc;
    }

    /** Term length of each outgoing link, a power of two from 64 KiB; the longest message is an eighth of it. */
    public AeronMessagingContext termLength(final int termLength)
    {
        this.termLength = termLength;
        return this;
    }

    public int termLength()
    {
        return termLength;
    }

    public AeronMessagingContext streamId(final int streamId)
    {
        this.streamId = streamId;
        return this;
    }

    public int streamId()
    {
        return streamId;
    }

    /**
     * How long a silent peer keeps its link up: sets the embedded driver's image liveness and publication connection
     * timeouts, so a peer that vanished without closing is reported down after about this long. 0 (default) keeps
     * Aeron's defaults (10 s and 5 s). An external driver uses its own settings.
     */
    public AeronMessagingContext linkTimeoutNs(final long linkTimeoutNs)
    {
        this.linkTimeoutNs = linkTimeoutNs;
        return this;
    }

    public long linkTimeoutNs()
    {
        return linkTimeoutNs;
    }

    /** The embedded driver's threads: SHARED (default, one thread) or SHARED_NETWORK, DEDICATED for throughput. */
    public AeronMessagingContext driverThreadingMode(final ThreadingMode driverThreadingMode)
    {
        this.driverThreadingMode = driverThreadingMode;
        return this;
    }

    public ThreadingMode driverThreadingMode()
    {
        return driverThreadingMode;
    }

    /** Where the Aeron client's and embedded driver's errors go (default: one line on standard error). */
    public AeronMessagingContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /** Checks the settings and fills in defaults; throws {@link IllegalArgumentException} with a one-line reason. */
    AeronMessagingContext conclude()
    {
        if (null == members)
        {
            throw new IllegalArgumentException("members not set");
        }
        if (!members.contains(localMemberId))
        {
            throw new IllegalArgumentException("local member " + localMemberId + " is not in " + members);
        }
        for (final int memberId : members.addresses().keySet())
        {
            if (memberId > MemberSessionIds.MAX_MEMBER_ID)
            {
                throw new IllegalArgumentException("the Aeron binding carries member ids in 16 bits: member " +
                    memberId + " is above " + MemberSessionIds.MAX_MEMBER_ID);
            }
        }
        if (ipc && embeddedDriver)
        {
            throw new IllegalArgumentException("aeron:ipc needs the members to share one driver: " +
                "set embeddedDriver(false) and its aeronDirectoryName");
        }
        checkTermLength();
        if (streamId <= 0 || (long)streamId + MemberSessionIds.MAX_MEMBER_ID > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("stream id out of range: " + streamId);
        }
        if (linkTimeoutNs < 0)
        {
            throw new IllegalArgumentException("link timeout must not be negative: " + linkTimeoutNs + " ns");
        }
        if (ThreadingMode.INVOKER == driverThreadingMode)
        {
            throw new IllegalArgumentException("the embedded driver runs on its own threads: INVOKER is not supported");
        }
        if (null == errorHandler)
        {
            final int memberId = localMemberId;
            errorHandler = (throwable) -> System.err.println("conduit aeron member " + memberId + ": " + throwable);
        }
        return this;
    }

    private void checkTermLength()
    {
        if (termLength < LogBufferDescriptor.TERM_MIN_LENGTH || termLength > LogBufferDescriptor.TERM_MAX_LENGTH ||
            Integer.bitCount(termLength) != 1)
        {
            throw new IllegalArgumentException("term length must be a power of two from " +
                LogBufferDescriptor.TERM_MIN_LENGTH + " to " + LogBufferDescriptor.TERM_MAX_LENGTH + ": " +
                termLength);
        }
    }
}
