/**
 * Lossy-link comparisons (issue 7): bulk goodput of Conduit's congestion controllers and kernel TCP's across the
 * same user-space IP link emulator ({@code tools/linkemu}), and how one Conduit flow shares the link with one TCP
 * flow. The orchestrator runs in the root namespace; each sender and receiver is a separate JVM in a namespace host.
 */
package io.conduit.bench.lossy;
