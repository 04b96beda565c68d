package io.conduit.linearizability;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static io.conduit.linearizability.CheckResult.Verdict.LINEARIZABLE;
import static io.conduit.linearizability.CheckResult.Verdict.NOT_LINEARIZABLE;
import static io.conduit.linearizability.CheckResult.Verdict.UNKNOWN;
import static io.conduit.linearizability.KvOperation.cas;
import static io.conduit.linearizability.KvOperation.delete;
import static io.conduit.linearizability.KvOperation.get;
import static io.conduit.linearizability.KvOperation.put;
import static io.conduit.linearizability.KvResult.FAIL;
import static io.conduit.linearizability.KvResult.MISSING;
import static io.conduit.linearizability.KvResult.OK;
import static io.conduit.linearizability.KvResult.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-written histories whose verdicts follow from the definition (Herlihy &amp; Wing 1990 §3) and from Porcupine's
 * register examples. Times are in arbitrary units; [a, b] is an operation's invocation and response.
 */
class LinearizabilityCheckerTest
{
    private static final KvModel KV = new KvModel();

    private final History history = new History();

    private CheckResult check()
    {
        return LinearizabilityChecker.check(history, KV);
    }

    @Test
    void emptyHistoryIsLinearizable()
    {
        assertEquals(LINEARIZABLE, check().verdict());
    }

    @Test
    void sequentialHistoryIsLinearizable()
    {
        history.record(0, get("x"), 0, MISSING, 5);
        history.record(0, put("x", "1"), 10, OK, 20);
        history.record(1, get("x"), 30, value("1"), 40);
        history.record(1, cas("x", "1", "2"), 50, OK, 60);
        history.record(0, cas("x", "1", "3"), 70, FAIL, 80);
        history.record(0, delete("x"), 90, OK, 100);
        history.record(1, get("x"), 110, MISSING, 120);

        final CheckResult result = check();

        assertEquals(LINEARIZABLE, result.verdict(), result::explanation);
        assertTrue(result.isLinearizable());
    }

    @Test
    void readOverlappingAWriteMaySeeEitherValue()
    {
        // Herlihy & Wing §3: overlapping operations may take effect in either order.
        history.record(0, put("x", "1"), 0, OK, 100);
        history.record(1, get("x"), 10, value("1"), 20);
        history.record(2, get("x"), 10, MISSING, 20);
        history.record(2, get("x"), 110, value("1"), 120);

        assertEquals(LINEARIZABLE, check().verdict());
    }

    @Test
    void overlappingWritesMayTakeEffectInEitherOrder()
    {
        history.record(0, put("x", "a"), 0, OK, 100);
        history.record(1, put("x", "b"), 0, OK, 100);
        history.record(2, get("x"), 110, value("a"), 120);

        assertEquals(LINEARIZABLE, check().verdict());
    }

    @Test
    void valueCannotChangeOnceConcurrentWritesHaveCompleted()
    {
        history.record(0, put("x", "a"), 0, OK, 100);
        history.record(1, put("x", "b"), 0, OK, 100);
        history.record(2, get("x"), 110, value("a"), 120);
        history.record(2, get("x"), 130, value("b"), 140);

        assertEquals(NOT_LINEARIZABLE, check().verdict());
    }

    @Test
    void porcupineRegisterExampleWithOverlappingReadsIsLinearizable()
    {
        // Porcupine's README: a read of the old value may take effect before a read of the new one while both
        // overlap the write.
        history.record(0, put("x", "0"), -10, OK, -5);
        history.record(0, put("x", "100"), 0, OK, 100);
        history.record(1, get("x"), 25, value("100"), 75);
        history.record(2, get("x"), 30, value("0"), 60);

        assertEquals(LINEARIZABLE, check().verdict());
    }

    @Test
    void porcupineRegisterExampleWithOrderedReadsIsNotLinearizable()
    {
        // Porcupine's README: the read of the new value returned before the read of the old one began.
        history.record(0, put("x", "0"), -10, OK, -5);
        history.record(0, put("x", "200"), 0, OK, 100);
        history.record(1, get("x"), 10, value("200"), 30);
        history.record(2, get("x"), 40, value("0"), 90);

        assertEquals(NOT_LINEARIZABLE, check().verdict());
    }

