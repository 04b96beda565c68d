/**
 * The chain's configuration manager and the member that combines it with the data path, all pure.
 * {@link io.conduit.chain.control.ChainControlStateMachine} holds the chain's configuration as a replicated state
 * machine; {@link io.conduit.chain.control.ChainControlPlane} runs it on a {@link io.conduit.raft.RaftNode}, watches
 * the members with a {@link io.conduit.failure.FailureDetectorNode}, removes failed members, adds joining ones as the
 * tail and grants read leases; {@link io.conduit.chain.control.ChainMember} owns one
 * {@link io.conduit.chain.ChainReplica} and one control plane and multiplexes their peer messages on one link per
 * pair, tagged by {@link io.conduit.chain.control.PlaneTag}. With a separate control plane,
 * {@link io.conduit.chain.control.ChainControlMember}s are the Raft voters and hold no replica, and the chain members
 * are Raft learners of the same group. Time arrives as {@code nowNs}; randomness (election
 * jitter, incarnation numbers) from the injected generator. See {@code docs/chain-replication.md}, "Control plane".
 */
package io.conduit.chain.control;
