package io.conduit.chain.control;

import java.util.Arrays;
import java.util.SplittableRandom;

import io.conduit.chain.ChainConfiguration;
import io.conduit.kv.KvCodecError;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.conduit.chain.control.ChainControlStateMachine.APPLIED;
import static io.conduit.chain.control.ChainControlStateMachine.IGNORED;
import static io.conduit.chain.control.ChainControlStateMachine.REFUSED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The control state machine's rules, one per test, plus its snapshot and its handling of garbage. */
class ChainControlStateMachineTest
{
    private final UnsafeBuffer command = new UnsafeBuffer(new byte[64]);
    private final UnsafeBuffer response = new UnsafeBuffer(new byte[ChainControlStateMachine.RESPONSE_LENGTH]);
    private final ChainControlStateMachine machine = new ChainControlStateMachine(1, 2, 3, 4);
    private long index;

    @Test
    void firstJoinCreatesEpochOneWithTheMemberSynced()
    {
        assertNull(machine.configuration());
        assertEquals(APPLIED, join(2, 77));
        assertEquals(new ChainConfiguration(1, 2), machine.configuration());
        assertTrue(machine.isSynced(2), "the first configuration's members all start empty, hence synced");
        assertEquals(77, machine.incarnation(2));
        assertEquals(1, machine.joinedEpoch(2));
    }

    @Test
    void laterJoinsAppendTheMemberAsTailUnsynced()
    {
        join(1, 11);
        join(3, 33);
        join(2, 22);
        assertEquals(new ChainConfiguration(3, 1, 3, 2), machine.configuration());
        assertFalse(machine.isSynced(3));
        assertFalse(machine.isSynced(2));
        assertEquals(3, machine.joinedEpoch(2));
        assertEquals(0, machine.removalEpoch(), "joins remove nobody");
    }

    @Test
    void aJoinOfTheIncarnationAlreadyInTheChainChangesNothing()
    {
        join(1, 11);
        join(2, 22);
        assertEquals(IGNORED, join(2, 22));
        assertEquals(ChainControlStateMachine.REASON_ALREADY_IN_CHAIN, machine.lastReason());
        assertEquals(2, machine.epoch());
    }

    @Test
    void aJoinOfAnotherIncarnationReplacesTheOldOneAtTheTail()
    {
        join(1, 11);
        join(2, 22);
        join(3, 33);
        synced(2, 22);
        assertEquals(APPLIED, join(1, 111), "member 1 restarted empty");
        assertEquals(new ChainConfiguration(5, 2, 3, 1), machine.configuration(), "one epoch out, one epoch in");
        assertEquals(4, machine.removalEpoch());
        assertEquals(111, machine.incarnation(1));
        assertEquals(5, machine.joinedEpoch(1));
        assertFalse(machine.isSynced(1));
    }

    @Test
    void aRestartOfTheOnlySyncedMemberIsNotReplaced()
    {
        join(1, 11);
        join(2, 22);
        assertEquals(IGNORED, join(1, 111));
        assertEquals(ChainControlStateMachine.REASON_LAST_SYNCED, machine.lastReason());
        assertEquals(new ChainConfiguration(2, 1, 2), machine.configuration());
    }

    @Test
    void aFailureReportRemovesTheMemberInTheNextEpoch()
    {
        join(1, 11);
        join(2, 22);
        join(3, 33);
        synced(2, 22);
        assertEquals(APPLIED, reportFailed(2, 3));
        assertEquals(new ChainConfiguration(4, 1, 3), machine.configuration());
        assertFalse(machine.inChain(2));
        assertEquals(0, machine.incarnation(2));
        assertEquals(4, machine.removalEpoch());
    }

