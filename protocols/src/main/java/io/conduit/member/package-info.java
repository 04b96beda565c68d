/**
 * A running member of a replicated cluster, the edge around a pure {@code io.conduit.node} replica: durable storage,
 * peer messaging, client links and the thread that drives them. One Agrona {@link org.agrona.concurrent.Agent} per
 * member reads the clock once per duty cycle and feeds the replica; in-process clients reach it through lock-free
 * rings.
 */
package io.conduit.member;
