package io.conduit.tools.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.conduit.linearizability.CheckResult;
import io.conduit.linearizability.History;
import io.conduit.linearizability.KvModel;
import io.conduit.linearizability.KvOperation;
import io.conduit.linearizability.KvResult;
import io.conduit.linearizability.LinearizabilityChecker;
import io.conduit.linearizability.Operation;
import io.conduit.linearizability.Result;

/**
 * Issue 5's real-process test: three {@code conduit node} processes on loopback, concurrent {@code conduit kv}
 * clients, and the leader killed with SIGKILL and restarted on the same data directory, again and again. Every
 * client operation goes into a history with its invoke and return times; `timeout` answers stay open (the outcome
 * is unknown). The whole history, plus a final read of every key, must be linearizable: an acknowledged write that
 * vanished, or a read of a value nobody wrote, has no linearization.
 */
class RaftProcessClusterTest
{
    private static final String[] KEYS = {"k0", "k1", "k2"};
    private static final int CLIENTS = 3;
    private static final long CLIENT_TIMEOUT_MS = 3_000;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void leaderKilledAndRestartedRepeatedlyOverConduit(@TempDir final Path data) throws Exception
    {
        // Snapshots every 50 entries: restarts recover from a snapshot plus log, laggards get InstallSnapshot.
        killLeaderRepeatedly(data, "conduit", 3, 7L, "--engine", "raft", "--snapshot-every", "50");
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void leaderKilledAndRestartedOverAeron(@TempDir final Path data) throws Exception
    {
        killLeaderRepeatedly(data, "aeron", 2, 11L, "--engine", "raft");
    }

    /**
     * Kills a member every round while clients run, restarts it on the same data directory, and checks the history.
     * The victim is the self-reported leader (Raft: the leader; chain: the head), except when {@code victims} picks
     * another for that round.
     */
    static void killLeaderRepeatedly(final Path data, final String transport, final int rounds, final long seed,
        final String... engineArguments) throws Exception
    {
        killRepeatedly(data, transport, rounds, seed, (cluster, round, leader) -> leader, engineArguments);
    }

    /** Chooses the member to kill in a round, given the current self-reported leader. */
    interface VictimChooser
    {
        int choose(ProcessCluster cluster, int round, int leader);
    }

    static void killRepeatedly(final Path data, final String transport, final int rounds, final long seed,
        final VictimChooser victims, final String... engineArguments) throws Exception
    {
        killRepeatedly(data, transport, 3, rounds, seed, victims, engineArguments);
    }

    /** As above with {@code members} processes (chain replication with a separate control plane: six). */
    static void killRepeatedly(final Path data, final String transport, final int members, final int rounds,
        final long seed, final VictimChooser victims, final String... engineArguments) throws Exception
    {
        final History history = new History();
        final Progress progress = new Progress();
        final AtomicBoolean stop = new AtomicBoolean();
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        try (ProcessCluster cluster = new ProcessCluster(members, data, transport, seed, engineArguments))
        {
            cluster.startAll();
            cluster.awaitSelfReportedLeader(30_000);
            final List<Thread> drivers = new ArrayList<>();
            final List<KvClientProcess> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++)
            {
                final KvClientProcess client = new KvClientProcess("kv-" + c, cluster.clusterAddresses(),
                    CLIENT_TIMEOUT_MS);
                clients.add(client);
                final int clientId = c;
                final Thread driver = new Thread(() -> drive(clientId, client, history, progress, stop, problems,
                    new SplittableRandom(seed * 31 + clientId)), "kv-driver-" + c);
                drivers.add(driver);
                driver.start();
            }

            for (int round = 0; round < rounds; round++)
            {
                progress.awaitMore(20, 60_000);
                final int victim = victims.choose(cluster, round, cluster.awaitSelfReportedLeader(30_000));
                cluster.kill(victim);
                progress.awaitMore(10, 60_000); // the survivors reconfigure and serve without the victim
                cluster.start(victim);
            }
            progress.awaitMore(20, 60_000);
            stop.set(true);
            for (final Thread driver : drivers)
            {
                driver.join(TimeUnit.SECONDS.toMillis(60));
            }
            for (final KvClientProcess client : clients)
            {
                assertEquals(0, client.finish(), "kv client exit code: " + client.tail());
            }
            assertTrue(problems.isEmpty(), "client problems: " + problems);

            // A fresh client reads every key after all others finished: lost acknowledged writes show up here.
            try (KvClientProcess reader = new KvClientProcess("kv-final", cluster.clusterAddresses(), 10_000))
            {
                for (final String key : KEYS)
                {
                    record(history, CLIENTS, KvOperation.get(key), reader, "get " + key, problems);
                }
                assertEquals(0, reader.finish());
            }
            assertTrue(problems.isEmpty(), "final read problems: " + problems);
        }
        final CheckResult result = LinearizabilityChecker.check(history, new KvModel());
        assertTrue(result.isLinearizable(), () -> "history of " + history.size() + " operations: " + result);
        assertTrue(progress.completed() >= 20 * (2 * rounds + 1), "completed " + progress.completed());
    }