    @Test
    void aStaleFailureReportIsIgnored()
    {
        join(1, 11);
        join(2, 22);
        synced(2, 22);
        reportFailed(2, 2);
        join(2, 222);
        assertEquals(4, machine.joinedEpoch(2));
        assertEquals(IGNORED, reportFailed(2, 2), "observed before the new incarnation joined");
        assertEquals(ChainControlStateMachine.REASON_STALE, machine.lastReason());
        assertEquals(IGNORED, reportFailed(2, 9), "an epoch not reached yet");
        assertEquals(ChainControlStateMachine.REASON_STALE, machine.lastReason());
        assertEquals(IGNORED, reportFailed(4, 4), "not in the chain");
        assertEquals(ChainControlStateMachine.REASON_NOT_IN_CHAIN, machine.lastReason());
        assertEquals(new ChainConfiguration(4, 1, 2), machine.configuration());
    }

    @Test
    void aReportObservedAtAnEarlierEpochStillRemovesAMemberThatWasThereThen()
    {
        join(1, 11);
        join(2, 22);
        join(3, 33);
        synced(2, 22);
        synced(3, 33);
        assertEquals(APPLIED, reportFailed(1, 3));
        assertEquals(APPLIED, reportFailed(2, 3), "both failures were seen at epoch 3");
        assertEquals(new ChainConfiguration(5, 3), machine.configuration());
    }

    @Test
    void neverRemovesTheLastSyncedMember()
    {
        join(1, 11);
        assertEquals(IGNORED, reportFailed(1, 1), "the only member");
        assertEquals(ChainControlStateMachine.REASON_LAST_SYNCED, machine.lastReason());
        join(2, 22);
        assertEquals(IGNORED, reportFailed(1, 2), "member 2 has not caught up yet");
        assertEquals(APPLIED, reportFailed(2, 2), "an unsynced member may go");
        join(2, 222);
        synced(2, 222);
        assertEquals(APPLIED, reportFailed(1, 4), "once 2 has caught up, 1 may go");
        assertEquals(new ChainConfiguration(5, 2), machine.configuration());
        assertEquals(IGNORED, reportFailed(2, 5));
    }

    @Test
    void syncReportsCountOnlyForTheCurrentIncarnation()
    {
        join(1, 11);
        join(2, 22);
        assertEquals(IGNORED, synced(2, 99));
        assertEquals(IGNORED, synced(3, 33));
        assertEquals(APPLIED, synced(2, 22));
        assertEquals(IGNORED, synced(2, 22));
        assertEquals(ChainControlStateMachine.REASON_ALREADY_SYNCED, machine.lastReason());
        assertEquals(2, machine.epoch(), "a sync report issues no configuration");
    }

    @Test
    void epochsStrictlyIncreaseAndEveryConfigurationFollowsTheLastOnRandomCommands()
    {
        final SplittableRandom random = new SplittableRandom(42);
        final ChainControlStateMachine other = new ChainControlStateMachine(1, 2, 3, 4);
        ChainConfiguration previous = null;
        int changes = 0;
        for (int i = 0; i < 20_000; i++)
        {
            final int member = 1 + random.nextInt(5);
            final long incarnation = 1 + random.nextInt(3);
            final int length;
            switch (random.nextInt(3))
            {
                case 0 -> length = ControlCommandFlyweight.encodeReportFailed(command, 0, member,
                    Math.max(1, machine.epoch() - random.nextInt(3)));
                case 1 -> length = ControlCommandFlyweight.encodeRequestJoin(command, 0, member, incarnation);
                default -> length = ControlCommandFlyweight.encodeReportSynced(command, 0, member, incarnation);
            }
            index++;
            final long before = machine.epoch();
            final long issuedBefore = machine.configurationsIssued();
            machine.apply(index, 1, command, 0, length, response, 0);
            final long issued = machine.configurationsIssued() - issuedBefore;
            other.apply(index, 1, command, 0, length, new UnsafeBuffer(new byte[16]), 0);
            final ChainConfiguration now = machine.configuration();
            assertTrue(machine.epoch() >= before && machine.epoch() <= before + 2);
            assertEquals(now, other.configuration(), "deterministic");
            assertEquals(machine.epoch() - before, issued, "one epoch per configuration issued");
            if (issued == 2 && previous != null)
            {
                // A restart: out (one epoch) and back in as the tail (the next), applied together.
                final int[] members = now.members();
                final ChainConfiguration between = new ChainConfiguration(now.epoch() - 1,
                    Arrays.copyOf(members, members.length - 1));
                assertTrue(between.followsFrom(previous) && now.followsFrom(between), () -> now + " after " + machine);
                assertEquals(member, now.tail());
            }
            else if (issued == 1 && previous != null)
            {
                assertTrue(now.followsFrom(previous), () -> now + " after " + machine);
            }
            if (now != null && !now.equals(previous))
            {
                assertTrue(previous == null || now.epoch() > previous.epoch());
                assertTrue(Arrays.stream(now.members()).anyMatch(machine::isSynced), "a synced member remains");
                changes++;
                previous = now;
            }
        }
        assertTrue(changes > 1_000, "the commands changed the chain " + changes + " times");
        assertArrayEquals(snapshot(machine), snapshot(other));
    }

