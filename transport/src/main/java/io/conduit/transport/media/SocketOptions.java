package io.conduit.transport.media;

import java.net.InetSocketAddress;

/** Socket options of an endpoint's UDP socket. Zero buffer sizes keep the operating system's defaults. */
public final class SocketOptions
{
    private InetSocketAddress bindAddress = new InetSocketAddress("127.0.0.1", 0);
    private int receiveBufferBytes = 4 * 1024 * 1024;
    private int sendBufferBytes = 4 * 1024 * 1024;
    private boolean reuseAddress;
    private boolean ipv6;
    private boolean dontFragment = true;

    /** Local address and port; port 0 picks a free one. Default 127.0.0.1:0. */
    public InetSocketAddress bindAddress() { return bindAddress; }
    public SocketOptions bindAddress(final InetSocketAddress value) { bindAddress = value; return this; }
    /** SO_RCVBUF request (default 4 MiB; the kernel clamps to net.core.rmem_max). */
    public int receiveBufferBytes() { return receiveBufferBytes; }
    public SocketOptions receiveBufferBytes(final int value) { receiveBufferBytes = value; return this; }
    /** SO_SNDBUF request (default 4 MiB; the kernel clamps to net.core.wmem_max). */
    public int sendBufferBytes() { return sendBufferBytes; }
    public SocketOptions sendBufferBytes(final int value) { sendBufferBytes = value; return this; }
    public boolean reuseAddress() { return reuseAddress; }
    public SocketOptions reuseAddress(final boolean value) { reuseAddress = value; return this; }
    /** Open an IPv6 socket (which also accepts IPv4-mapped peers); default IPv4. */
    public boolean ipv6() { return ipv6; }
    public SocketOptions ipv6(final boolean value) { ipv6 = value; return this; }
    /**
     * Ask the kernel for IP_PMTUDISC_PROBE (Don't Fragment, never fragment locally; see {@link DontFragment}), so
     * path MTU probes cannot succeed by IP fragmentation. Default on; silently unavailable off Linux.
     */
    public boolean dontFragment() { return dontFragment; }
    public SocketOptions dontFragment(final boolean value) { dontFragment = value; return this; }

    public SocketOptions validate()
    {
        if (bindAddress == null)
        {
            throw new IllegalArgumentException("bindAddress is required");
        }
        if (receiveBufferBytes < 0 || sendBufferBytes < 0)
        {
            throw new IllegalArgumentException("socket buffer sizes must be >= 0");
        }
        if (!ipv6 && bindAddress.getAddress() instanceof java.net.Inet6Address)
        {
            throw new IllegalArgumentException("bind address " + bindAddress + " is IPv6: set ipv6(true)");
        }
        return this;
    }
}
