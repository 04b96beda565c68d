package io.conduit.failure;

/** Learns of every change in a {@link MembershipView}, in order, on the thread that drives the view. */
@FunctionalInterface
public interface MembershipListener
{
    void onStateChange(int memberId, MemberState from, MemberState to, long nowNs);
}