    @Test
    void snapshotRoundTripRestoresEverything()
    {
        join(3, 33);
        join(1, 11);
        join(4, 44);
        synced(1, 11);
        reportFailed(3, 3);
        final byte[] image = snapshot(machine);
        assertEquals(machine.snapshotLength(), image.length);

        final ChainControlStateMachine restored = new ChainControlStateMachine(4, 3, 2, 1);
        assertEquals(0, restored.restoreSnapshot(new UnsafeBuffer(image), 0, image.length));
        assertEquals(machine.configuration(), restored.configuration());
        assertEquals(machine.appliedIndex(), restored.appliedIndex());
        assertEquals(machine.appliedTerm(), restored.appliedTerm());
        assertEquals(machine.removalEpoch(), restored.removalEpoch());
        for (int member = 1; member <= 4; member++)
        {
            assertEquals(machine.incarnation(member), restored.incarnation(member));
            assertEquals(machine.joinedEpoch(member), restored.joinedEpoch(member));
            assertEquals(machine.isSynced(member), restored.isSynced(member));
        }
        assertArrayEquals(image, snapshot(restored));

        // Both go on identically from there.
        index++;
        final int length = ControlCommandFlyweight.encodeRequestJoin(command, 0, 3, 333);
        machine.apply(index, 2, command, 0, length, response, 0);
        restored.apply(index, 2, command, 0, length, response, 0);
        assertArrayEquals(snapshot(machine), snapshot(restored));
    }

    @Test
    void anEmptyStateRoundTripsToo()
    {
        final byte[] image = snapshot(machine);
        final ChainControlStateMachine restored = new ChainControlStateMachine(1, 2, 3, 4);
        assertEquals(0, restored.restoreSnapshot(new UnsafeBuffer(image), 0, image.length));
        assertNull(restored.configuration());
    }

    @Test
    void anOlderSnapshotOrGarbageIsRefusedAndChangesNothing()
    {
        join(1, 11);
        final byte[] old = snapshot(machine);
        join(2, 22);
        final byte[] current = snapshot(machine);
        assertEquals(KvCodecError.SNAPSHOT_BEHIND, machine.restoreSnapshot(new UnsafeBuffer(old), 0, old.length));
        assertArrayEquals(current, snapshot(machine));

        final ChainControlStateMachine otherMembers = new ChainControlStateMachine(1, 2, 3, 5);
        assertTrue(otherMembers.restoreSnapshot(new UnsafeBuffer(current), 0, current.length) < 0);

        final SplittableRandom random = new SplittableRandom(7);
        int refused = 0;
        for (int i = 0; i < 50_000; i++)
        {
            final byte[] garbage = current.clone();
            final int flips = 1 + random.nextInt(3);
            for (int f = 0; f < flips; f++)
            {
                garbage[random.nextInt(garbage.length)] = (byte)random.nextInt(256);
            }
            final int length = random.nextInt(10) == 0 ? random.nextInt(garbage.length + 1) : garbage.length;
            final ChainControlStateMachine target = new ChainControlStateMachine(1, 2, 3, 4);
            final int result = target.restoreSnapshot(new UnsafeBuffer(garbage), 0, length);
            if (result < 0)
            {
                refused++;
                assertEquals(0, target.appliedIndex(), "a refused snapshot leaves the state as it was");
                assertNull(target.configuration());
            }
            else
            {
                // What is accepted must be a consistent state that writes back the same bytes.
                assertArrayEquals(Arrays.copyOf(garbage, length), snapshot(target));
            }
        }
        assertTrue(refused > 40_000, "refused " + refused);
    }

