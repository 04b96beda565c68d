package io.conduit.tools.cluster;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's real-process test: three {@code conduit node --engine chain} processes on loopback, concurrent
 * {@code conduit kv} clients, and members killed with SIGKILL while the clients run — the head, then the middle, then
 * the tail, each picked from the newest {@code chain E A,B,C} line once the restarted victim of the round before is
 * back in the chain — each restarted on its data directory to rejoin as the tail. The history, plus a final read of
 * every key, must be linearizable; CRAQ reads on and off.
 */
class ChainProcessClusterTest
{
    /** Round 0 kills the head, round 1 the middle, round 2 the tail of a chain of all three members. */
    private static final RaftProcessClusterTest.VictimChooser HEAD_MIDDLE_TAIL = (cluster, round, head) ->
    {
        try
        {
            final int[] chain = cluster.awaitFullChain(60_000);
            final int victim = chain[Math.min(round, chain.length - 1)];
            System.out.println("round " + round + ": chain " + Arrays.toString(chain) + ", SIGKILL " + victim);
            return victim;
        }
        catch (final Exception ex)
        {
            throw new AssertionError("round " + round + ": " + ex.getMessage(), ex);
        }
    };

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void headMiddleAndTailKilledWithTailReads(@TempDir final Path data) throws Exception
    {
        RaftProcessClusterTest.killRepeatedly(data, "conduit", 3, 17L, HEAD_MIDDLE_TAIL, "--engine", "chain");
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void headMiddleAndTailKilledWithCraqReads(@TempDir final Path data) throws Exception
    {
        RaftProcessClusterTest.killRepeatedly(data, "conduit", 3, 19L, HEAD_MIDDLE_TAIL, "--engine", "chain",
            "--craq");
    }

    /**
     * Members 1-3 form the chain, 4-6 run only the control plane (issue 6: "or on a separate set of nodes"): the same
     * kills of head, middle and tail, reconfigured by control members that hold no data.
     */
    @Test
    @Timeout(value = 360, unit = TimeUnit.SECONDS) // six JVMs and three clients: about 2 minutes on 2 busy cores
    void headMiddleAndTailKilledUnderASeparateControlPlane(@TempDir final Path data) throws Exception
    {
        RaftProcessClusterTest.killRepeatedly(data, "conduit", 6, 3, 23L, HEAD_MIDDLE_TAIL, "--engine", "chain",
            "--control-members", "4,5,6");
    }
}
