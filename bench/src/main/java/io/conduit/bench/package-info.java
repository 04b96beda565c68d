/** Benchmarks and side-by-side comparisons; each runnable from {@code bench/run}. */
package io.conduit.bench;