    @Test
    void garbageCommandsAreRefusedWithoutChangingTheChain()
    {
        join(1, 11);
        final ChainConfiguration before = machine.configuration();
        assertRefused(KvCodecError.BAD_LENGTH, 23, c -> ControlCommandFlyweight.encodeRequestJoin(c, 0, 2, 1));
        assertRefused(KvCodecError.BAD_VERSION, 24, c ->
        {
            ControlCommandFlyweight.encodeRequestJoin(c, 0, 2, 1);
            c.putByte(ControlCommandFlyweight.VERSION_OFFSET, (byte)2);
        });
        assertRefused(KvCodecError.BAD_OP, 24, c -> ControlCommandFlyweight.encode(c, 0, (byte)9, 2, 0, 1));
        assertRefused(KvCodecError.NONZERO_RESERVED, 24, c ->
        {
            ControlCommandFlyweight.encodeRequestJoin(c, 0, 2, 1);
            c.putByte(ControlCommandFlyweight.RESERVED_OFFSET, (byte)1);
        });
        assertRefused(KvCodecError.BAD_NUMBER, 24, c -> ControlCommandFlyweight.encodeRequestJoin(c, 0, 0, 1));
        assertRefused(KvCodecError.BAD_NUMBER, 24, c -> ControlCommandFlyweight.encodeRequestJoin(c, 0, 2, 0));
        assertRefused(KvCodecError.BAD_NUMBER, 24, c -> ControlCommandFlyweight.encodeReportFailed(c, 0, 1, 0));
        assertRefused(KvCodecError.UNEXPECTED_FIELD, 24, c ->
            ControlCommandFlyweight.encode(c, 0, ControlCommandFlyweight.REPORT_FAILED, 1, 1, 5));
        assertRefused(KvCodecError.UNEXPECTED_FIELD, 24, c ->
            ControlCommandFlyweight.encode(c, 0, ControlCommandFlyweight.REPORT_SYNCED, 1, 1, 5));

        ControlCommandFlyweight.encodeRequestJoin(command, 0, 9, 1);
        index++;
        machine.apply(index, 1, command, 0, ControlCommandFlyweight.LENGTH, response, 0);
        assertEquals(REFUSED, response.getByte(ChainControlStateMachine.RESPONSE_OUTCOME_OFFSET));
        assertEquals(ChainControlStateMachine.REASON_UNKNOWN_MEMBER, machine.lastReason());

        assertEquals(before, machine.configuration());

        // Random bytes (biased towards small values, so some pass the first checks) never throw.
        final SplittableRandom random = new SplittableRandom(3);
        int refused = 0;
        for (int i = 0; i < 100_000; i++)
        {
            final int length = random.nextInt(40);
            for (int b = 0; b < length; b++)
            {
                command.putByte(b, (byte)(random.nextInt(4) == 0 ? random.nextInt(4) : random.nextInt(256)));
            }
            index++;
            final long epoch = machine.epoch();
            machine.apply(index, 1, command, 0, length, response, 0);
            assertEquals(index, machine.appliedIndex());
            assertTrue(machine.epoch() >= epoch);
            refused += machine.lastOutcome() == REFUSED ? 1 : 0;
        }
        assertTrue(refused > 99_000, "refused " + refused);
    }

