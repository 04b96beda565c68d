package io.conduit.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.IdleStrategy;

import io.conduit.transport.engine.CloseReason;
import io.conduit.transport.endpoint.ConduitConnection;
import io.conduit.transport.endpoint.ConnectionClosedException;
import io.conduit.transport.endpoint.Endpoint;
import io.conduit.transport.endpoint.EndpointContext;
import io.conduit.transport.endpoint.ThreadingMode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What the endpoint commands share: each drives one endpoint in {@link ThreadingMode#INVOKER} mode from the
 * command's own thread (so a command uses one core at most), reports usage errors as picocli
 * {@link ParameterException}s (exit 2) and every runtime failure as one line {@code conduit NAME: message} (exit 1).
 */
abstract class EndpointCommand implements Callable<Integer>
{
    /** Rings per connection: messages up to an eighth of this (about 128 KiB) fit, see EndpointContext. */
    static final int RING_BYTES = 1 << 20;
    /** Most messages taken from a connection per poll, so a busy receive side cannot starve the duty cycle. */
    static final int POLL_LIMIT = 64;

    @Spec
    CommandSpec spec;

    private boolean endpointErrorReported;

    @Override
    public final Integer call()
    {
        try
        {
            return execute(spec.commandLine().getOut());
        }
        catch (final ParameterException ex)
        {
            throw ex;
        }
        catch (final CommandFailure | IOException | UncheckedIOException ex)
        {
            return fail(ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            return fail(ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName());
        }
    }

    /** The command's work; returns the exit code. */
    abstract int execute(PrintWriter out) throws CommandFailure, IOException;

    /** Prints {@code conduit NAME: message} on stderr and returns exit code 1. */
    int fail(final String message)
    {
        final PrintWriter err = spec.commandLine().getErr();
        err.println("conduit " + spec.name() + ": " + message);
        err.flush();
        return 1;
    }

    /** A usage error: picocli prints it as one line and exits with 2. */
    ParameterException usage(final String message)
    {
        return new ParameterException(spec.commandLine(), message);
    }

    /**
     * A context for an invoker-mode endpoint bound to {@code bind}, concluded so {@code maxMessageBytes()} is final.
     * Errors inside the duty cycle are reported once as a line on stderr instead of a stack trace.
     */
    EndpointContext context(final InetSocketAddress bind, final boolean listen, final IdleStrategy idle)
    {
        final EndpointContext context = new EndpointContext().bind(bind).listen(listen)
            .threadingMode(ThreadingMode.INVOKER).idleStrategy(idle)
            .sendRingCapacity(RING_BYTES).receiveRingCapacity(RING_BYTES)
            .name("conduit-" + spec.name())
            .errorHandler(this::onEndpointError);
        context.socket().ipv6(bind.getAddress() instanceof Inet6Address);
        return context.conclude();
    }

    /** The wildcard address of {@code remote}'s family, port 0: a client must be able to reach any interface. */
    static InetSocketAddress wildcardFor(final InetSocketAddress remote)
    {
        return new InetSocketAddress(remote.getAddress() instanceof Inet6Address ? "::" : "0.0.0.0", 0);
    }

    /** Connects, driving the endpoint, and turns refusal or silence into a one-line failure. */
    static ConduitConnection connect(final Endpoint endpoint, final InetSocketAddress remote, final long timeoutMs)
        throws CommandFailure
    {
        try
        {
            return endpoint.connect(remote, timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final ConnectionClosedException ex)
        {
            throw new CommandFailure("cannot connect to " + HostPort.format(remote) + ": " + describe(ex.reason()));
        }
        catch (final IOException ex)
        {
            throw new CommandFailure("cannot connect to " + HostPort.format(remote) + ": no answer within " +
                timeoutMs + " ms (is a conduit listener running there?)");
        }
    }

    /**
     * Waits for the next accepted connection, driving the endpoint.
     *
     * @param timeoutMs how long to wait; 0 waits until a connection arrives.
     */
    static ConduitConnection accept(final Endpoint endpoint, final long timeoutMs) throws CommandFailure
    {
        final IdleStrategy idle = endpoint.context().idleStrategy();
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            final int work = endpoint.doWork();
            final ConduitConnection connection = endpoint.pollAccepted();
            if (connection != null)
            {
                return connection;
            }
            if (timeoutMs > 0 && System.nanoTime() - deadlineNs > 0)
            {
                throw new CommandFailure("no connection within " + timeoutMs + " ms");
            }
            idle.idle(work);
        }
    }

    /**
     * Drives the endpoint until {@code connection} is closed (or in TIME-WAIT). There is no timeout of our own: the
     * engine's retransmission limit and keepalive close a connection whose peer went away.
     */
    static void driveUntilClosed(final Endpoint endpoint, final ConduitConnection connection)
    {
        final IdleStrategy idle = endpoint.context().idleStrategy();
        while (!connection.isClosed())
        {
            idle.idle(endpoint.doWork());
        }
    }

    /** True when the connection ended for any reason but a graceful close. */
    static boolean failed(final CloseReason reason)
    {
        return reason != CloseReason.NONE && reason != CloseReason.GRACEFUL;
    }

    /** Why a connection ended, for a person reading one error line. */
    static String describe(final CloseReason reason)
    {
        switch (reason)
        {
            case NONE: return "still open";
            case GRACEFUL: return "closed gracefully";
            case ABORTED: return "aborted locally";
            case RESET_BY_PEER: return "reset by the peer";
            case CONNECT_TIMEOUT: return "no answer to the handshake (is the peer listening?)";
            case RETRANSMIT_TIMEOUT: return "data went unacknowledged past the retransmission limit";
            case PEER_DEAD: return "nothing heard from the peer within the keepalive time (peer presumed dead)";
            case PROTOCOL_ERROR: return "protocol error";
            case REFUSED: return "refused by the peer";
            default: return reason.name().toLowerCase(Locale.ROOT);
        }
    }

    /** Formats with {@link Locale#ROOT} so the decimal separator is always a dot, whatever the user's locale. */
    static String format(final String format, final Object... args)
    {
        return String.format(Locale.ROOT, format, args);
    }

    /**
     * The shared summary of blast and sink: {@code N messages BYTES bytes in SECONDS s rate MSGS msg/s MBPS MB/s}
     * with MB = 10^6 bytes; rates are 0 when no time passed.
     */
    static String rateSummary(final long messages, final long bytes, final long elapsedNs)
    {
        final double seconds = elapsedNs / 1e9;
        final double messageRate = elapsedNs > 0 ? messages / seconds : 0;
        final double megabytesRate = elapsedNs > 0 ? bytes / seconds / 1e6 : 0;
        return format("%d messages %d bytes in %.3f s rate %.1f msg/s %.1f MB/s", messages, bytes, seconds,
            messageRate, megabytesRate);
    }

    private void onEndpointError(final Throwable error)
    {
        if (!endpointErrorReported)
        {
            endpointErrorReported = true;
            final PrintWriter err = spec.commandLine().getErr();
            err.println("conduit " + spec.name() + ": endpoint error: " + error);
            err.flush();
        }
    }
}
