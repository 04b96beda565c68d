package io.conduit.chain.control;

import io.conduit.chain.ChainOptions;
import io.conduit.chain.ChainReplica;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvStateMachine;

/**
 * Makes the fresh replicas a {@link ChainMember} runs: one at start and one each time the member rejoins after being
 * removed (a removed replica retires for good, since it may hold updates nobody else has).
 */
@FunctionalInterface
public interface ChainReplicaFactory
{
    /** A new replica for {@code memberId} over an empty state machine. */
    ChainReplica newReplica(int memberId, ChainOptions options);

    /** Replicas over a new {@link KvStateMachine} each. */
    static ChainReplicaFactory kv(final KvConfig kvConfig)
    {
        return (memberId, options) -> ChainReplica.ofKv(memberId, new KvStateMachine(kvConfig), options);
    }
}
