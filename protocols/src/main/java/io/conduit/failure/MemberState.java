package io.conduit.failure;

/** What one node believes about a peer; see {@link MembershipView} for the rules that move between them. */
public enum MemberState
{
    /** Heard from recently enough. */
    ALIVE,
    /** Suspicion is past the view's lower level, or the link to the peer went down; not yet declared dead. */
    SUSPECT,
    /** The failure detector declared the peer unavailable; it is still monitored and returns on its next arrival. */
    DEAD
}
