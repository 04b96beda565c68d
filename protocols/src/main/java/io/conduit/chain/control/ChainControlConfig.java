package io.conduit.chain.control;

import java.util.Arrays;
import java.util.stream.IntStream;

import io.conduit.failure.FailureDetectorConfig;
import io.conduit.raft.RaftConfig;

/**
 * How a {@link ChainControlPlane} runs. Every member runs one. Co-located (the default): every chain member is also
 * a Raft voter. Separate: the voters are control-only members ({@link ChainControlMember}) and the chain members are
 * not voters; the control plane's leader adds each as a Raft <em>learner</em>, so it still applies the control log
 * (and every configuration) itself, after the commit, without voting or counting in any majority. Both may be mixed:
 * any chain member that is not a voter becomes a learner.
 *
 * @param raft                          the control plane's Raft node: this member's id, the voters, timing in ticks,
 *                                      batching, snapshot transfer, random source. A chain member that is no voter
 *                                      is started with the same voters (it never campaigns).
 * @param tickNs                        the length of one Raft tick.
 * @param chainMembers                  every member that may be in the chain; those that are not voters are
 *                                      learners.
 * @param detector                      the failure detector the Raft leader acts on (its DEAD verdicts); every
 *                                      member runs it so a new leader's view is already warm.
 * @param leaseNs                       how long a read lease lasts on the member's clock from when it asked.
 * @param leaseRenewNs                  how often a member asks for a new lease; well below {@code leaseNs} so a
 *                                      lost answer does not end the lease.
 * @param adoptWaitNs                   how long a member waits, after applying a configuration that removed a
 *                                      member, before its replica adopts it: at least {@code leaseNs}, plus a
 *                                      margin for clocks running at different rates.
 * @param requestRetryNs                how often an unanswered join, sync report or failure report is repeated.
 * @param snapshotEveryEntries          snapshot the control state after this many applied entries; 0 never.
 * @param entriesRetainedBehindSnapshot log entries kept behind a snapshot for slightly lagging followers.
 */
public record ChainControlConfig(
    RaftConfig raft,
    long tickNs,
    int[] chainMembers,
    FailureDetectorConfig detector,
    long leaseNs,
    long leaseRenewNs,
    long adoptWaitNs,
    long requestRetryNs,
    long snapshotEveryEntries,
    long entriesRetainedBehindSnapshot)
{
    /** Snapshot the control state every 1,024 entries: it is a few hundred bytes, the log only grows on changes. */
    public static final long DEFAULT_SNAPSHOT_EVERY_ENTRIES = 1024;
    /** Entries kept behind a snapshot. */
    public static final long DEFAULT_ENTRIES_RETAINED = 64;

    public ChainControlConfig
    {
        chainMembers = chainMembers.clone();
        if (raft == null || detector == null)
        {
            throw new IllegalArgumentException("raft and detector configurations must be given");
        }
        detector.validate();
        if (chainMembers.length == 0 || Arrays.stream(chainMembers).distinct().count() != chainMembers.length ||
            Arrays.stream(chainMembers).anyMatch(member -> member <= 0))
        {
            throw new IllegalArgumentException("chain members must be at least one distinct positive id: " +
                Arrays.toString(chainMembers));
        }
        if (!isVoter(raft, raft.id()) && Arrays.stream(chainMembers).noneMatch(member -> member == raft.id()))
        {
            throw new IllegalArgumentException("member " + raft.id() + " is neither a voter of " +
                Arrays.toString(raft.voters()) + " nor a chain member of " + Arrays.toString(chainMembers));
        }
        if (tickNs < 1 || leaseNs < 1 || leaseRenewNs < 1 || requestRetryNs < 1)
        {
            throw new IllegalArgumentException("tickNs, leaseNs, leaseRenewNs and requestRetryNs must be positive");
        }
        if (leaseRenewNs >= leaseNs || adoptWaitNs < leaseNs)
        {
            throw new IllegalArgumentException("need leaseRenewNs < leaseNs <= adoptWaitNs: " + leaseRenewNs + ", " +
                leaseNs + ", " + adoptWaitNs);
        }
        if (snapshotEveryEntries < 0 || entriesRetainedBehindSnapshot < 0)
        {
            throw new IllegalArgumentException("snapshot policy must not be negative");
        }
    }

    /**
     * Half-second leases renewed every 100 ms, a 12.5% margin on the adoption wait (far above real clock drift), the
     * failure detector's defaults (heartbeats every 100 ms, phi accrual), retries every 200 ms.
     */
    public static ChainControlConfig defaults(final RaftConfig raft, final long tickNs, final int... chainMembers)
    {
        final long leaseNs = 500_000_000L;
        return new ChainControlConfig(raft, tickNs, chainMembers, new FailureDetectorConfig(), leaseNs,
            100_000_000L, leaseNs + leaseNs / 8, 200_000_000L, DEFAULT_SNAPSHOT_EVERY_ENTRIES,
            DEFAULT_ENTRIES_RETAINED);
    }

    public ChainControlConfig withLeases(final long lease, final long renew, final long adoptWait)
    {
        return new ChainControlConfig(raft, tickNs, chainMembers, detector, lease, renew, adoptWait, requestRetryNs,
            snapshotEveryEntries, entriesRetainedBehindSnapshot);
    }

    public ChainControlConfig withDetector(final FailureDetectorConfig config)
    {
        return new ChainControlConfig(raft, tickNs, chainMembers, config, leaseNs, leaseRenewNs, adoptWaitNs,
            requestRetryNs, snapshotEveryEntries, entriesRetainedBehindSnapshot);
    }

    public ChainControlConfig withRequestRetryNs(final long retryNs)
    {
        return new ChainControlConfig(raft, tickNs, chainMembers, detector, leaseNs, leaseRenewNs, adoptWaitNs,
            retryNs, snapshotEveryEntries, entriesRetainedBehindSnapshot);
    }

    public ChainControlConfig withSnapshots(final long everyEntries, final long retained)
    {
        return new ChainControlConfig(raft, tickNs, chainMembers, detector, leaseNs, leaseRenewNs, adoptWaitNs,
            requestRetryNs, everyEntries, retained);
    }

    @Override
    public int[] chainMembers()
    {
        return chainMembers.clone();
    }

    /** Every member, voters and chain members, ascending: the peers a member talks to (itself included). */
    public int[] allMembers()
    {
        return IntStream.concat(Arrays.stream(raft.voters()), Arrays.stream(chainMembers)).distinct().sorted()
            .toArray();
    }

    /** The chain members that are not voters, ascending: the leader adds them as Raft learners. */
    public int[] learners()
    {
        return Arrays.stream(chainMembers).filter(member -> !isVoter(raft, member)).sorted().toArray();
    }

    private static boolean isVoter(final RaftConfig raft, final int member)
    {
        return Arrays.stream(raft.voters()).anyMatch(voter -> voter == member);
    }
}
