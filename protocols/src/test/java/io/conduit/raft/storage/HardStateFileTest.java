package io.conduit.raft.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Torn and corrupted writes of the two-slot hard state: a load returns one of the states actually saved, whole,
 * and never one newer than the last save that began.
 */
class HardStateFileTest
{
    private static final HardState A = new HardState(1, 1, 0);
    private static final HardState B = new HardState(2, 3, 17);
    private static final HardState C = new HardState(5, 0, 40);
    private static final int SLOT_LENGTH = SlotFile.PAYLOAD_OFFSET + 20;

    @TempDir
    Path dir;

    private Path file()
    {
        return dir.resolve(HardStateFile.FILE_NAME);
    }

    private HardState loadImage(final byte[] image) throws IOException
    {
        Files.write(file(), image);
        try (HardStateFile hardState = HardStateFile.open(dir))
        {
            return hardState.load();
        }
    }

    @Test
    void aNewFileLoadsTheInitialState() throws IOException
    {
        try (HardStateFile hardState = HardStateFile.open(dir))
        {
            assertEquals(HardState.INITIAL, hardState.load());
        }
    }

    @Test
    void savesSurviveReopenAndTheSequenceContinues() throws IOException
    {
        try (HardStateFile hardState = HardStateFile.open(dir))
        {
            hardState.save(A);
            hardState.save(B);
            assertEquals(B, hardState.load());
        }
        try (HardStateFile hardState = HardStateFile.open(dir))
        {
            assertEquals(B, hardState.load());
            // Without loading first: the next save must still go to the older slot and win.
            hardState.save(C);
        }
        try (HardStateFile hardState = HardStateFile.open(dir))
        {
            assertEquals(C, hardState.load());
        }
        assertEquals(2 * SlotFile.SLOT_SPACING, Files.size(file()), "preallocated, never grows");
    }

    @Test
    void aTornSaveYieldsTheOldOrTheNewStateNeverAMix() throws IOException
    {
        final byte[] before;
        final byte[] after;
        try (HardStateFile hardState = HardStateFile.open(dir))
        {
            hardState.save(A);
            hardState.save(B);
            before = Files.readAllBytes(file());
            hardState.save(C);
            after = Files.readAllBytes(file());
        }
        final int slot = findChangedSlot(before, after);
        for (int split = 0; split <= SLOT_LENGTH; split++)
        {
            // New bytes up to the split, old after it; then the reverse, as sectors may land in either order.
            final byte[] prefixNew = before.clone();
            System.arraycopy(after, slot, prefixNew, slot, split);
            assertOneOf(loadImage(prefixNew), List.of(wholeNewSlot(prefixNew, after, slot) ? C : B), "prefix " + split);
            final byte[] suffixNew = before.clone();
            System.arraycopy(after, slot + split, suffixNew, slot + split, SLOT_LENGTH - split);
            assertOneOf(loadImage(suffixNew), List.of(wholeNewSlot(suffixNew, after, slot) ? C : B), "suffix " + split);
        }
    }

    @Test
    void flipsInTheNewestSlotFallBackToThePreviousState() throws IOException
    {
        final byte[] image;
        try (HardStateFile hardState = HardStateFile.open(dir))
        {
            hardState.save(A);
            hardState.save(B);
            hardState.save(C);
            image = Files.readAllBytes(file());
        }
        final int newest = SlotFile.SLOT_SPACING; // sequence 3 is odd: slot 1
        final Random random = new Random(7);
        for (int trial = 0; trial < 40; trial++)
        {
            final byte[] bytes = image.clone();
            final int at = newest + random.nextInt(SLOT_LENGTH);
            bytes[at] ^= (byte)(1 + random.nextInt(255));
            assertEquals(B, loadImage(bytes), "flip at " + at);
        }
    }

    @Test
    void truncationNeverYieldsAStateThatWasNotSaved() throws IOException
    {
        final byte[] image;
        try (HardStateFile hardState = HardStateFile.open(dir))
        {
            hardState.save(A);
            hardState.save(B);
            hardState.save(C);
            image = Files.readAllBytes(file());
        }
        for (final int length : new int[] {0, 10, SLOT_LENGTH - 1, SLOT_LENGTH, SlotFile.SLOT_SPACING + 5,
            SlotFile.SLOT_SPACING + SLOT_LENGTH - 1, SlotFile.SLOT_SPACING + SLOT_LENGTH})
        {
            final HardState loaded = loadImage(Arrays.copyOf(image, length));
            assertOneOf(loaded, List.of(HardState.INITIAL, B, C), "length " + length);
            if (length >= SlotFile.SLOT_SPACING + SLOT_LENGTH)
            {
                assertEquals(C, loaded);
            }
        }
    }

    @Test
    void aTornFirstSaveLoadsTheInitialState() throws IOException
    {
        final byte[] after;
        try (HardStateFile hardState = HardStateFile.open(dir))
        {
            hardState.save(A);
            after = Files.readAllBytes(file());
        }
        final byte[] torn = new byte[after.length];
        System.arraycopy(after, SlotFile.SLOT_SPACING, torn, SlotFile.SLOT_SPACING, SLOT_LENGTH / 2);
        assertEquals(HardState.INITIAL, loadImage(torn));
    }

    @Test
    void bothSlotsCorruptIsAnErrorNotAFreshStart() throws IOException
    {
        final byte[] image;
        try (HardStateFile hardState = HardStateFile.open(dir))
        {
            hardState.save(A);
            hardState.save(B);
            image = Files.readAllBytes(file());
        }
        image[SlotFile.SEQUENCE_OFFSET] ^= 1;
        image[SlotFile.SLOT_SPACING + SlotFile.SEQUENCE_OFFSET] ^= 1;
        Files.write(file(), image);
        final CorruptLogException thrown = assertThrows(CorruptLogException.class, () -> HardStateFile.open(dir));
        assertTrue(thrown.getMessage().contains("hardstate"), thrown.getMessage());
    }

    @Test
    void negativeFieldsAreRefused() throws IOException
    {
        try (HardStateFile hardState = HardStateFile.open(dir))
        {
            assertThrows(IllegalArgumentException.class, () -> hardState.save(-1, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> hardState.save(1, -2, 0));
        }
    }

    /** Whether the torn image's slot happens to equal the new slot (old and new may share trailing bytes). */
    private static boolean wholeNewSlot(final byte[] image, final byte[] after, final int slot)
    {
        return Arrays.equals(image, slot, slot + SLOT_LENGTH, after, slot, slot + SLOT_LENGTH);
    }

    private static int findChangedSlot(final byte[] before, final byte[] after)
    {
        for (int i = 0; i < before.length; i++)
        {
            if (before[i] != after[i])
            {
                return i < SlotFile.SLOT_SPACING ? 0 : SlotFile.SLOT_SPACING;
            }
        }
        throw new AssertionError("the save changed nothing");
    }

    private static void assertOneOf(final HardState actual, final List<HardState> allowed, final String what)
    {
        assertTrue(allowed.contains(actual), what + ": loaded " + actual + ", allowed " + allowed);
    }
}