    @Test
    void staleReadAfterCompletedWriteIsNotLinearizableAndTheExplanationNamesIt()
    {
        history.record(0, put("x", "1"), 0, OK, 10);
        history.record(0, put("x", "2"), 20, OK, 30);
        final int staleRead = history.record(1, get("x"), 40, value("1"), 50);

        final CheckResult result = check();

        assertEquals(NOT_LINEARIZABLE, result.verdict());
        assertEquals("x", result.partitionKey());
        assertEquals(List.of(0, 1), result.longestLinearizablePrefix().stream().map(HistoryEntry::id).toList());
        assertEquals(staleRead, result.involved().get(0).id());
        assertTrue(result.explanation().contains("GET(x) -> VALUE(1)"), result::explanation);
        assertTrue(result.explanation().contains("VALUE(2)"), result::explanation);
    }

    @Test
    void readOfAValueBeforeItsWriteWasInvokedIsNotLinearizable()
    {
        history.record(1, get("x"), 0, value("1"), 10);
        history.record(0, put("x", "1"), 20, OK, 30);

        final CheckResult result = check();

        assertEquals(NOT_LINEARIZABLE, result.verdict());
        assertEquals(0, result.longestLinearizablePrefix().size());
        assertEquals(0, result.involved().get(0).id());
    }

    @Test
    void readMayObserveAWriteThatStartsAtTheSameInstantItReturns()
    {
        // Equal timestamps count as concurrent, so a coarse clock never manufactures a violation.
        history.record(1, get("x"), 0, value("1"), 10);
        history.record(0, put("x", "1"), 10, OK, 30);

        assertEquals(LINEARIZABLE, check().verdict());
    }

    @Test
    void concurrentCompareAndSetsCannotBothSucceedFromTheSameValue()
    {
        history.record(0, put("x", "a"), 0, OK, 10);
        history.record(1, cas("x", "a", "b"), 20, OK, 40);
        history.record(2, cas("x", "a", "c"), 20, OK, 40);

        assertEquals(NOT_LINEARIZABLE, check().verdict());
    }

    @Test
    void concurrentCompareAndSetsOneWinsOneFails()
    {
        history.record(0, put("x", "a"), 0, OK, 10);
        history.record(1, cas("x", "a", "b"), 20, OK, 40);
        history.record(2, cas("x", "a", "c"), 20, FAIL, 40);
        history.record(2, get("x"), 50, value("b"), 60);

        assertEquals(LINEARIZABLE, check().verdict());
    }

    @Test
    void compareAndSetsChainInRealTimeOrderDespiteOverlap()
    {
        // b then c must follow a: the second CAS can only succeed after the first.
        history.record(0, put("x", "a"), 0, OK, 10);
        history.record(1, cas("x", "b", "c"), 20, OK, 40);
        history.record(2, cas("x", "a", "b"), 25, OK, 35);
        history.record(2, get("x"), 50, value("c"), 60);

        assertEquals(LINEARIZABLE, check().verdict());
    }

    @Test
    void failedCompareAndSetOnTheExpectedValueIsNotLinearizable()
    {
        history.record(0, put("x", "a"), 0, OK, 10);
        history.record(1, cas("x", "a", "b"), 20, FAIL, 30);

        assertEquals(NOT_LINEARIZABLE, check().verdict());
    }

    @Test
    void compareAndSetOnMissingKeyCreatesIt()
    {
        history.record(0, cas("x", null, "a"), 0, OK, 10);
        history.record(1, cas("x", null, "b"), 20, FAIL, 30);
        history.record(1, get("x"), 40, value("a"), 50);

        assertEquals(LINEARIZABLE, check().verdict());
    }

    @Test
    void readAfterCompletedDeleteSeesNothing()
    {
        history.record(0, put("x", "a"), 0, OK, 10);
        history.record(0, delete("x"), 20, OK, 30);
        history.record(1, get("x"), 40, value("a"), 50);

        assertEquals(NOT_LINEARIZABLE, check().verdict());
    }

    @Test
    void openWriteMayHaveTakenEffect()
    {
        history.invoke(0, put("x", "1"), 0);
        history.record(1, get("x"), 10, value("1"), 20);

        assertEquals(LINEARIZABLE, check().verdict());
    }

    @Test
    void openWriteMayNotHaveTakenEffect()
    {
        history.invoke(0, put("x", "1"), 0);
        history.record(1, get("x"), 10, MISSING, 20);
        history.record(1, get("x"), 1_000, MISSING, 1_010);

        assertEquals(LINEARIZABLE, check().verdict());
    }

    @Test
    void openWriteMayTakeEffectLongAfterItsInvocation()
    {
        history.invoke(0, put("x", "1"), 0);
        history.record(1, get("x"), 10, MISSING, 20);
        history.record(1, get("x"), 1_000, value("1"), 1_010);

        assertEquals(LINEARIZABLE, check().verdict());
    }

