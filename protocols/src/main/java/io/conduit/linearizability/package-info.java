/**
 * A linearizability checker for client histories of replicated services (Herlihy &amp; Wing 1990), used by the
 * randomized simulated tests of Raft and chain replication and by real-process tests.
 * <p>
 * A {@link io.conduit.linearizability.History} records each operation's invocation and response with the caller's
 * timestamps; an operation whose response never came (timeout, crash) stays open and may or may not have taken
 * effect. {@link io.conduit.linearizability.LinearizabilityChecker} splits the history by key, since a history is
 * linearizable iff each key's sub-history is (P-compositionality, Horn &amp; Kroening 2015), and searches each
 * sub-history with Wing &amp; Gong's algorithm plus Lowe's memoization, as Porcupine (Athalye) does.
 * {@link io.conduit.linearizability.Model} is the sequential specification; {@link
 * io.conduit.linearizability.KvModel} specifies a key-value store.
 * <p>
 * This package is pure: no clocks, threads, sockets or files. Callers supply timestamps, and a checker time limit
 * reads a clock the caller injects.
 */
package io.conduit.linearizability;
