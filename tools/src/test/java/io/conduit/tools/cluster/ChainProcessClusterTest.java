package io.conduit.tools.cluster;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's real-process test: three {@code conduit node --engine chain} processes on loopback, concurrent
 * {@code conduit kv} clients, and members killed with SIGKILL while the clients run — the head, then another member
 * (middle or tail), then the head again — each restarted on its data directory to rejoin as the tail. The history,
 * plus a final read of every key, must be linearizable; CRAQ reads on and off.
 */
class ChainProcessClusterTest
{
    private static final RaftProcessClusterTest.VictimChooser HEAD_OTHER_HEAD = (cluster, round, head) ->
    {
        if (round % 2 == 0)
        {
            return head;
        }
        final List<Integer> others = cluster.liveMembersExcept(head);
        return others.get(round % others.size());
    };

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void headMiddleAndTailKilledWithTailReads(@TempDir final Path data) throws Exception
    {
        RaftProcessClusterTest.killRepeatedly(data, "conduit", 3, 17L, HEAD_OTHER_HEAD, "--engine", "chain");
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void headMiddleAndTailKilledWithCraqReads(@TempDir final Path data) throws Exception
    {
        RaftProcessClusterTest.killRepeatedly(data, "conduit", 3, 19L, HEAD_OTHER_HEAD, "--engine", "chain",
            "--craq");
    }
}
