package io.conduit.chain;

import java.util.List;

import io.conduit.kv.KvOperation;
import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStatus;
import org.junit.jupiter.api.Test;

import static io.conduit.chain.ChainHarness.between;
import static io.conduit.chain.ChainHarness.ofType;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One rule per test, from chain replication (van Renesse and Schneider, OSDI 2004, cited as CR §n) and CRAQ
 * (Terrace and Freedman, USENIX ATC 2009), on hand-driven replicas with members 1, 2, 3 (head to tail).
 */
class ChainReplicaTest
{
    private static final long CLIENT = 77;
    private static final long LINK = 5;

    private static ChainHarness chain()
    {
        return new ChainHarness(ChainOptions.DEFAULT, 1, 2, 3);
    }

    private static ChainHarness craqChain()
    {
        return new ChainHarness(ChainOptions.DEFAULT.withCraqReads(true), 1, 2, 3);
    }

    private static String value(final KvResponseFlyweight response)
    {
        assertEquals(KvStatus.VALUE, response.status(), "status");
        return response.payloadString();
    }

    // ------------------------------------------------------------------------------------------ data path

    @Test
    void aWriteAtANonHeadIsRedirectedToTheHead()
    {
        // CR §2: only the head accepts updates.
        final ChainHarness chain = chain();
        chain.request(2, LINK, CLIENT, 1, KvOperation.put("k", "v"));

        final KvResponseFlyweight response = chain.onlyResponse(LINK);
        assertEquals(KvStatus.NOT_LEADER, response.status());
        assertEquals(1, response.leaderHint());
        assertEquals(0, chain.replica(2).lastSequence());
    }

    @Test
    void theHeadAnswersOnlyAfterTheTailsAcknowledgementReachesIt()
    {
        // CR §2: a reply is sent once the update is processed by the tail; acknowledgements flow back up.
        final ChainHarness chain = chain();
        chain.request(1, LINK, CLIENT, 1, KvOperation.put("k", "v"));
        assertEquals(1, chain.replica(1).lastSequence(), "the head applies at once");

        assertTrue(chain.deliverFirst(between(1, 2)));
        assertTrue(chain.deliverFirst(between(2, 3)));
        assertEquals(1, chain.replica(3).committedSequence(), "the tail commits what it applies");
        assertTrue(chain.responses(LINK).isEmpty(), "no answer before the ack reaches the head");
        assertEquals(0, chain.replica(1).committedSequence());

        assertTrue(chain.deliverFirst(between(3, 2)));
        assertTrue(chain.responses(LINK).isEmpty());
        assertTrue(chain.deliverFirst(between(2, 1)));

        final KvResponseFlyweight response = chain.onlyResponse(LINK);
        assertEquals(KvStatus.OK, response.status());
        assertEquals(1, response.index(), "the index is the global sequence number");
        assertEquals(0, chain.replica(1).pendingCount());
    }

    @Test
    void casIsDecidedInSequenceOrderWithTheSameOutcomeEverywhere()
    {
        // The head applies in sequence order; every member applies the same sequence, so the same outcome.
        final ChainHarness chain = chain();
        chain.request(1, 1, 10, 1, KvOperation.put("k", "a"));
        chain.request(1, 2, 20, 1, KvOperation.cas("k", "a", "b"));
        chain.request(1, 3, 30, 1, KvOperation.cas("k", "a", "c"));
        chain.deliverAll();

        assertEquals(KvStatus.OK, chain.onlyResponse(2).status());
        assertEquals(KvStatus.FAIL, chain.onlyResponse(3).status());
        assertArrayEquals("b".getBytes(), chain.machine(3).read("k".getBytes()));
        assertArrayEquals(chain.snapshot(1), chain.snapshot(2));
        assertArrayEquals(chain.snapshot(1), chain.snapshot(3));
    }

