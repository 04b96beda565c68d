package io.conduit.transport;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BuildSmokeTest
{
    @Test
    void agronaIsOnTheClasspath()
    {
        final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(new byte[8]);
        buffer.putInt(0, 42);
        assertEquals(42, buffer.getInt(0));
    }
}