    private static void drive(final int clientId, final KvClientProcess client, final History history,
        final Progress progress, final AtomicBoolean stop, final ConcurrentLinkedQueue<String> problems,
        final SplittableRandom random)
    {
        int written = 0;
        try
        {
            while (!stop.get())
            {
                final String key = KEYS[random.nextInt(KEYS.length)];
                final int choice = random.nextInt(10);
                final String value = "c" + clientId + "v" + written;
                final boolean answered;
                if (choice < 4)
                {
                    written++;
                    answered = record(history, clientId, KvOperation.put(key, value), client,
                        "put " + key + " " + value, problems);
                }
                else if (choice < 8)
                {
                    answered = record(history, clientId, KvOperation.get(key), client, "get " + key, problems);
                }
                else
                {
                    // Expect a value some client may have written, so some swaps succeed.
                    final String expected = "c" + random.nextInt(CLIENTS) + "v" + random.nextInt(Math.max(1, written));
                    written++;
                    answered = record(history, clientId, KvOperation.cas(key, expected, value), client,
                        "cas " + key + " " + expected + " " + value, problems);
                }
                if (answered)
                {
                    progress.completedOne();
                }
            }
        }
        catch (final Exception ex)
        {
            problems.add("client " + clientId + ": " + ex);
        }
    }

    /** Runs one command into the history; true when it got a definite answer. */
    private static boolean record(final History history, final int clientId, final Operation operation,
        final KvClientProcess client, final String command, final ConcurrentLinkedQueue<String> problems)
        throws Exception
    {
        final int id = history.invoke(clientId, operation, System.nanoTime());
        final String answer = client.call(command);
        final long returnedNs = System.nanoTime();
        final Result result = parse(answer);
        if (result != null)
        {
            history.complete(id, result, returnedNs);
            return true;
        }
        if (!"timeout".equals(answer))
        {
            problems.add("'" + command + "' answered '" + answer + "'");
        }
        return false;
    }

    /** The checker's result for an answer line; null for `timeout` (left open) and for anything unexpected. */
    private static Result parse(final String answer)
    {
        if ("ok".equals(answer))
        {
            return KvResult.OK;
        }
        if ("fail".equals(answer))
        {
            return KvResult.FAIL;
        }
        if ("missing".equals(answer))
        {
            return KvResult.MISSING;
        }
        if (answer.startsWith("value "))
        {
            return KvResult.value(answer.substring("value ".length()));
        }
        return null;
    }

    /** Counts client operations that got a definite answer, so the test can wait for progress instead of sleeping. */
    private static final class Progress
    {
        private long completed;

        synchronized void completedOne()
        {
            completed++;
            notifyAll();
        }

        synchronized long completed()
        {
            return completed;
        }

        synchronized void awaitMore(final long more, final long timeoutMs) throws InterruptedException
        {
            final long target = completed + more;
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            long remainingNs;
            while (completed < target && (remainingNs = deadlineNs - System.nanoTime()) > 0)
            {
                wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNs)));
            }
            if (completed < target)
            {
                throw new AssertionError("clients completed only " + (completed - target + more) + " of " + more +
                    " more operations within " + timeoutMs + " ms");
            }
        }
    }
}