    @Test
    void writesBeyondTheWindowAreAnsweredRetry()
    {
        final ChainHarness chain = new ChainHarness(ChainOptions.DEFAULT.withWindowLength(2), 1, 2, 3);
        chain.request(1, 1, 10, 1, KvOperation.put("a", "1"));
        chain.request(1, 2, 20, 1, KvOperation.put("b", "2"));
        chain.request(1, 3, 30, 1, KvOperation.put("c", "3"));

        assertEquals(KvStatus.RETRY, chain.onlyResponse(3).status());
        assertEquals(2, chain.replica(1).lastSequence(), "the refused write was not sequenced");

        chain.deliverAll();
        chain.request(1, 3, 30, 1, KvOperation.put("c", "3"));
        chain.deliverAll();
        assertEquals(KvStatus.OK, chain.responses(3).get(1).status(), "room again once acknowledged");
    }

    @Test
    void updatesArePipelinedAndBatched()
    {
        final ChainHarness chain = new ChainHarness(ChainOptions.DEFAULT.withBatching(3, 1 << 16), 1, 2, 3);
        for (int i = 1; i <= 7; i++)
        {
            chain.request(1, i, 10 + i, 1, KvOperation.put("k" + i, "v"));
        }

        final List<ChainHarness.Envelope> forwards = chain.inFlight();
        assertEquals(3, forwards.size(), "7 updates in batches of at most 3: " + forwards);
        assertEquals(List.of(3, 3, 1), forwards.stream()
            .map(envelope -> ((ChainMessage.Forward)envelope.message()).updates().size()).toList());

        chain.deliverAll();
        for (int i = 1; i <= 7; i++)
        {
            assertEquals(KvStatus.OK, chain.onlyResponse(i).status());
        }
    }

    @Test
    void oneAcknowledgementCoversEveryUpdateTheTailAppliedSinceTheLast()
    {
        final ChainHarness chain = chain();
        for (int i = 1; i <= 5; i++)
        {
            chain.request(1, i, 10 + i, 1, KvOperation.put("k" + i, "v"));
        }
        assertTrue(chain.deliverFirst(between(1, 2)));
        assertTrue(chain.deliverFirst(between(2, 3)));

        final List<ChainHarness.Envelope> acks = chain.inFlight();
        assertEquals(1, acks.size());
        assertEquals(new ChainMessage.Ack(1, 5), acks.get(0).message());
    }

    @Test
    void messagesStampedWithAnOlderEpochAreIgnoredAndCounted()
    {
        final ChainHarness chain = chain();
        chain.configure(new ChainConfiguration(2, 1, 2, 3));
        final byte[] command = new byte[0];

        chain.replica(2).onMessage(chain.nowNs(), 1,
            new ChainMessage.Forward(1, List.of(new ChainUpdate(1, 1, command))));
        chain.replica(2).onMessage(chain.nowNs(), 3, new ChainMessage.Ack(1, 0));

        assertEquals(2, chain.replica(2).staleEpochMessages());
        assertEquals(0, chain.replica(2).lastSequence());
        assertEquals(0, chain.replica(2).protocolViolations());
    }

    @Test
    void aMessageFromAMemberThatIsNotTheNeighbourIsAViolationAndIgnored()
    {
        final ChainHarness chain = chain();
        chain.replica(3).onMessage(chain.nowNs(), 1,
            new ChainMessage.Forward(1, List.of(new ChainUpdate(1, 1, new byte[0]))));

        assertEquals(1, chain.replica(3).protocolViolations());
        assertEquals(0, chain.replica(3).lastSequence());
    }

    // ------------------------------------------------------------------------------------------ reads

    @Test
    void withoutCraqOnlyTheTailAnswersReads()
    {
        // CR §2: queries are directed to the tail.
        final ChainHarness chain = chain();
        chain.request(1, LINK, CLIENT, 1, KvOperation.put("k", "v"));
        chain.deliverAll();

        chain.request(2, 6, CLIENT, 2, KvOperation.get("k"));
        final KvResponseFlyweight redirect = chain.onlyResponse(6);
        assertEquals(KvStatus.NOT_LEADER, redirect.status());
        assertEquals(3, redirect.leaderHint(), "reads are redirected to the tail");

        chain.request(3, 7, CLIENT, 2, KvOperation.get("k"));
        assertEquals("v", value(chain.onlyResponse(7)));
    }

