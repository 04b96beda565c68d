package io.conduit.transport.status;

/**
 * Type ids of Conduit's counters, stored in each counter's Agrona metadata so tools can group and interpret counters
 * without parsing labels. Endpoint-level types use 1..99, connection-level types 100..199; ids are part of the
 * status file format, so a released id is never reused for another meaning.
 * <p>
 * Labels follow two shapes: {@code "endpoint 127.0.0.1:9000 datagrams_received"} and
 * {@code "conn 1a2b3c4d->127.0.0.1:9001 srtt_us"}; {@link #ENDPOINT_REJECTED} carries the reject reason in its
 * label, one counter per reason.
 */
public final class CounterTypes
{
    /** First endpoint-level type id. */
    public static final int ENDPOINT_MIN = 1;
    /** Last endpoint-level type id. */
    public static final int ENDPOINT_MAX = 99;
    /** First connection-level type id. */
    public static final int CONNECTION_MIN = 100;
    /** Last connection-level type id. */
    public static final int CONNECTION_MAX = 199;

    // Endpoint level, 1..99.
    public static final int ENDPOINT_DATAGRAMS_RECEIVED = 1;
    public static final int ENDPOINT_DATAGRAMS_SENT = 2;
    public static final int ENDPOINT_BYTES_RECEIVED = 3;
    public static final int ENDPOINT_BYTES_SENT = 4;
    /** Datagrams dropped before reaching a connection; the label names the reason. */
    public static final int ENDPOINT_REJECTED = 5;
    public static final int ENDPOINT_CONNECTIONS_OPENED = 6;
    public static final int ENDPOINT_CONNECTIONS_CLOSED = 7;
    public static final int ENDPOINT_CONNECTIONS_ACTIVE = 8;
    public static final int ENDPOINT_TIME_WAIT_SIZE = 9;
    /** Sends that found the socket buffer full and had to wait. */
    public static final int ENDPOINT_SEND_WOULD_BLOCK = 10;
    public static final int ENDPOINT_DUTY_CYCLES = 11;

    // Connection level, 100..199.
    public static final int CONNECTION_BYTES_SENT = 100;
    public static final int CONNECTION_BYTES_RECEIVED = 101;
    public static final int CONNECTION_SEGMENTS_SENT = 102;
    public static final int CONNECTION_SEGMENTS_RECEIVED = 103;
    public static final int CONNECTION_RETRANSMITS = 104;
    public static final int CONNECTION_DUPLICATES = 105;
    public static final int CONNECTION_CHECKSUM_FAILURES = 106;
    public static final int CONNECTION_SRTT_US = 107;
    public static final int CONNECTION_RTTVAR_US = 108;
    public static final int CONNECTION_RTO_US = 109;
    public static final int CONNECTION_CWND_BYTES = 110;
    public static final int CONNECTION_RECEIVE_WINDOW = 111;
    /** The connection state's ordinal in {@code io.conduit.transport.engine.ConnectionState}. */
    public static final int CONNECTION_STATE = 112;
    public static final int CONNECTION_MESSAGES_SENT = 113;
    public static final int CONNECTION_MESSAGES_DELIVERED = 114;

    private static final String[] ENDPOINT_NAMES =
    {
        null,
        "ENDPOINT_DATAGRAMS_RECEIVED",
        "ENDPOINT_DATAGRAMS_SENT",
        "ENDPOINT_BYTES_RECEIVED",
        "ENDPOINT_BYTES_SENT",
        "ENDPOINT_REJECTED",
        "ENDPOINT_CONNECTIONS_OPENED",
        "ENDPOINT_CONNECTIONS_CLOSED",
        "ENDPOINT_CONNECTIONS_ACTIVE",
        "ENDPOINT_TIME_WAIT_SIZE",
        "ENDPOINT_SEND_WOULD_BLOCK",
        "ENDPOINT_DUTY_CYCLES",
    };

    private static final String[] CONNECTION_NAMES =
    {
        "CONNECTION_BYTES_SENT",
        "CONNECTION_BYTES_RECEIVED",
        "CONNECTION_SEGMENTS_SENT",
        "CONNECTION_SEGMENTS_RECEIVED",
        "CONNECTION_RETRANSMITS",
        "CONNECTION_DUPLICATES",
        "CONNECTION_CHECKSUM_FAILURES",
        "CONNECTION_SRTT_US",
        "CONNECTION_RTTVAR_US",
        "CONNECTION_RTO_US",
        "CONNECTION_CWND_BYTES",
        "CONNECTION_RECEIVE_WINDOW",
        "CONNECTION_STATE",
        "CONNECTION_MESSAGES_SENT",
        "CONNECTION_MESSAGES_DELIVERED",
    };

    private CounterTypes()
    {
    }

    /**
     * @param typeId a counter type id.
     * @return the constant's name, e.g. {@code "CONNECTION_SRTT_US"}, or {@code "UNKNOWN(<typeId>)"}.
     */
    public static String name(final int typeId)
    {
        if (typeId >= ENDPOINT_MIN && typeId < ENDPOINT_NAMES.length)
        {
            return ENDPOINT_NAMES[typeId];
        }
        if (typeId >= CONNECTION_MIN && typeId - CONNECTION_MIN < CONNECTION_NAMES.length)
        {
            return CONNECTION_NAMES[typeId - CONNECTION_MIN];
        }
        return "UNKNOWN(" + typeId + ")";
    }

    /**
     * @param typeId a counter type id.
     * @return true for endpoint-level types (1..99).
     */
    public static boolean isEndpointType(final int typeId)
    {
        return typeId >= ENDPOINT_MIN && typeId <= ENDPOINT_MAX;
    }

    /**
     * @param typeId a counter type id.
     * @return true for connection-level types (100..199).
     */
    public static boolean isConnectionType(final int typeId)
    {
        return typeId >= CONNECTION_MIN && typeId <= CONNECTION_MAX;
    }
}
