package io.conduit.linearizability;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The checker is generic in its {@link Model}: a fetch-and-increment counter, with one partition, written here as a
 * future model (a register, a lease with fencing tokens) would be.
 */
class CustomModelTest
{
    /** Increments the counter and answers the value before the increment. */
    record Increment() implements Operation
    {
    }

    /** The value before the increment. */
    record Previous(long value) implements Result
    {
    }

    /** A counter starting at 0; states are boxed longs, which have value equality. */
    static final class CounterModel implements Model<Long>
    {
        @Override
        public Long initialState()
        {
            return 0L;
        }

        @Override
        public Long step(final Long state, final Operation operation, final Result result)
        {
            if (result != null && ((Previous)result).value() != state)
            {
                return null;
            }
            return state + 1;
        }

        @Override
        public String partitionKey(final Operation operation)
        {
            return "counter";
        }
    }

    private final History history = new History();

    @Test
    void concurrentIncrementsTakeDistinctValuesInAnyOrder()
    {
        history.record(0, new Increment(), 0, new Previous(1), 100);
        history.record(1, new Increment(), 10, new Previous(0), 90);
        history.record(2, new Increment(), 200, new Previous(2), 210);

        assertEquals(CheckResult.Verdict.LINEARIZABLE, LinearizabilityChecker.check(history, new CounterModel())
            .verdict());
    }

    @Test
    void twoIncrementsSeeingTheSameValueAreNotLinearizable()
    {
        history.record(0, new Increment(), 0, new Previous(0), 100);
        history.record(1, new Increment(), 10, new Previous(0), 90);

        final CheckResult result = LinearizabilityChecker.check(history, new CounterModel());

        assertEquals(CheckResult.Verdict.NOT_LINEARIZABLE, result.verdict());
        assertEquals("counter", result.partitionKey());
    }

    @Test
    void openIncrementExplainsAGap()
    {
        history.invoke(0, new Increment(), 0);
        history.record(1, new Increment(), 10, new Previous(1), 20);

        assertEquals(CheckResult.Verdict.LINEARIZABLE, LinearizabilityChecker.check(history, new CounterModel())
            .verdict());
    }
}
