package io.conduit.tools;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.conduit.tools.lab.LabTransfer;
import io.conduit.tools.lab.Netlab;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The one-command demo: a generated file sent between two {@code conduit} processes over real UDP through an
 * impaired path, verified by SHA-256 at both ends, then a ping run over the same path for RTT percentiles. With root
 * and iproute2/nftables the two ends are network-namespace hosts and the kernel drops packets on the link; otherwise
 * both run on loopback and the user-space relay ({@code conduit impair}) does all the impairing.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Send a generated file over a lossy, duplicating, reordering, corrupting path and verify it.")
final class DemoCommand implements Callable<Integer>
{
    private static final Pattern SENT = Pattern.compile(
        "sent (\\d+) bytes in ([\\d.]+) s goodput ([\\d.]+) Mbit/s retransmits (\\d+) srtt_ms ([\\d.]+)");
    private static final Pattern RECEIVED = Pattern.compile("received (\\d+) bytes sha256 ([0-9a-f]{64})");

    @Spec
    private CommandSpec spec;

    @Option(names = "--size-mib", defaultValue = "64", description = "File size in MiB (default ${DEFAULT-VALUE}).")
    private int sizeMib;

    @Option(names = "--loss", defaultValue = "0.05", description = "Loss probability (default ${DEFAULT-VALUE}).")
    private double loss;

    @Option(names = "--dup", defaultValue = "0.02", description = "Duplication probability (default ${DEFAULT-VALUE}).")
    private double duplicate;

    @Option(names = "--reorder", defaultValue = "0.05",
        description = "Reordering probability (default ${DEFAULT-VALUE}).")
    private double reorder;

    @Option(names = "--corrupt", defaultValue = "0.005",
        description = "Corruption probability (default ${DEFAULT-VALUE}).")
    private double corrupt;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for the file and the relay (default ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--cc", defaultValue = "newreno", description = "Congestion control: newreno, cubic or bbr.")
    private String congestionControl;

    @Option(names = "--mode", defaultValue = "auto",
        description = "auto (namespaces when possible), netns or loopback (default ${DEFAULT-VALUE}).")
    private String mode;

    @Option(names = "--ping-count", defaultValue = "200", description = "Round trips for the RTT percentiles.")
    private int pingCount;

    @Override
    public Integer call() throws Exception
    {
        validate();
        final PrintWriter out = spec.commandLine().getOut();
        final boolean namespaces = "netns".equals(mode) || ("auto".equals(mode) && Netlab.availableScript().isPresent());
        if (!namespaces && "auto".equals(mode))
        {
            out.println("demo: " + Netlab.unavailableReason() + "; running on loopback instead");
        }
        final Path directory = Files.createTempDirectory("conduit-demo");
        try
        {
            final Path file = directory.resolve("demo.bin");
            final String sha256 = generate(file, (long)sizeMib << 20);
            out.printf(Locale.ROOT, "demo: %d MiB file, sha256 %s%n", sizeMib, sha256);
            out.printf(Locale.ROOT, "demo: path with loss %.1f%%, duplication %.1f%%, reordering %.1f%%, " +
                "corruption %.1f%%%n", loss * 100, duplicate * 100, reorder * 100, corrupt * 100);
            out.flush();
            final LabTransfer.Result result = LabTransfer.run(new LabTransfer.Settings(file,
                directory.resolve("received.bin"), loss, duplicate, reorder, corrupt, seed, congestionControl,
                pingCount, namespaces, 300), line ->
                {
                    out.println("  " + line);
                    out.flush();
                });
            return report(out, result, sha256, directory.resolve("received.bin"));
        }
        finally
        {
            try (Stream<Path> files = Files.walk(directory))
            {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private int report(final PrintWriter out, final LabTransfer.Result result, final String sha256,
        final Path received) throws IOException
    {
        final Matcher sent = SENT.matcher(result.sendLine());
        final Matcher arrived = RECEIVED.matcher(result.receiveLine());
        final boolean sentOk = result.sendExit() == 0 && sent.matches();
        final boolean arrivedOk = result.receiveExit() == 0 && arrived.matches();
        final String receivedHash = arrivedOk ? arrived.group(2) : "-";
        final String fileHash = Files.exists(received) ? sha256Of(received) : "-";
        final boolean intact = sha256.equals(receivedHash) && sha256.equals(fileHash);
        out.println();
        row(out, "mode", result.mode());
        row(out, "bytes", arrivedOk ? arrived.group(1) + " of " + ((long)sizeMib << 20) : "-");
        row(out, "transfer time", sentOk ? sent.group(2) + " s" : "-");
        row(out, "goodput", sentOk ? sent.group(3) + " Mbit/s" : "-");
        row(out, "retransmissions", sentOk ? sent.group(4) : "-");
        row(out, "receiver", result.receiveStats().isEmpty() ? "-" : result.receiveStats().substring(6));
        for (final String line : result.relaySummary())
        {
            row(out, "relay", line);
        }
        row(out, "rtt (ping 1 KiB)", result.pingLine().isEmpty() ? "-" : result.pingLine());
        row(out, "sha256 sent", sha256);
        row(out, "sha256 received", receivedHash + " (receiver), " + fileHash + " (file on disk)");
        out.println();
        if (!sentOk || !arrivedOk)
        {
            out.println("demo: FAILED: send: " + result.sendLine() + " / recv: " + result.receiveLine());
            return 1;
        }
        out.println(intact ? "demo: OK, file arrived intact" : "demo: FAILED, checksum mismatch");
        return intact ? 0 : 1;
    }

    private static void row(final PrintWriter out, final String name, final String value)
    {
        out.printf(Locale.ROOT, "| %-17s | %s%n", name, value);
    }

    private void validate()
    {
        require(sizeMib > 0 && sizeMib <= 4096, "--size-mib must be 1..4096");
        for (final double p : new double[]{loss, duplicate, reorder, corrupt})
        {
            require(p >= 0 && p < 1, "probabilities must be in [0, 1)");
        }
        require("auto".equals(mode) || "netns".equals(mode) || "loopback".equals(mode),
            "--mode must be auto, netns or loopback");
        require(pingCount >= 0, "--ping-count must be >= 0");
        require(CongestionOption.isKnown(congestionControl), "unknown --cc " + congestionControl);
        if ("netns".equals(mode) && Netlab.availableScript().isEmpty())
        {
            throw new ParameterException(spec.commandLine(), "--mode netns: " + Netlab.unavailableReason());
        }
    }

    private void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    /** Writes {@code length} seeded random bytes and returns their SHA-256. */
    private String generate(final Path file, final long length) throws IOException
    {
        final MessageDigest digest = sha256();
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] block = new byte[1 << 20];
        try (OutputStream output = Files.newOutputStream(file))
        {
            for (long written = 0; written < length; written += block.length)
            {
                random.nextBytes(block);
                final int size = (int)Math.min(block.length, length - written);
                output.write(block, 0, size);
                digest.update(block, 0, size);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String sha256Of(final Path file) throws IOException
    {
        final MessageDigest digest = sha256();
        try (DigestInputStream input = new DigestInputStream(Files.newInputStream(file), digest))
        {
            input.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
