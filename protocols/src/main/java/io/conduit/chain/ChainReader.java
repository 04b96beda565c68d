package io.conduit.chain;

import io.conduit.kv.KvRequestFlyweight;
import org.agrona.MutableDirectBuffer;

/**
 * Answers a validated get from the local state machine's current state, as
 * {@code KvStateMachine.read(request, 0, out, offset)} does. The replica decides when local state may answer (the
 * tail, or a clean key under CRAQ); this only reads.
 */
@FunctionalInterface
public interface ChainReader
{
    /** @return the response length written at {@code outOffset}. */
    int read(KvRequestFlyweight request, MutableDirectBuffer out, int outOffset);
}
