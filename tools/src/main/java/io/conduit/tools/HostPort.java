package io.conduit.tools;

import java.net.InetSocketAddress;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses {@code HOST:PORT} options ({@code 127.0.0.1:9000}, {@code example.org:9000}, {@code [::1]:9000}) into a
 * resolved {@link InetSocketAddress}. Errors are one line naming the bad text, so picocli reports them as usage
 * errors (exit 2) rather than failures at connect time.
 */
final class HostPort
{
    private HostPort()
    {
    }

    /**
     * Parses and resolves {@code text}.
     *
     * @param text          {@code HOST:PORT}, an IPv6 literal in brackets.
     * @param allowZeroPort true for a bind address, where port 0 asks the system for a free port.
     * @return the resolved address.
     * @throws TypeConversionException with a one-line reason when the text is malformed or unresolvable.
     */
    static InetSocketAddress parse(final String text, final boolean allowZeroPort)
    {
        final int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1)
        {
            throw new TypeConversionException("'" + text + "' is not HOST:PORT (e.g. 127.0.0.1:9000)");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        else if (host.indexOf(':') >= 0)
        {
            throw new TypeConversionException("'" + text + "': write an IPv6 host in brackets, e.g. [::1]:9000");
        }
        final int port = parsePort(text, text.substring(colon + 1), allowZeroPort);
        if (host.isEmpty())
        {
            throw new TypeConversionException("'" + text + "' has an empty host");
        }
        final InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved())
        {
            throw new TypeConversionException("cannot resolve host '" + host + "'");
        }
        return address;
    }

    /** Formats an address as {@code HOST:PORT} with the numeric host, the inverse of {@link #parse}. */
    static String format(final InetSocketAddress address)
    {
        final String host = address.getAddress() != null ? address.getAddress().getHostAddress() :
            address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static int parsePort(final String text, final String portText, final boolean allowZeroPort)
    {
        final int port;
        try
        {
            port = Integer.parseInt(portText);
        }
        catch (final NumberFormatException ex)
        {
            throw new TypeConversionException("'" + text + "': port '" + portText + "' is not a number");
        }
        final int lowest = allowZeroPort ? 0 : 1;
        if (port < lowest || port > 65_535)
        {
            throw new TypeConversionException("'" + text + "': port must be in [" + lowest + ", 65535]");
        }
        return port;
    }

    /** A local address to bind; port 0 picks a free port (the command prints the one it got). */
    static final class Bind implements ITypeConverter<InetSocketAddress>
    {
        @Override
        public InetSocketAddress convert(final String value)
        {
            return parse(value, true);
        }
    }

    /** A peer's address; port 0 is refused since nothing can listen there. */
    static final class Remote implements ITypeConverter<InetSocketAddress>
    {
        @Override
        public InetSocketAddress convert(final String value)
        {
            return parse(value, false);
        }
    }
}
