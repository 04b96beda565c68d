package io.conduit.chain;

/** Where {@link ChainReplica#pollMessages} hands messages for other members: the node agent's binding, or a test. */
@FunctionalInterface
public interface ChainMessageSink
{
    /**
     * Sends one message to {@code toMemberId}.
     *
     * @return true if it was taken; false (back pressure) keeps it in the replica for the next poll, in order.
     */
    boolean send(int toMemberId, ChainMessage message);
}