    @Test
    void theTailNeverShowsAnUncommittedWrite()
    {
        final ChainHarness chain = chain();
        chain.request(1, LINK, CLIENT, 1, KvOperation.put("k", "v"));
        chain.deliverFirst(between(1, 2));

        chain.request(3, 6, CLIENT, 2, KvOperation.get("k"));
        assertEquals(KvStatus.MISSING, chain.onlyResponse(6).status());
    }

    @Test
    void craqAnswersACleanKeyLocallyAtAnyMember()
    {
        // CRAQ §2.3: a clean object's latest version is committed; the member answers without asking anyone.
        final ChainHarness chain = craqChain();
        chain.request(1, LINK, CLIENT, 1, KvOperation.put("k", "v"));
        chain.deliverAll();

        chain.request(1, 6, CLIENT, 2, KvOperation.get("k"));
        chain.request(2, 7, CLIENT, 3, KvOperation.get("k"));
        chain.request(2, 8, CLIENT, 4, KvOperation.get("other"));

        assertEquals("v", value(chain.onlyResponse(6)));
        assertEquals("v", value(chain.onlyResponse(7)));
        assertEquals(KvStatus.MISSING, chain.onlyResponse(8).status());
        assertTrue(chain.inFlight().isEmpty(), "no query to the tail for clean keys");
        assertEquals(0, chain.replica(1).readQueries() + chain.replica(2).readQueries());
    }

    @Test
    void craqAsksTheTailAboutADirtyKeyAndAnswersWithTheCommittedValue()
    {
        // CRAQ §2.3: for a dirty object the member asks the tail for the committed version.
        final ChainHarness chain = craqChain();
        chain.request(1, LINK, CLIENT, 1, KvOperation.put("k", "old"));
        chain.deliverAll();
        chain.request(1, 6, CLIENT, 2, KvOperation.put("k", "new"));
        chain.deliverFirst(between(1, 2));

        chain.request(2, 7, CLIENT, 3, KvOperation.get("k"));
        assertTrue(chain.responses(7).isEmpty(), "a dirty key is not answered locally");
        assertEquals(1, chain.replica(2).readQueries());
        assertTrue(chain.deliverFirst(ofType(ChainMessageType.READ_QUERY)));
        assertTrue(chain.deliverFirst(ofType(ChainMessageType.READ_REPLY)));

        assertEquals("old", value(chain.onlyResponse(7)), "the tail had not committed the new value");
        assertArrayEquals("new".getBytes(), chain.machine(2).read("k".getBytes()), "the middle holds it, dirty");

        chain.deliverAll();
        chain.request(2, 8, CLIENT, 4, KvOperation.get("k"));
        assertEquals("new", value(chain.onlyResponse(8)), "clean again once acknowledged");
        assertEquals(1, chain.replica(2).readQueries());
    }

    @Test
    void craqReadsWaitingForTheTailAreAnsweredRetryWhenTheConfigurationChanges()
    {
        final ChainHarness chain = craqChain();
        chain.request(1, LINK, CLIENT, 1, KvOperation.put("k", "v"));
        chain.request(1, 6, CLIENT, 2, KvOperation.get("k"));
        assertEquals(1, chain.replica(1).pendingReadCount());

        chain.crash(3);
        chain.configure(new ChainConfiguration(2, 1, 2));

        assertEquals(KvStatus.RETRY, chain.onlyResponse(6).status());
        assertEquals(0, chain.replica(1).pendingReadCount());
    }

    // ------------------------------------------------------------------------------------------ reconfiguration

