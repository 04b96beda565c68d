package io.conduit.chain.control;

import io.conduit.chain.ChainOptions;
import io.conduit.kv.KvConfig;

/**
 * A {@link ChainMember}'s configuration. Every member of a chain must use the same {@link KvConfig} and
 * {@link ChainOptions} (they bound what replicas accept from each other and from clients).
 *
 * @param control the control plane: identity, Raft timing, chain members, failure detector, leases.
 * @param chain   the replicas' read mode and bounds.
 * @param kv      the limits client requests are validated against.
 */
public record ChainMemberConfig(ChainControlConfig control, ChainOptions chain, KvConfig kv)
{
    public ChainMemberConfig
    {
        if (control == null || chain == null || kv == null)
        {
            throw new IllegalArgumentException("control, chain and kv configurations must be given");
        }
    }

    public int memberId()
    {
        return control.raft().id();
    }
}
