package io.conduit.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.conduit.tools.impair.ImpairRelay;
import io.conduit.tools.impair.ImpairmentConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;

/**
 * {@code conduit impair}: a UDP relay that impairs both directions, for hosts without kernel netem. Scripts wait
 * for the {@code impair listening on ...} line, then send to the listen address; the summary on exit (SIGINT or
 * {@code --seconds}) has one {@code key=value} line per direction.
 */
@Command(name = "impair", mixinStandardHelpOptions = true,
    description = "Relay UDP between clients and a server, impairing both directions independently.")
final class ImpairCommand implements Callable<Integer>
{
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long SHUTDOWN_WAIT_MS = 2_000;

    @Spec
    private CommandSpec spec;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", converter = AddressConverter.class,
        description = "Where clients send (port 0 picks a free one; the startup line shows it).")
    private InetSocketAddress listen;

    @Option(names = "--forward", required = true, paramLabel = "HOST:PORT", converter = AddressConverter.class,
        description = "The server the relay forwards to.")
    private InetSocketAddress forward;

    @Option(names = "--loss", defaultValue = "0", paramLabel = "P", description = "Drop probability, 0..1.")
    private double loss;

    @Option(names = "--dup", defaultValue = "0", paramLabel = "P", description = "Duplication probability, 0..1.")
    private double duplicate;

    @Option(names = "--reorder", defaultValue = "0", paramLabel = "P",
        description = "Probability a datagram is held back until the next one has gone (at most 5 ms more), 0..1.")
    private double reorder;

    @Option(names = "--corrupt", defaultValue = "0", paramLabel = "P",
        description = "Probability one random bit is flipped, 0..1.")
    private double corrupt;

    @Option(names = "--delay", defaultValue = "0", paramLabel = "MS", description = "One-way delay in ms.")
    private double delayMs;

    @Option(names = "--jitter", defaultValue = "0", paramLabel = "MS", description = "Uniform +/- jitter in ms.")
    private double jitterMs;

    @Option(names = "--rate", paramLabel = "MBIT", description = "Rate limit per direction in Mbit/s (token bucket).")
    private Double rateMbit;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed: same seed, same decisions.")
    private long seed;

    @Option(names = "--seconds", paramLabel = "N", description = "Stop after N seconds (default: run until SIGINT).")
    private Long seconds;

    @Override
    public Integer call() throws IOException
    {
        final ImpairmentConfig config = config();
        if (forward.getPort() == 0)
        {
            throw new ParameterException(spec.commandLine(), "--forward needs a port in 1..65535");
        }
        final PrintWriter out = spec.commandLine().getOut();
        final ImpairRelay relay;
        try
        {
            relay = new ImpairRelay(listen, forward, config, copyOf(config), seed);
        }
        catch (final IOException ex)
        {
            spec.commandLine().getErr().println("conduit impair: cannot listen on " + format(listen) + ": " +
                ex.getMessage());
            return 1;
        }
        final CountDownLatch summaryPrinted = new CountDownLatch(1);
        final Thread shutdownHook = new Thread(() ->
        {
            relay.stop();
            try
            {
                summaryPrinted.await(SHUTDOWN_WAIT_MS, MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "impair-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        final long startNs = System.nanoTime();
        try (relay)
        {
            final InetSocketAddress bound = relay.listenAddress();
            out.println("impair listening on " + format(new InetSocketAddress(listen.getAddress(), bound.getPort())) +
                " forwarding to " + format(forward));
            out.flush();
            relay.run(seconds == null ? 0 : SECONDS.toNanos(seconds));
        }
        finally
        {
            out.printf("impair summary: %.1f s, seed %d%n", (System.nanoTime() - startNs) / 1e9, seed);
            out.println("  " + relay.upstreamStats());
            out.println("  " + relay.downstreamStats());
            out.flush();
            summaryPrinted.countDown();
            removeHook(shutdownHook);
        }
        return 0;
    }

    private ImpairmentConfig config()
    {
        checkProbability("--loss", loss);
        checkProbability("--dup", duplicate);
        checkProbability("--reorder", reorder);
        checkProbability("--corrupt", corrupt);
        checkNotNegative("--delay", delayMs);
        checkNotNegative("--jitter", jitterMs);
        if (seconds != null && seconds <= 0)
        {
            throw new ParameterException(spec.commandLine(), "--seconds must be > 0: " + seconds);
        }
        final ImpairmentConfig config = new ImpairmentConfig()
            .lossProbability(loss).duplicateProbability(duplicate).reorderProbability(reorder)
            .corruptProbability(corrupt)
            .delayNs(Math.round(delayMs * NANOS_PER_MILLI)).jitterNs(Math.round(jitterMs * NANOS_PER_MILLI));
        if (rateMbit != null)
        {
            final long bitsPerSecond = Math.round(rateMbit * 1e6);
            if (!(rateMbit > 0) || bitsPerSecond < 1 || Double.isInfinite(rateMbit))
            {
                throw new ParameterException(spec.commandLine(), "--rate must be > 0 Mbit/s: " + rateMbit);
            }
            config.rateBitsPerSecond(bitsPerSecond);
        }
        return config;
    }

    private static ImpairmentConfig copyOf(final ImpairmentConfig config)
    {
        return new ImpairmentConfig()
            .lossProbability(config.lossProbability()).duplicateProbability(config.duplicateProbability())
            .reorderProbability(config.reorderProbability()).corruptProbability(config.corruptProbability())
            .delayNs(config.delayNs()).jitterNs(config.jitterNs()).reorderHoldNs(config.reorderHoldNs())
            .rateBitsPerSecond(config.rateBitsPerSecond())
            .burstBytes(config.burstBytes()).queueLimitBytes(config.queueLimitBytes());
    }

    private void checkProbability(final String option, final double value)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new ParameterException(spec.commandLine(), option + " must be a probability in [0, 1]: " + value);
        }
    }

    private void checkNotNegative(final String option, final double value)
    {
        if (!(value >= 0) || Double.isInfinite(value))
        {
            throw new ParameterException(spec.commandLine(), option + " must be >= 0 ms: " + value);
        }
    }

    private static void removeHook(final Thread hook)
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ex)
        {
            // Already shutting down: the hook is what stopped us, and it has its summary.
        }
    }

    static String format(final InetSocketAddress address)
    {
        final String host = address.getAddress() instanceof Inet6Address ? "[" + address.getHostString() + "]" :
            address.getHostString();
        return host + ":" + address.getPort();
    }

    /** Parses HOST:PORT or [IPV6]:PORT; an unknown host or a bad port is a usage error, not a stack trace. */
    static final class AddressConverter implements CommandLine.ITypeConverter<InetSocketAddress>
    {
        private static final int MAX_PORT = 65_535;

        @Override
        public InetSocketAddress convert(final String value)
        {
            final int colon = value.lastIndexOf(':');
            if (colon <= 0 || colon == value.length() - 1)
            {
                throw new CommandLine.TypeConversionException("expected HOST:PORT, got '" + value + "'");
            }
            String host = value.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]"))
            {
                host = host.substring(1, host.length() - 1);
            }
            final int port;
            try
            {
                port = Integer.parseInt(value.substring(colon + 1));
            }
            catch (final NumberFormatException ex)
            {
                throw new CommandLine.TypeConversionException("bad port in '" + value + "'");
            }
            if (port < 0 || port > MAX_PORT)
            {
                throw new CommandLine.TypeConversionException("port out of range 0..65535 in '" + value + "'");
            }
            final InetSocketAddress address = new InetSocketAddress(host, port);
            if (address.isUnresolved())
            {
                throw new CommandLine.TypeConversionException("unknown host in '" + value + "'");
            }
            return address;
        }
    }
}
