/**
 * Failure detection, pure (no clock, threads, sockets or unseeded randomness: time comes in as {@code nowNs}).
 * A {@link io.conduit.failure.FailureDetector} judges one peer from its arrivals: a
 * {@link io.conduit.failure.FixedTimeoutDetector} or a {@link io.conduit.failure.PhiAccrualDetector} (Hayashibara
 * et al. 2004). A {@link io.conduit.failure.MembershipView} turns suspicion into ALIVE / SUSPECT / DEAD with listener
 * callbacks, and a {@link io.conduit.failure.FailureDetectorNode} runs heartbeats and/or pings over
 * {@link io.conduit.messaging.Messaging}. {@link io.conduit.failure.DetectorReport} measures detection time and
 * false verdicts on virtual time; see docs/failure-detection.md.
 */
package io.conduit.failure;
