package io.sluice.harness.soak;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaultScheduleTest
{
    private static List<FaultKind> draw(final FaultSchedule schedule, final int count)
    {
        final List<FaultKind> kinds = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            kinds.add(schedule.next());
        }
        return kinds;
    }

    @Test
    void shouldHoldEveryKindOnceInEachRoundAndRepeatForTheSameSeed()
    {
        final int kinds = FaultKind.values().length;
        final List<FaultKind> drawn = draw(new FaultSchedule(7, List.of()), 4 * kinds);

        for (int round = 0; round < 4; round++)
        {
            final Set<FaultKind> seen = EnumSet.noneOf(FaultKind.class);
            seen.addAll(drawn.subList(round * kinds, (round + 1) * kinds));
            assertEquals(EnumSet.allOf(FaultKind.class), seen, "round " + round + " of " + drawn);
        }
        assertEquals(drawn, draw(new FaultSchedule(7, List.of()), 4 * kinds));
        assertNotEquals(drawn, draw(new FaultSchedule(8, List.of()), 4 * kinds));
    }

    @Test
    void shouldFollowAFixedPlanAndThenBeExhausted()
    {
        final List<FaultKind> plan = List.of(FaultKind.PRIMARY_KILL, FaultKind.REPLICA_KILL);
        final FaultSchedule schedule = new FaultSchedule(1, plan);

        assertFalse(schedule.exhausted());
        assertEquals(plan, draw(schedule, 2));
        assertTrue(schedule.exhausted());
        assertFalse(new FaultSchedule(1, List.of()).exhausted(), "rounds never run out");
    }

    @Test
    void shouldDrawDurationsWithinBounds()
    {
        final FaultSchedule schedule = new FaultSchedule(3, List.of());
        for (int i = 0; i < 1_000; i++)
        {
            final long durationNs = schedule.durationNs(1_000, 5_000);
            assertTrue(durationNs >= 1_000 && durationNs <= 5_000, Long.toString(durationNs));
        }
        assertEquals(42, schedule.durationNs(42, 42));
    }

    @Test
    void shouldCountKillsPerKind()
    {
        assertEquals(2, FaultKind.REPLICA_KILL_DURING_CATCH_UP.kills());
        assertEquals(2, FaultKind.KILL_DURING_PROMOTION.kills());
        assertTrue(FaultKind.KILL_DURING_PROMOTION.killsPrimary());
        assertFalse(FaultKind.REPLICA_KILL.killsPrimary());
    }
}
