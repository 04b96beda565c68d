package io.conduit.transport.media;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.nio.channels.DatagramChannel;

/**
 * Sets {@code IP_MTU_DISCOVER = IP_PMTUDISC_PROBE} (and the IPv6 twin) on a UDP socket, so the kernel sets Don't
 * Fragment on every datagram, never fragments one locally, and ignores its ICMP-learned path MTU cache: exactly what
 * RFC 8899 §3 asks of a sender doing its own discovery. A datagram larger than the interface MTU then fails with
 * EMSGSIZE instead of leaving in fragments, so a too-big probe is lost, never falsely confirmed.
 *
 * <p>Java 17 has no socket option for this, so it goes through {@code sun.nio.ch.Net}'s native int-option setter by
 * reflection (the JVM must run with {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}, as native-config's JVM
 * options and the build's Surefire configuration do). Anywhere that fails (another OS, no add-opens) {@link #enable}
 * returns false and the socket keeps the kernel default (Linux: IP_PMTUDISC_WANT, which fragments locally above the
 * cached path MTU); the endpoint then relies on capping probes at the first hop's MTU ({@link FirstHopMtu}).
 */
public final class DontFragment
{
    /** Linux {@code <netinet/in.h>}: IPPROTO_IP / IP_MTU_DISCOVER / IP_PMTUDISC_PROBE. */
    static final int IPPROTO_IP = 0;
    static final int IP_MTU_DISCOVER = 10;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_MTU_DISCOVER = 23;
    static final int PMTUDISC_PROBE = 3;

    private static final MethodHandle SET_INT_OPTION;
    private static final MethodHandle GET_INT_OPTION;
    private static final MethodHandle GET_FD;

    static
    {
        MethodHandle set = null;
        MethodHandle get = null;
        MethodHandle fd = null;
        try
        {
            if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux"))
            {
                final Class<?> net = Class.forName("sun.nio.ch.Net");
                final Method setter = net.getDeclaredMethod("setIntOption0", FileDescriptor.class, boolean.class,
                    int.class, int.class, int.class, boolean.class);
                final Method getter = net.getDeclaredMethod("getIntOption0", FileDescriptor.class, boolean.class,
                    int.class, int.class);
                final Method getFd = Class.forName("sun.nio.ch.DatagramChannelImpl").getMethod("getFD");
                setter.setAccessible(true);
                getter.setAccessible(true);
                getFd.setAccessible(true);
                final MethodHandles.Lookup lookup = MethodHandles.lookup();
                set = lookup.unreflect(setter);
                get = lookup.unreflect(getter);
                fd = lookup.unreflect(getFd).asType(MethodType.methodType(FileDescriptor.class, DatagramChannel.class));
            }
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            set = null;
        }
        SET_INT_OPTION = set;
        GET_INT_OPTION = get;
        GET_FD = fd;
    }

    private DontFragment()
    {
    }

    /** True when this JVM can set the option at all (Linux with sun.nio.ch opened). */
    public static boolean isSupported()
    {
        return SET_INT_OPTION != null;
    }

    /**
     * Sets IP_PMTUDISC_PROBE (and, on an IPv6 socket, IPV6_PMTUDISC_PROBE as well) and reads it back.
     * @return true when the kernel now reports the probe mode; false, with the socket unchanged, otherwise.
     */
    public static boolean enable(final DatagramChannel channel, final boolean ipv6)
    {
        if (!isSupported())
        {
            return false;
        }
        try
        {
            final FileDescriptor fd = (FileDescriptor)GET_FD.invokeExact(channel);
            if (ipv6)
            {
                SET_INT_OPTION.invoke(fd, false, IPPROTO_IPV6, IPV6_MTU_DISCOVER, PMTUDISC_PROBE, true);
                return (int)GET_INT_OPTION.invoke(fd, false, IPPROTO_IPV6, IPV6_MTU_DISCOVER) == PMTUDISC_PROBE;
            }
            SET_INT_OPTION.invoke(fd, false, IPPROTO_IP, IP_MTU_DISCOVER, PMTUDISC_PROBE, false);
            return (int)GET_INT_OPTION.invoke(fd, false, IPPROTO_IP, IP_MTU_DISCOVER) == PMTUDISC_PROBE;
        }
        catch (final Throwable ex)
        {
            return false;
        }
    }
}