    @Test
    void openWriteOnceObservedCannotBeUndone()
    {
        history.invoke(0, put("x", "1"), 0);
        history.record(1, get("x"), 10, value("1"), 20);
        history.record(1, get("x"), 30, MISSING, 40);

        assertEquals(NOT_LINEARIZABLE, check().verdict());
    }

    @Test
    void openWriteCannotTakeEffectBeforeItsInvocation()
    {
        history.record(1, get("x"), 0, value("1"), 10);
        history.invoke(0, put("x", "1"), 20);

        assertEquals(NOT_LINEARIZABLE, check().verdict());
    }

    @Test
    void chainOfOpenCompareAndSetsMayExplainARead()
    {
        // Only both open operations, in order, lead to c: the search must chain open operations, not just skip them.
        history.record(0, put("x", "a"), 0, OK, 10);
        history.invoke(1, cas("x", "b", "c"), 20);
        history.invoke(2, cas("x", "a", "b"), 20);
        history.record(3, get("x"), 30, value("c"), 40);

        assertEquals(LINEARIZABLE, check().verdict());
    }

    @Test
    void openWriteOverwrittenByACompletedWriteCannotReappear()
    {
        history.invoke(0, put("x", "1"), 0);
        history.record(1, put("x", "2"), 10, OK, 20);
        history.record(2, get("x"), 30, value("1"), 40);
        history.record(2, get("x"), 50, value("2"), 60);

        assertEquals(NOT_LINEARIZABLE, check().verdict());
    }

    @Test
    void openReadsAreIgnoredWhateverTheyWouldHaveSeen()
    {
        history.invoke(2, get("x"), 0);
        history.record(0, put("x", "1"), 10, OK, 20);
        history.invoke(2, get("x"), 30);

        final CheckResult result = check();

        assertEquals(LINEARIZABLE, result.verdict());
        assertTrue(result.explanation().contains("1 operations"), result::explanation);
    }

    @Test
    void violationOnOneKeyIsReportedWithThatKey()
    {
        history.record(0, put("x", "1"), 0, OK, 10);
        history.record(1, get("x"), 20, value("1"), 30);
        history.record(0, put("y", "1"), 0, OK, 10);
        history.record(1, get("y"), 20, MISSING, 30);

        final CheckResult result = check();

        assertEquals(NOT_LINEARIZABLE, result.verdict());
        assertEquals("y", result.partitionKey());
        assertTrue(result.explanation().startsWith("not linearizable: key y"), result::explanation);
    }

    @Test
    void smallStepBudgetGivesUnknown()
    {
        for (int i = 0; i < 100; i++)
        {
            history.record(i % 3, put("x", Integer.toString(i)), i * 10, OK, i * 10 + 5);
        }

        final CheckResult result = LinearizabilityChecker.check(history, KV, 10);

        assertEquals(UNKNOWN, result.verdict());
        assertEquals("x", result.partitionKey());
        assertTrue(result.explanation().contains("step budget"), result::explanation);
    }

    @Test
    void timeoutOnTheInjectedClockGivesUnknown()
    {
        for (int i = 0; i < 3 * SearchBudget.CLOCK_INTERVAL_STEPS; i++)
        {
            history.record(0, put("x", Integer.toString(i)), i * 10L, OK, i * 10L + 5);
        }
        // Each reading is a second later: the first check of the clock after the start finds the deadline passed.
        final AtomicLong nowNs = new AtomicLong();

        final CheckResult result =
            LinearizabilityChecker.check(history, KV, 1_000_000L, () -> nowNs.addAndGet(1_000_000_000L));

        assertEquals(UNKNOWN, result.verdict());
        assertTrue(result.explanation().contains("timed out"), result::explanation);
    }

    @Test
    void generousTimeoutOnTheInjectedClockDecides()
    {
        history.record(0, put("x", "1"), 0, OK, 10);

        final CheckResult result = LinearizabilityChecker.check(history, KV, 1_000_000L, () -> 0L);

        assertEquals(LINEARIZABLE, result.verdict());
    }

    @Test
    void resultThatAnOperationCanNeverGiveIsRejectedAsARecordingBug()
    {
        history.record(0, get("x"), 0, OK, 10);

        final IllegalArgumentException thrown =
            assertThrows(IllegalArgumentException.class, () -> check());
        assertEquals("GET(x) can never answer OK", thrown.getMessage());
    }
}