    @Test
    void aNoOpEntryOnlyAdvancesTheIndex()
    {
        index++;
        assertEquals(0, machine.apply(index, 3, command, 0, 0, response, 0));
        assertEquals(index, machine.appliedIndex());
        assertEquals(3, machine.appliedTerm());
        assertNull(machine.configuration());
    }

    @Test
    void anIndexThatDoesNotGrowIsAnEngineBug()
    {
        join(1, 11);
        final int length = ControlCommandFlyweight.encodeRequestJoin(command, 0, 2, 22);
        assertThrows(IllegalStateException.class, () -> machine.apply(index, 1, command, 0, length, response, 0));
        assertThrows(IllegalStateException.class, () -> machine.apply(index + 1, 0, command, 0, length, response, 0));
    }

    @Test
    void theResponseCarriesOutcomeReasonAndEpoch()
    {
        join(1, 11);
        assertEquals(APPLIED, response.getByte(ChainControlStateMachine.RESPONSE_OUTCOME_OFFSET));
        assertEquals(ChainControlStateMachine.REASON_NONE,
            response.getByte(ChainControlStateMachine.RESPONSE_REASON_OFFSET));
        assertEquals(1,
            response.getLong(ChainControlStateMachine.RESPONSE_EPOCH_OFFSET, ControlCommandFlyweight.BYTE_ORDER));
        join(1, 11);
        assertEquals(IGNORED, response.getByte(ChainControlStateMachine.RESPONSE_OUTCOME_OFFSET));
        assertEquals(ChainControlStateMachine.REASON_ALREADY_IN_CHAIN,
            response.getByte(ChainControlStateMachine.RESPONSE_REASON_OFFSET));
    }

    // ------------------------------------------------------------------------------------------ helpers

    private interface Encoder
    {
        void encode(MutableDirectBuffer buffer);
    }

    private void assertRefused(final int error, final int length, final Encoder encoder)
    {
        command.setMemory(0, command.capacity(), (byte)0);
        encoder.encode(command);
        index++;
        final long epoch = machine.epoch();
        final int responseLength = machine.apply(index, 1, command, 0, length, response, 0);
        assertEquals(ChainControlStateMachine.RESPONSE_LENGTH, responseLength);
        assertEquals(REFUSED, machine.lastOutcome());
        assertEquals((byte)-error, machine.lastReason(), () -> KvCodecError.describe(error));
        assertEquals(epoch, machine.epoch());
    }

    private byte join(final int member, final long incarnation)
    {
        return apply(ControlCommandFlyweight.encodeRequestJoin(command, 0, member, incarnation));
    }

    private byte synced(final int member, final long incarnation)
    {
        return apply(ControlCommandFlyweight.encodeReportSynced(command, 0, member, incarnation));
    }

    private byte reportFailed(final int member, final long observedEpoch)
    {
        return apply(ControlCommandFlyweight.encodeReportFailed(command, 0, member, observedEpoch));
    }

    private byte apply(final int length)
    {
        index++;
        assertEquals(ChainControlStateMachine.RESPONSE_LENGTH,
            machine.apply(index, 1, command, 0, length, response, 0));
        assertEquals(machine.lastOutcome(), response.getByte(ChainControlStateMachine.RESPONSE_OUTCOME_OFFSET));
        return machine.lastOutcome();
    }

    static byte[] snapshot(final ChainControlStateMachine target)
    {
        final ExpandableArrayBuffer image = new ExpandableArrayBuffer(256);
        final int[] length = new int[1];
        target.writeSnapshot((buffer, offset, chunk) ->
        {
            image.putBytes(length[0], buffer, offset, chunk);
            length[0] += chunk;
        });
        return Arrays.copyOf(image.byteArray(), length[0]);
    }
}
