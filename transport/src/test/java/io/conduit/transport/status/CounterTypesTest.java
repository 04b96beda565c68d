package io.conduit.transport.status;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CounterTypesTest
{
    @Test
    void everyTypeIsNamedAfterItsConstantAndSitsInItsRange() throws IllegalAccessException
    {
        final Set<Integer> ids = new HashSet<>();
        int count = 0;
        for (final Field field : CounterTypes.class.getDeclaredFields())
        {
            final String fieldName = field.getName();
            if (!Modifier.isPublic(field.getModifiers()) || fieldName.endsWith("_MIN") || fieldName.endsWith("_MAX"))
            {
                continue;
            }
            final int typeId = field.getInt(null);
            count++;
            assertTrue(ids.add(typeId), () -> "duplicate type id " + typeId);
            assertEquals(fieldName, CounterTypes.name(typeId));
            if (fieldName.startsWith("ENDPOINT_"))
            {
                assertTrue(CounterTypes.isEndpointType(typeId) && !CounterTypes.isConnectionType(typeId), fieldName);
            }
            else
            {
                assertTrue(fieldName.startsWith("CONNECTION_") && CounterTypes.isConnectionType(typeId), fieldName);
            }
        }
        assertEquals(26, count);
    }

    @Test
    void unknownTypesAreNamedByNumber()
    {
        assertEquals("UNKNOWN(0)", CounterTypes.name(0));
        assertEquals("UNKNOWN(99)", CounterTypes.name(99));
        assertEquals("UNKNOWN(-1)", CounterTypes.name(-1));
        assertEquals("UNKNOWN(200)", CounterTypes.name(200));
    }
}
