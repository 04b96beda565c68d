package io.conduit.failure;

/** Which {@link FailureDetector} a {@link FailureDetectorNode} runs per peer. */
public enum DetectorKind
{
    /** {@link FixedTimeoutDetector}. */
    FIXED,
    /** {@link PhiAccrualDetector}. */
    PHI
}
