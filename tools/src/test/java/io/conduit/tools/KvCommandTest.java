package io.conduit.tools;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.conduit.kv.Consistency;
import io.conduit.kv.KvCommandFlyweight;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvRequestFlyweight;
import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStateMachine;
import io.conduit.messaging.Members;
import io.conduit.messaging.conduit.ClientLinkHandler;
import io.conduit.messaging.conduit.ConduitMessaging;
import io.conduit.messaging.conduit.ConduitMessagingConfig;
import io.conduit.messaging.conduit.UdpDatagramPort;
import io.conduit.transport.status.StatusDirectory;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code conduit kv} with a stdin script against a one-member fake store over loopback UDP (a {@link ConduitMessaging}
 * with client links applying every request to a {@link KvStateMachine}): the exact line contract, timeouts, and
 * one-line usage errors.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KvCommandTest
{
    @TempDir
    static Path statusDir;

    private static String previousStatusDir;

    @BeforeAll
    static void keepCounterFilesInATemporaryDirectory()
    {
        previousStatusDir = System.getProperty(StatusDirectory.DIR_PROPERTY);
        System.setProperty(StatusDirectory.DIR_PROPERTY, statusDir.toString());
    }

    @AfterAll
    static void restoreStatusDirectory()
    {
        if (previousStatusDir == null)
        {
            System.clearProperty(StatusDirectory.DIR_PROPERTY);
        }
        else
        {
            System.setProperty(StatusDirectory.DIR_PROPERTY, previousStatusDir);
        }
    }

    @Test
    void aScriptGetsExactlyOneLinePerCommandInOrder() throws Exception
    {
        final String script = String.join("\n",
            "put a 1",
            "get a",
            "get b",
            "cas a 1 2",
            "cas a 1 3",
            "  get   a  ",
            "delete a",
            "get a",
            "lease L alice 60000",
            "lease L bob 60000",
            "bogus x",
            "put a",
            "put ключ значение",
            "get ключ") + "\n";
        try (FakeStore store = new FakeStore())
        {
            final Run run = run(script, "--cluster", store.address(), "--consistency", "SEQUENTIAL");

            assertEquals(0, run.exitCode, run.toString());
            assertEquals(List.of(
                "ok",
                "value 1",
                "missing",
                "ok",
                "fail",
                "value 2",
                "ok",
                "missing",
                "ok 9",
                "held alice",
                "error unknown command 'bogus'; " + io.conduit.kv.KvTextProtocol.USAGE,
                "error usage: put KEY VALUE",
                "ok",
                "value значение"), run.out.lines().toList(), run.toString());
            assertEquals("", run.err);
            assertEquals(12, store.consistencies.size(), "malformed lines were never sent");
            assertTrue(store.consistencies.stream().allMatch(c -> c == Consistency.SEQUENTIAL));
        }
    }

    @Test
    void aDeadFirstAddressIsSkippedAndNoReachableNodeAnswersTimeout() throws Exception
    {
        final String dead = "127.0.0.1:" + freePort();
        try (FakeStore store = new FakeStore())
        {
            final Run skipped = run("put k v\nget k\n", "--cluster", dead + "," + store.address(),
                "--timeout-ms", "4000");
            assertEquals(0, skipped.exitCode, skipped.toString());
            assertEquals(List.of("ok", "value v"), skipped.out.lines().toList());
        }
        final Run unreachable = run("put k v\nget k\n", "--cluster", dead, "--timeout-ms", "300");
        assertEquals(0, unreachable.exitCode, unreachable.toString());
        assertEquals(List.of("timeout", "timeout"), unreachable.out.lines().toList());
    }

    @Test
    void usageErrorsExitTwoWithOneLine()
    {
        assertUsageError(run("", "--timeout-ms", "100"), "--cluster");
        assertUsageError(run("", "--cluster", "127.0.0.1"), "not HOST:PORT");
        assertUsageError(run("", "--cluster", "127.0.0.1:9000,nohost.invalid:9000"), "cannot resolve");
        assertUsageError(run("", "--cluster", "127.0.0.1:9000", "--timeout-ms", "0"), "--timeout-ms must be >= 1");
        assertUsageError(run("", "--cluster", "127.0.0.1:9000", "--consistency", "strong"),
            "unknown consistency 'strong' (choose linearizable|sequential|eventual)");
    }

    @Test
    void emptyInputExitsZeroAtOnce()
    {
        final Run run = run("", "--cluster", "127.0.0.1:" + freePort());
        assertEquals(0, run.exitCode, run.toString());
        assertEquals("", run.out);
    }

    private static void assertUsageError(final Run run, final String text)
    {
        assertEquals(2, run.exitCode, run.toString());
        assertEquals("", run.out);
        assertEquals(1, run.err.lines().count(), run.err);
        assertTrue(run.err.startsWith("conduit: ") && run.err.contains(text), run.err);
    }

    /** Runs {@code conduit kv ARGS} with {@code stdin} as its input, as ConduitCli would (exit 2 on usage errors). */
    private static Run run(final String stdin, final String... args)
    {
        final InputStream input = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        final CommandLine.IFactory factory = new CommandLine.IFactory()
        {
            @Override
            public <K> K create(final Class<K> type) throws Exception
            {
                return type == KvCommand.class ? type.cast(new KvCommand(input)) :
                    CommandLine.defaultFactory().create(type);
            }
        };
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = new CommandLine(new ConduitCli(), factory);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setParameterExceptionHandler((ex, arguments) ->
        {
            ex.getCommandLine().getErr().println("conduit: " + ex.getMessage() + " (try --help)");
            return 2;
        });
        final String[] all = new String[args.length + 1];
        all[0] = "kv";
        System.arraycopy(args, 0, all, 1, args.length);
        return new Run(commandLine.execute(all), out.toString(), err.toString());
    }

    private record Run(int exitCode, String out, String err)
    {
        @Override
        public String toString()
        {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private static int freePort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * A one-member store from public APIs: client links on a {@link ConduitMessaging}, every request stamped into a
     * command and applied to a {@link KvStateMachine} at once (a log of one), on a daemon thread.
     */
    private static final class FakeStore implements ClientLinkHandler, AutoCloseable
    {
        final List<Consistency> consistencies = new CopyOnWriteArrayList<>();
        private final ConduitMessaging messaging;
        private final KvStateMachine store = new KvStateMachine(KvConfig.DEFAULT);
        private final KvRequestFlyweight request = new KvRequestFlyweight();
        private final UnsafeBuffer command = new UnsafeBuffer(new byte[KvCommandFlyweight.maxLength(KvConfig.DEFAULT)]);
        private final UnsafeBuffer out = new UnsafeBuffer(new byte[KvResponseFlyweight.maxLength(KvConfig.DEFAULT)]);
        private final InetSocketAddress address;
        private final Thread thread;
        private volatile boolean running = true;
        private long index;

        FakeStore() throws IOException
        {
            address = new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort());
            messaging = new ConduitMessaging(1, new int[]{1}, new ConduitMessagingConfig().maxClientLinks(8),
                new UdpDatagramPort(Members.of(Map.of(1, address)), 1), System::nanoTime, new SecureRandom());
            thread = new Thread(this::run, "fake-kv-store");
            thread.setDaemon(true);
            thread.start();
        }

        String address()
        {
            return "127.0.0.1:" + address.getPort();
        }

        private void run()
        {
            final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 100_000);
            while (running)
            {
                idle.idle(messaging.doWork() + messaging.pollClients(this, 16));
            }
            messaging.close();
        }

        @Override
        public void onClientMessage(final long linkId, final DirectBuffer buffer, final int offset, final int length)
        {
            final int responseLength;
            if (request.wrap(buffer, offset, length).validate(KvConfig.DEFAULT) < 0)
            {
                responseLength = KvResponseFlyweight.encodeError(out, 0, 0, 0, 0, "malformed request");
            }
            else
            {
                consistencies.add(request.consistency());
                final int commandLength = KvCommandFlyweight.encode(command, 0, 1, System.nanoTime(), buffer, offset,
                    length);
                responseLength = store.apply(++index, 1, command, 0, commandLength, out, 0);
            }
            messaging.sendToClient(linkId, out, 0, responseLength);
        }

        @Override
        public void onClientLinkClosed(final long linkId)
        {
        }

        @Override
        public void close() throws InterruptedException
        {
            running = false;
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }
}