    @Test
    void headFailureMakesTheSuccessorHeadAndItsPendingUpdatesContinue()
    {
        // CR §3: the successor of a failed head becomes head; what it received is still sent down the chain.
        final ChainHarness chain = chain();
        chain.request(1, LINK, CLIENT, 1, KvOperation.put("k", "v"));
        chain.deliverFirst(between(1, 2));
        chain.crash(1);
        chain.configure(new ChainConfiguration(2, 2, 3));
        assertEquals(ChainRole.HEAD, chain.replica(2).role());

        chain.deliverAll();
        assertEquals(1, chain.replica(3).committedSequence(), "the pending update reached the tail");
        assertTrue(chain.responses(LINK).isEmpty(), "nobody answers for the crashed head");

        // The client retries under the same session sequence: the session answers the first outcome.
        chain.request(2, LINK, CLIENT, 1, KvOperation.put("k", "v"));
        chain.deliverAll();
        final KvResponseFlyweight response = chain.onlyResponse(LINK);
        assertEquals(KvStatus.OK, response.status());
        assertEquals(1, response.index(), "the original index: applied exactly once");
        assertEquals(2, chain.replica(3).lastSequence(), "the retry took a sequence number but changed nothing");
    }

    @Test
    void newHeadsContinueTheGlobalSequenceWithTheirEpochAsTerm()
    {
        final ChainHarness chain = chain();
        chain.request(1, 1, 10, 1, KvOperation.put("k", "v"));
        chain.deliverAll();
        chain.crash(1);
        chain.configure(new ChainConfiguration(2, 2, 3));
        chain.deliverAll();

        chain.request(2, 2, 20, 1, KvOperation.put("k", "w"));
        chain.deliverAll();

        assertEquals(2, chain.onlyResponse(2).index());
        assertEquals(2, chain.machine(3).appliedIndex());
        assertEquals(2, chain.machine(3).appliedTerm(), "the update is stamped with epoch 2");
    }

    @Test
    void tailFailureMakesThePredecessorTailWhichCommitsEverythingItHolds()
    {
        // CR §3: the predecessor of a failed tail becomes tail; everything it holds is committed.
        final ChainHarness chain = chain();
        chain.request(1, LINK, CLIENT, 1, KvOperation.put("k", "v"));
        chain.deliverFirst(between(1, 2));
        chain.crash(3);
        chain.configure(new ChainConfiguration(2, 1, 2));

        assertEquals(ChainRole.TAIL, chain.replica(2).role());
        assertEquals(1, chain.replica(2).committedSequence());
        chain.deliverAll();
        assertEquals(KvStatus.OK, chain.onlyResponse(LINK).status());
    }

    @Test
    void middleFailureResendsFromTheLastSequenceTheSuccessorReports()
    {
        // CR §3: the predecessor of a failed middle member sends the successor what it is missing.
        final ChainHarness chain = chain();
        for (int i = 1; i <= 3; i++)
        {
            chain.request(1, i, 10 + i, 1, KvOperation.put("k" + i, "v"));
            chain.deliverFirst(between(1, 2));
        }
        chain.deliverFirst(between(2, 3));
        chain.drop(envelope -> true);
        assertEquals(3, chain.replica(2).lastSequence());
        final long tailHeld = chain.replica(3).lastSequence();
        assertTrue(tailHeld >= 1 && tailHeld < 3, "the tail misses updates: " + tailHeld);

        chain.crash(2);
        chain.configure(new ChainConfiguration(2, 1, 3));
        final ChainHarness.Envelope hello = chain.inFlight().get(0);
        assertEquals(new ChainMessage.Hello(2, tailHeld, tailHeld), hello.message());
        assertTrue(chain.deliverFirst(ofType(ChainMessageType.HELLO)));

        final List<ChainHarness.Envelope> answer = chain.inFlight();
        assertEquals(new ChainMessage.Resume(2, tailHeld), answer.get(0).message());
        assertEquals(tailHeld + 1, ((ChainMessage.Forward)answer.get(1).message()).firstSequence());
        chain.deliverAll();
        for (int i = 1; i <= 3; i++)
        {
            assertEquals(KvStatus.OK, chain.onlyResponse(i).status());
        }
        assertEquals(0, chain.replica(3).duplicateUpdates(), "nothing the successor held was resent");
    }

