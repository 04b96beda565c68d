/**
 * The sans-I/O connection engine in steady state: two engines joined in memory, one DATA segment and its ACK per
 * operation, on virtual time so no clock or socket takes part.
 */
package io.conduit.bench.jmh.engine;
