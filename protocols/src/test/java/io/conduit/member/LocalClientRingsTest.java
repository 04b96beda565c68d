package io.conduit.member;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The lock-free path between in-process clients and the agent, driven by hand on the test's threads. */
class LocalClientRingsTest
{
    private final List<Long> requestLinks = new ArrayList<>();
    private final List<Integer> requestValues = new ArrayList<>();
    private final List<Long> closedLinks = new ArrayList<>();
    private final LocalClientRings rings = new LocalClientRings(2, 4096, new LocalClientRings.LocalRequestHandler()
    {
        @Override
        public void onLocalRequest(final long linkId, final DirectBuffer buffer, final int offset, final int length)
        {
            requestLinks.add(linkId);
            requestValues.add(buffer.getInt(offset));
        }

        @Override
        public void onLocalClientClosed(final long linkId)
        {
            closedLinks.add(linkId);
        }
    });

    @Test
    void requestsCarryTheirClientsLinkAndResponsesReachOnlyThatClient()
    {
        final LocalKvClient a = rings.register();
        final LocalKvClient b = rings.register();
        assertTrue(a.offer(intBuffer(1), 0, 4));
        assertTrue(b.offer(intBuffer(2), 0, 4));
        assertEquals(2, rings.drain(10));
        assertEquals(List.of(1, 2), requestValues);
        final long linkA = requestLinks.get(0);
        final long linkB = requestLinks.get(1);
        assertTrue(LocalClientRings.isLocal(linkA) && LocalClientRings.isLocal(linkB));
        assertTrue(linkA != linkB && linkA != Long.MIN_VALUE && linkB != Long.MIN_VALUE);

        assertTrue(rings.respond(linkB, intBuffer(20), 0, 4));
        final int[] seen = new int[2];
        assertEquals(0, a.poll((type, buffer, index, length) -> seen[0] = buffer.getInt(index), 10));
        assertEquals(1, b.poll((type, buffer, index, length) -> seen[1] = buffer.getInt(index), 10));
        assertEquals(20, seen[1]);
    }

    @Test
    void slotsAreExhaustedThenReleasedThroughTheAgent()
    {
        final LocalKvClient a = rings.register();
        rings.register();
        assertEquals("all 2 local client slots are in use",
            assertThrows(IllegalStateException.class, rings::register).getMessage());

        assertTrue(a.offer(intBuffer(1), 0, 4));
        rings.drain(10);
        final long linkA = requestLinks.get(0);
        a.close();
        assertFalse(rings.respond(linkA, intBuffer(9), 0, 4), "a closing client gets no more responses");
        rings.drain(10);
        assertEquals(List.of(linkA), closedLinks, "the agent hears the link closed once");
        final LocalKvClient again = rings.register();
        assertTrue(again.offer(intBuffer(3), 0, 4));
        rings.drain(10);
        assertEquals(3, requestValues.get(1));
        assertEquals(linkA, requestLinks.get(1), "the slot is reused under the same link id");
    }

    @Test
    void manyThreadsOfferWithoutLossOrDuplication() throws Exception
    {
        final LocalClientRings shared = new LocalClientRings(4, 1 << 16, new LocalClientRings.LocalRequestHandler()
        {
            @Override
            public void onLocalRequest(final long linkId, final DirectBuffer buffer, final int offset,
                final int length)
            {
                requestValues.add(buffer.getInt(offset));
            }

            @Override
            public void onLocalClientClosed(final long linkId)
            {
            }
        });
        final int perThread = 5_000;
        final CountDownLatch done = new CountDownLatch(4);
        for (int t = 0; t < 4; t++)
        {
            final LocalKvClient client = shared.register();
            final int base = t * perThread;
            new Thread(() ->
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4]);
                for (int i = 0; i < perThread; i++)
                {
                    buffer.putInt(0, base + i);
                    while (!client.offer(buffer, 0, 4))
                    {
                        Thread.onSpinWait();
                    }
                }
                done.countDown();
            }).start();
        }
        while (done.getCount() > 0 || requestValues.size() < 4 * perThread)
        {
            if (shared.drain(256) == 0)
            {
                Thread.onSpinWait();
            }
        }
        assertEquals(4 * perThread, requestValues.size());
        assertEquals(4 * perThread, requestValues.stream().distinct().count());
    }

    private static UnsafeBuffer intBuffer(final int value)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4]);
        buffer.putInt(0, value);
        return buffer;
    }
}
