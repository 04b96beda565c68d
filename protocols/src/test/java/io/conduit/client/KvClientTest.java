package io.conduit.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.conduit.kv.Consistency;
import io.conduit.kv.KvOperation;
import io.conduit.kv.client.KvClientConfig;
import io.conduit.kv.client.KvResult;
import io.conduit.transport.endpoint.Endpoint;
import io.conduit.transport.endpoint.EndpointContext;
import io.conduit.transport.endpoint.ThreadingMode;

/**
 * The blocking client over real UDP on loopback against {@link FakeKvCluster}: retries keep their sequence and are
 * applied once, hints are followed, dead addresses skipped, and an unreachable cluster answers TIMEOUT.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KvClientTest
{
    private static final long TIMEOUT_MS = 10_000;
    /** The default one-second attempts: a dropped answer or a dead address costs a second, a slow machine nothing. */
    private static final KvClientConfig CONFIG = new KvClientConfig();

    @Test
    void aDroppedResponseIsRetriedUnderTheSameSequenceAndTheStoredAnswerComesBack() throws Exception
    {
        try (FakeKvCluster cluster = new FakeKvCluster(1);
            Endpoint endpoint = Endpoint.launch(clientContext());
            KvClient client = client(endpoint, cluster.addresses()))
        {
            assertEquals("ok", client.put("k", "1", TIMEOUT_MS).line());
            cluster.node(1).dropResponses.set(1);

            final KvResult result = client.cas("k", "1", "2", TIMEOUT_MS);

            assertEquals("ok", result.line(), "a second application would have answered fail");
            assertTrue(client.session().attempts() >= 2);
            final List<byte[]> responses = cluster.node(1).responses;
            assertTrue(responses.size() >= 3, "put, cas, the cas retried");
            for (int i = 2; i < responses.size(); i++)
            {
                assertArrayEquals(responses.get(1), responses.get(i), "a retry gets the stored response");
            }
            assertEquals(2, result.index(), "the index of the one application");
            assertEquals("2", cluster.value("k"));
            assertEquals("value 2", client.get("k", TIMEOUT_MS).line());
        }
    }

    @Test
    void notLeaderWithAHintRedirectsAndTheLeaderIsAskedFirstFromThenOn() throws Exception
    {
        try (FakeKvCluster cluster = new FakeKvCluster(2);
            Endpoint endpoint = Endpoint.launch(clientContext());
            KvClient client = client(endpoint, cluster.addresses()))
        {
            cluster.node(1).notLeaderHint = 2;

            assertEquals("ok", client.put("k", "v", TIMEOUT_MS).line());
            assertEquals(1, cluster.node(1).requests.get(), "member 1 was asked first and redirected");
            assertEquals(1, client.session().leaderNode());

            assertEquals("value v", client.get("k", TIMEOUT_MS).line());
            assertEquals("ok", client.delete("k", TIMEOUT_MS).line());
            assertEquals("missing", client.get("k", TIMEOUT_MS).line());
            assertEquals(1, cluster.node(1).requests.get(), "then straight to the leader");
            assertEquals(4, cluster.node(2).requests.get());
        }
    }

    @Test
    void aDeadAddressIsSkipped() throws Exception
    {
        try (FakeKvCluster cluster = new FakeKvCluster(2, 1);
            Endpoint endpoint = Endpoint.launch(clientContext());
            KvClient client = client(endpoint, cluster.addresses()))
        {
            assertEquals("ok", client.put("k", "v", TIMEOUT_MS).line());
            assertEquals("ok", client.execute(KvOperation.cas("k", "v", "w"), TIMEOUT_MS).line());
            assertEquals(1, client.session().attempts(), "the live node leads now");
            assertEquals("w", cluster.value("k"));
        }
    }

    @Test
    void aLinkLostMidRequestIsRetriedOnAnotherNodeAndAppliedOnce() throws Exception
    {
        try (FakeKvCluster cluster = new FakeKvCluster(2);
            Endpoint endpoint = Endpoint.launch(clientContext());
            KvClient client = client(endpoint, cluster.addresses()))
        {
            cluster.node(2).notLeaderHint = 1;
            assertEquals("ok", client.put("k", "1", TIMEOUT_MS).line());
            cluster.node(2).notLeaderHint = -1;
            cluster.node(1).resetAfterApply.set(1);

            final KvResult result = client.cas("k", "1", "2", TIMEOUT_MS);

            assertEquals("ok", result.line());
            assertEquals(1, cluster.node(2).responses.size(), "member 2 answered the retry");
            assertArrayEquals(cluster.node(1).responses.get(1), cluster.node(2).responses.get(0),
                "with the stored response of the application on member 1");
            assertEquals(3, cluster.appliedIndex(), "put, cas, the retried cas as a no-change entry");
            assertEquals("2", cluster.value("k"));
        }
    }

    @Test
    void withNoReachableNodeACommandAnswersTimeout() throws Exception
    {
        try (FakeKvCluster cluster = new FakeKvCluster(2, 1, 2);
            Endpoint endpoint = Endpoint.launch(clientContext());
            KvClient client = client(endpoint, cluster.addresses()))
        {
            final KvResult result = client.put("k", "v", 700);
            assertEquals(KvResult.Outcome.TIMEOUT, result.outcome());
            assertEquals("timeout", result.line());
            assertTrue(client.session().attempts() == 0, "nothing was ever sent");
        }
    }

    @Test
    void aRequestBeyondTheLimitsIsAnErrorWithoutBeingSent() throws Exception
    {
        try (FakeKvCluster cluster = new FakeKvCluster(1);
            Endpoint endpoint = Endpoint.launch(clientContext());
            KvClient client = client(endpoint, cluster.addresses()))
        {
            final KvResult tooLong = client.put("k".repeat(300), "v", TIMEOUT_MS);
            assertEquals(KvResult.Outcome.ERROR, tooLong.outcome());
            assertTrue(tooLong.line().startsWith("error bad request"), tooLong.line());
            final KvResult huge = client.put("k", "v".repeat(200_000), TIMEOUT_MS);
            assertTrue(huge.line().startsWith("error request of"), huge.line());
            assertEquals("ok 1", client.lease("leader", "me", 1_000, TIMEOUT_MS).line(), "token = index 1");
            assertEquals(1, cluster.node(1).requests.get(), "only the lease went out");
        }
    }

    private static EndpointContext clientContext()
    {
        return new EndpointContext().bind("127.0.0.1", 0).threadingMode(ThreadingMode.INVOKER).statusFile(false);
    }

    private static KvClient client(final Endpoint endpoint, final List<InetSocketAddress> cluster)
    {
        return new KvClient(endpoint, cluster, Consistency.LINEARIZABLE, CONFIG, new SplittableRandom(42));
    }
}
