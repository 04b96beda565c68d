/** The endpoint's connection timer heap (schedule, cancel, poll) against a {@code java.util.PriorityQueue}. */
package io.conduit.bench.jmh.timers;
