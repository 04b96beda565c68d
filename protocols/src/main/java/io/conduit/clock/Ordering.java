package io.conduit.clock;

/**
 * How two vector timestamps a and b relate under happened-before (Fidge 1988, Mattern 1988), read as "a is ... b".
 */
public enum Ordering
{
    /** a happened before b: a ≤ b pointwise and a ≠ b. */
    BEFORE,
    /** b happened before a. */
    AFTER,
    /** The same timestamp: the same event, or two states with identical causal history. */
    EQUAL,
    /** Neither happened before the other: some counter is larger in a and another larger in b. */
    CONCURRENT
}
