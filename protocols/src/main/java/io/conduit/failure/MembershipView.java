package io.conduit.failure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.agrona.collections.Int2IntHashMap;

/**
 * One node's view of every peer: {@link MemberState#ALIVE}, {@link MemberState#SUSPECT} or {@link MemberState#DEAD}.
 * Every peer starts ALIVE (presumed up until it has had a detection time to prove otherwise). The rule, applied by
 * {@link #evaluate} after every arrival and timer:
 * <ul>
 * <li>DEAD when the detector declares the peer unavailable (suspicion at or above its threshold), or when the link
 * is down and the caller asks for link loss to count as death;</li>
 * <li>else SUSPECT when the suspicion is at or above {@code suspectFraction} of the threshold (by default half: phi 4
 * of 8, or half the fixed timeout), or the link to the peer is down, an early warning that costs nothing;</li>
 * <li>else ALIVE. A DEAD or SUSPECT peer is ALIVE again as soon as it is heard from, since an arrival resets its
 * suspicion to about 0; a node keeps monitoring peers it declared dead.</li>
 * </ul>
 * Listeners hear each change once, in order, on the driving thread.
 */
public final class MembershipView
{
    private final int[] memberIds;
    private final MemberState[] states;
    private final long[] lastChangeNs;
    private final long[] transitionsTo = new long[MemberState.values().length];
    private final Int2IntHashMap indexById;
    private final double suspectFraction;
    private final List<MembershipListener> listeners = new ArrayList<>();

    /**
     * @param peerIds         the monitored members, positive and distinct (the local member is not among them).
     * @param suspectFraction fraction of the detector threshold at which a peer becomes SUSPECT, in (0, 1].
     */
    public MembershipView(final int[] peerIds, final double suspectFraction)
    {
        if (!(suspectFraction > 0.0 && suspectFraction <= 1.0))
        {
            throw new IllegalArgumentException("suspectFraction must be in (0, 1]: " + suspectFraction);
        }
        this.memberIds = peerIds.clone();
        this.states = new MemberState[peerIds.length];
        this.lastChangeNs = new long[peerIds.length];
        this.suspectFraction = suspectFraction;
        this.indexById = new Int2IntHashMap(Math.max(8, peerIds.length * 2), 0.65f, -1);
        for (int i = 0; i < peerIds.length; i++)
        {
            if (peerIds[i] <= 0 || indexById.put(peerIds[i], i) != -1)
            {
                throw new IllegalArgumentException("peer ids must be positive and distinct: " +
                    Arrays.toString(peerIds));
            }
            states[i] = MemberState.ALIVE;
        }
    }

    public void addListener(final MembershipListener listener)
    {
        listeners.add(listener);
    }

    public int size()
    {
        return memberIds.length;
    }

    /** The peer at {@code index}, 0 to {@link #size()} - 1, in the order given at construction. */
    public int memberIdAt(final int index)
    {
        return memberIds[index];
    }

    /** The index of {@code memberId}, or -1 if it is not a peer. */
    public int indexOf(final int memberId)
    {
        return indexById.get(memberId);
    }

    public boolean contains(final int memberId)
    {
        return indexById.get(memberId) != -1;
    }

    public MemberState state(final int memberId)
    {
        return states[checkedIndex(memberId)];
    }

    /** When the peer last changed state, or 0 if it never has. */
    public long lastChangeNs(final int memberId)
    {
        return lastChangeNs[checkedIndex(memberId)];
    }

    /** How many peers are in {@code state} now. */
    public int count(final MemberState state)
    {
        int count = 0;
        for (final MemberState s : states)
        {
            count += s == state ? 1 : 0;
        }
        return count;
    }

    /** How many transitions into {@code state} this view has made. */
    public long transitionsTo(final MemberState state)
    {
        return transitionsTo[state.ordinal()];
    }

    public double suspectFraction()
    {
        return suspectFraction;
    }

    /** The suspicion at which the view calls a peer judged by {@code detector} SUSPECT. */
    public double suspectLevel(final FailureDetector detector)
    {
        return detector.threshold() * suspectFraction;
    }

    /**
     * Applies the rule in the class javadoc to one peer and notifies listeners of a change.
     *
     * @param linkDown     whether the peer's link is down (a hint: SUSPECT at least).
     * @param deadIfLinkDown whether a down link alone declares the peer DEAD.
     * @return the peer's state afterwards.
     */
    public MemberState evaluate(
        final int memberId,
        final FailureDetector detector,
        final boolean linkDown,
        final boolean deadIfLinkDown,
        final long nowNs)
    {
        final MemberState verdict;
        if (!detector.isAvailable(nowNs) || (linkDown && deadIfLinkDown))
        {
            verdict = MemberState.DEAD;
        }
        else if (linkDown || detector.suspicion(nowNs) >= suspectLevel(detector))
        {
            verdict = MemberState.SUSPECT;
        }
        else
        {
            verdict = MemberState.ALIVE;
        }
        state(memberId, verdict, nowNs);
        return verdict;
    }

    /**
     * Moves a peer to {@code to} and notifies listeners; nothing happens if it is already there. Every transition
     * between the three states is legal: a peer may die without a suspect phase (a link-down hint) and return from
     * any state.
     */
    public void state(final int memberId, final MemberState to, final long nowNs)
    {
        final int index = checkedIndex(memberId);
        final MemberState from = states[index];
        if (from == to)
        {
            return;
        }
        states[index] = to;
        lastChangeNs[index] = nowNs;
        transitionsTo[to.ordinal()]++;
        for (int i = 0, size = listeners.size(); i < size; i++)
        {
            listeners.get(i).onStateChange(memberId, from, to, nowNs);
        }
    }

    private int checkedIndex(final int memberId)
    {
        final int index = indexById.get(memberId);
        if (index == -1)
        {
            throw new IllegalArgumentException("not a monitored peer: " + memberId + " (peers " +
                Arrays.toString(memberIds) + ')');
        }
        return index;
    }

    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder("MembershipView{");
        for (int i = 0; i < memberIds.length; i++)
        {
            text.append(i == 0 ? "" : ", ").append(memberIds[i]).append('=').append(states[i]);
        }
        return text.append('}').toString();
    }
}
