package io.sluice.harness.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OpenLoopScheduleTest
{
    @Test
    void shouldNotDriftWhenTheIntervalIsNotAWholeNumberOfNanoseconds()
    {
        final OpenLoopSchedule schedule = new OpenLoopSchedule(1_000, 3);

        assertEquals(1_000, schedule.take());
        assertEquals(1_000 + 333_333_333, schedule.take());
        assertEquals(1_000 + 666_666_666, schedule.take());
        assertEquals(1_000 + 1_000_000_000, schedule.take(), "three requests a second: the fourth is due at 1 s");
        assertEquals(1_000 + 3_000_000_000L, schedule.scheduledNs(9));
        assertEquals(4, schedule.taken());
    }

    @Test
    void shouldKeepLaterSlotsWhereTheyWereWhateverHappensToEarlierOnes()
    {
        final OpenLoopSchedule schedule = new OpenLoopSchedule(0, 1_000);
        final long tenthNs = schedule.scheduledNs(10);

        for (int i = 0; i < 10; i++)
        {
            schedule.take();
        }

        assertEquals(10_000_000, tenthNs);
        assertEquals(tenthNs, schedule.nextScheduledNs(), "taking the first ten late does not move the eleventh");
    }
}