    @Test
    void aNewMemberJoinsAsTailAfterASnapshotAndTheUpdatesSince()
    {
        // CR §3 (extending the chain): the new tail gets the old tail's state, then the updates after it.
        final ChainHarness chain = new ChainHarness(ChainOptions.DEFAULT.withSnapshotChunkBytes(16), 1, 2, 3);
        for (int i = 1; i <= 5; i++)
        {
            chain.request(1, i, 10 + i, 1, KvOperation.put("k" + i, "value" + i));
        }
        chain.deliverAll();

        chain.add(4);
        chain.configure(new ChainConfiguration(2, 1, 2, 3, 4));
        assertFalse(chain.replica(4).isSynced());
        chain.request(4, 20, 99, 1, KvOperation.get("k1"));
        assertEquals(KvStatus.RETRY, chain.onlyResponse(20).status(), "an unsynced tail serves nothing");

        chain.request(1, 6, 16, 1, KvOperation.put("k6", "value6"));
        chain.deliverAll();

        assertTrue(chain.replica(4).isSynced());
        assertEquals(1, chain.replica(3).snapshotsSent());
        assertEquals(1, chain.replica(4).snapshotsInstalled());
        assertEquals(6, chain.replica(4).committedSequence());
        assertEquals(KvStatus.OK, chain.onlyResponse(6).status(), "the write committed at the new tail");
        assertArrayEquals(chain.snapshot(3), chain.snapshot(4));
        chain.request(4, 21, 99, 2, KvOperation.get("k1"));
        assertEquals("value1", value(chain.onlyResponse(21)));
    }

    @Test
    void craqCountsEveryKeyOfASnapshotDirtyUntilTheSnapshotIsCommitted()
    {
        // A snapshot may hold updates the tail has not committed, and says nothing about which keys they touched.
        final ChainHarness chain = new ChainHarness(ChainOptions.DEFAULT.withCraqReads(true), 1, 2, 3);
        chain.request(1, 1, 11, 1, KvOperation.put("k", "old"));
        chain.deliverAll();
        chain.add(4);
        chain.add(5);
        chain.configure(new ChainConfiguration(2, 1, 2, 3, 4, 5));
        chain.request(1, 2, 12, 1, KvOperation.put("k", "new"));
        chain.deliverAll();
        assertTrue(chain.replica(4).isSynced(), "4 installed 3's snapshot");
        assertEquals(2, chain.replica(4).lastSequence());
        assertEquals(KvStatus.OK, chain.onlyResponse(2).status(), "5 synced from 4's own snapshot and committed");

        // Again, but 3 holds the new value before 4 asks, and 5 never comes up, so nothing commits.
        final ChainHarness stalled = new ChainHarness(ChainOptions.DEFAULT.withCraqReads(true), 1, 2, 3);
        stalled.request(1, 1, 11, 1, KvOperation.put("k", "old"));
        stalled.deliverAll();
        stalled.add(4);
        stalled.add(5);
        final ChainConfiguration joined = new ChainConfiguration(2, 1, 2, 3, 4, 5);
        for (int member = 1; member <= 3; member++)
        {
            stalled.configure(member, joined);
        }
        stalled.request(1, 2, 12, 1, KvOperation.put("k", "new"));
        stalled.deliverAll();
        assertEquals(2, stalled.replica(3).lastSequence());
        stalled.configure(4, joined);
        stalled.deliverAll();
        assertTrue(stalled.replica(4).isSynced());
        assertEquals(1, stalled.replica(4).snapshotsInstalled());
        assertEquals(1, stalled.replica(4).committedSequence());
        assertArrayEquals("new".getBytes(), stalled.machine(4).read("k".getBytes()), "uncommitted, from the snapshot");

        stalled.request(4, 3, 13, 1, KvOperation.get("k"));
        assertTrue(stalled.responses(3).isEmpty(), "not answered locally: the key may be dirty");
        assertTrue(stalled.deliverFirst(ofType(ChainMessageType.READ_QUERY)));
        assertTrue(stalled.deliverFirst(ofType(ChainMessageType.READ_REPLY)));
        assertEquals(KvStatus.RETRY, stalled.onlyResponse(3).status(), "the tail cannot answer yet");
    }

