package io.sluice.durability;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class DurabilityModeTest
{
    @Test
    void shouldKeepStableOneByteCodes()
    {
        // These codes are on the wire and in configuration: changing one is a compatibility break.
        assertEquals(1, DurabilityMode.LOCAL.code());
        assertEquals(2, DurabilityMode.HYBRID.code());
        assertEquals(3, DurabilityMode.DURABLY_REPLICATED.code());
        assertEquals(4, DurabilityMode.REPLICATED.code());
        assertEquals(0, DurabilityMode.CUSTOM_CODE);
        assertEquals(4, DurabilityMode.values().length, "a new mode needs a new code and a line above");
    }

    @Test
    void shouldDefineEachModeAsItsClauses()
    {
        assertEquals("persisted>=1", DurabilityMode.LOCAL.policy().expression());
        assertEquals("persisted>=1 && in_memory>=2", DurabilityMode.HYBRID.policy().expression());
        assertEquals("persisted>=2", DurabilityMode.DURABLY_REPLICATED.policy().expression());
        assertEquals("in_memory>=2", DurabilityMode.REPLICATED.policy().expression());
    }

    @Test
    void shouldDefaultToHybrid()
    {
        assertSame(DurabilityMode.HYBRID, DurabilityMode.DEFAULT);
        assertSame(DurabilityMode.HYBRID.policy(), new DurabilityControl().policy());
    }

    @Test
    void shouldRoundTripCodesAndNames()
    {
        for (final DurabilityMode mode : DurabilityMode.values())
        {
            assertSame(mode, DurabilityMode.fromCode(mode.code()));
            assertSame(mode, DurabilityMode.fromName(mode.modeName()));
            assertSame(mode, mode.policy().mode());
            assertEquals(mode.code(), mode.policy().modeCode());
            assertEquals(mode.modeName(), mode.policy().description());
        }
        assertNull(DurabilityMode.fromCode((byte)0));
        assertNull(DurabilityMode.fromCode((byte)5));
        assertNull(DurabilityMode.fromName("durably_replicated"));
    }
}