    @Test
    void aJoiningMemberWhosePredecessorStillHoldsEverythingIsResumedWithoutASnapshot()
    {
        final ChainHarness chain = chain();
        chain.add(4);
        chain.configure(new ChainConfiguration(2, 1, 2, 3, 4));
        chain.request(1, LINK, CLIENT, 1, KvOperation.put("k", "v"));
        chain.deliverAll();

        assertEquals(0, chain.replica(3).snapshotsSent());
        assertTrue(chain.replica(4).isSynced());
        assertEquals(KvStatus.OK, chain.onlyResponse(LINK).status());
    }

    @Test
    void aHeadThatIsRemovedAnswersItsPendingClientsNothing()
    {
        // Never a wrong answer: the client's write may or may not survive, so it gets none and retries.
        final ChainHarness chain = chain();
        chain.request(1, LINK, CLIENT, 1, KvOperation.put("k", "v"));
        chain.deliverFirst(between(1, 2));
        chain.configure(new ChainConfiguration(2, 2, 3));
        chain.deliverAll();

        assertEquals(ChainRole.RETIRED, chain.replica(1).role());
        assertEquals(1, chain.replica(1).abandonedClientRequests());
        assertTrue(chain.responses(LINK).isEmpty());
        chain.request(1, 6, CLIENT, 1, KvOperation.put("k", "v"));
        final KvResponseFlyweight redirect = chain.onlyResponse(6);
        assertEquals(KvStatus.NOT_LEADER, redirect.status());
        assertEquals(2, redirect.leaderHint());
    }

    @Test
    void aHelloFromANewerEpochIsKeptUntilThatConfigurationArrives()
    {
        final ChainHarness chain = chain();
        chain.request(1, LINK, CLIENT, 1, KvOperation.put("k", "v"));
        chain.drop(envelope -> true);
        chain.crash(2);
        final ChainConfiguration next = new ChainConfiguration(2, 1, 3);
        chain.configure(3, next);

        assertTrue(chain.deliverFirst(ofType(ChainMessageType.HELLO)));
        assertEquals(1, chain.replica(1).futureEpochMessages());
        assertTrue(chain.inFlight().isEmpty(), "the head cannot link before it adopts epoch 2");

        chain.configure(1, next);
        chain.deliverAll();
        assertEquals(KvStatus.OK, chain.onlyResponse(LINK).status());
    }

    @Test
    void anAckThatOvertakesTheConfigurationIsFoldedIntoTheKeptHello()
    {
        // 2 adopts epoch 2 and says HELLO to 1, then learns from its new successor that 1 is committed and ACKs;
        // both reach 1 before its own epoch 2 does. Acks are cumulative, so the kept HELLO absorbs the ACK.
        final ChainHarness chain = new ChainHarness(ChainOptions.DEFAULT, 1, 2, 3, 4);
        chain.request(1, LINK, CLIENT, 1, KvOperation.put("k", "v"));
        chain.deliverFirst(between(1, 2));
        chain.deliverFirst(between(2, 3));
        chain.drop(envelope -> true);
        chain.crash(4);
        final ChainConfiguration next = new ChainConfiguration(2, 1, 2, 3);
        chain.configure(2, next);
        chain.configure(3, next);
        chain.deliverAll();
        assertEquals(1, chain.replica(2).committedSequence());
        assertEquals(2, chain.replica(1).futureEpochMessages(), "the HELLO and the ACK from epoch 2");

        chain.configure(1, next);
        chain.deliverAll();
        assertEquals(KvStatus.OK, chain.onlyResponse(LINK).status());
    }

    @Test
    void configurationsOfAnOlderOrEqualEpochAreIgnored()
    {
        final ChainHarness chain = chain();
        final ChainReplica replica = chain.replica(2);
        assertTrue(replica.onConfiguration(0, new ChainConfiguration(3, 2, 3)));
        assertFalse(replica.onConfiguration(0, new ChainConfiguration(2, 1, 2, 3)));
        assertFalse(replica.onConfiguration(0, new ChainConfiguration(3, 1, 2)));
        assertEquals(ChainRole.HEAD, replica.role());
        assertEquals(3, replica.epoch());
    }

    @Test
    void aLinkResetIsRepairedByTheSuccessorsHello()
    {
        // Messaging may lose what was in flight when a link fails; the successor re-reports what it holds.
        final ChainHarness chain = chain();
        for (int i = 1; i <= 3; i++)
        {
            chain.request(1, i, 10 + i, 1, KvOperation.put("k" + i, "v"));
        }
        assertEquals(1, chain.drop(between(1, 2)));
        chain.replica(1).onLinkReset(chain.nowNs(), 2);
        chain.replica(2).onLinkReset(chain.nowNs(), 1);

        chain.deliverAll();
        for (int i = 1; i <= 3; i++)
        {
            assertEquals(KvStatus.OK, chain.onlyResponse(i).status());
        }
    }

    @Test
    void aGapInTheUpdatesMakesTheSuccessorAskAgain()
    {
        final ChainHarness chain = chain();
        chain.request(1, 1, 11, 1, KvOperation.put("a", "v"));
        assertEquals(1, chain.drop(between(1, 2)));
        chain.request(1, 2, 12, 1, KvOperation.put("b", "v"));
        assertTrue(chain.deliverFirst(between(1, 2)));

        assertEquals(1, chain.replica(2).outOfOrderUpdates());
        assertEquals(0, chain.replica(2).lastSequence());
        chain.deliverAll();
        assertEquals(KvStatus.OK, chain.onlyResponse(1).status());
        assertEquals(KvStatus.OK, chain.onlyResponse(2).status());
    }

    @Test
    void aSoleMemberIsHeadAndTailAndAnswersAtOnce()
    {
        final ChainHarness chain = new ChainHarness(ChainOptions.DEFAULT, 1);
        chain.request(1, LINK, CLIENT, 1, KvOperation.put("k", "v"));
        chain.request(1, 6, CLIENT, 2, KvOperation.get("k"));

        assertEquals(ChainRole.SOLE, chain.replica(1).role());
        assertEquals(KvStatus.OK, chain.onlyResponse(LINK).status());
        assertEquals("v", value(chain.onlyResponse(6)));
        assertTrue(chain.inFlight().isEmpty());
    }

    @Test
    void leasesTravelTheChainWithTheHeadsStampAndFenceWithTheSequence()
    {
        final ChainHarness chain = chain();
        chain.request(1, LINK, CLIENT, 1, KvOperation.lease("lock", "alice", 1_000));
        chain.deliverAll();
        chain.advanceNs(500_000_000L);
        chain.request(1, 6, 78, 1, KvOperation.lease("lock", "bob", 1_000));
        chain.deliverAll();

        final KvResponseFlyweight granted = chain.onlyResponse(LINK);
        assertEquals(KvStatus.OK, granted.status());
        assertEquals(1, granted.token(), "the fencing token is the grant's sequence number");
        assertEquals(KvStatus.HELD, chain.onlyResponse(6).status(), "half the ttl later, on the head's clock");
        assertArrayEquals(chain.snapshot(1), chain.snapshot(3));
    }

    @Test
    void aMalformedRequestIsAnsweredErrorAndNotSequenced()
    {
        final ChainHarness chain = chain();
        chain.replica(1).onClientRequest(0, LINK, new org.agrona.concurrent.UnsafeBuffer(new byte[10]), 0, 10);

        assertEquals(KvStatus.ERROR, chain.onlyResponse(LINK).status());
        assertEquals(0, chain.replica(1).lastSequence());
    }

    @Test
    void anUnconfiguredReplicaRedirectsWithoutAHintAndKeepsNoState()
    {
        final ChainReplica replica = ChainReplica.ofKv(9, new io.conduit.kv.KvStateMachine(
            io.conduit.kv.KvConfig.DEFAULT), ChainOptions.DEFAULT);
        assertEquals(ChainRole.UNCONFIGURED, replica.role());
        assertNull(replica.configuration());
        replica.onMessage(0, 1, new ChainMessage.Ack(1, 0));
        assertEquals(1, replica.futureEpochMessages());
    }
}
