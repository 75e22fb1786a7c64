package io.sluice.node.wiring;

import org.agrona.concurrent.Agent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AgentThreadsTest
{
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final AgentThreads threads = new AgentThreads("shared", "backoff", error -> events.add("error " + error));

    @AfterEach
    void close()
    {
        threads.close();
    }

    @Test
    void shouldRunEachRunnerOnAThreadOfItsName() throws InterruptedException
    {
        final Recording journal = new Recording("journal");
        threads.start("journal", journal);

        assertTrue(journal.started.await(10, TimeUnit.SECONDS));
        assertEquals("journal", journal.threadName);
    }

    @Test
    void shouldRunSeveralAgentsOnOneThreadNamedForTheRunner() throws InterruptedException
    {
        final Recording acceptor = new Recording("acceptor");
        final Recording reader = new Recording("reader-0");
        threads.start("network", List.of(acceptor, reader));

        assertTrue(acceptor.started.await(10, TimeUnit.SECONDS));
        assertTrue(reader.started.await(10, TimeUnit.SECONDS));
        assertEquals("network", acceptor.threadName);
        assertEquals("network", reader.threadName);
        assertEquals(List.of("acceptor", "reader-0"),
            threads.stages().stream().map(stage -> stage.roleName()).toList(), "each agent counted as a stage");
    }

    @Test
    void shouldStopOneRunnerByNameAndLeaveTheOthersRunning() throws InterruptedException
    {
        final Recording journal = new Recording("journal");
        final Recording replica = new Recording("replica");
        threads.start("journal", journal);
        threads.start("replica", replica);
        assertTrue(replica.started.await(10, TimeUnit.SECONDS));

        threads.stop("replica");

        assertEquals(List.of("close replica"), events);
        final long cycles = journal.cycles;
        awaitMoreCycles(journal, cycles);
    }

    @Test
    void shouldCloseTheLastStartedFirst() throws InterruptedException
    {
        final Recording journal = new Recording("journal");
        final Recording snapshot = new Recording("snapshot");
        final Recording replica = new Recording("replica");
        threads.start("journal", journal);
        threads.startBackground("snapshot", snapshot);
        threads.start("replica", replica);
        assertTrue(replica.started.await(10, TimeUnit.SECONDS));
        assertTrue(snapshot.started.await(10, TimeUnit.SECONDS));

        threads.close();

        assertEquals(List.of("close replica", "close snapshot", "close journal"), events);
    }

    @Test
    void shouldRefuseASecondRunnerOfTheSameName()
    {
        threads.start("journal", new Recording("journal"));

        assertThrows(IllegalStateException.class, () -> threads.start("journal", new Recording("journal")));
    }

    @Test
    void shouldRestartARunnerUnderTheSameNameAfterItStopped() throws InterruptedException
    {
        threads.start("journal", new Recording("journal"));
        threads.stop("journal");
        final Recording second = new Recording("journal");

        threads.start("journal", second);

        assertTrue(second.started.await(10, TimeUnit.SECONDS));
    }

    private static void awaitMoreCycles(final Recording agent, final long cycles) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (agent.cycles <= cycles && System.nanoTime() < deadlineNs)
        {
            Thread.sleep(1);
        }
        assertTrue(agent.cycles > cycles, "the other runner kept running");
    }

    private final class Recording implements Agent
    {
        private final String name;
        private final CountDownLatch started = new CountDownLatch(1);
        private volatile String threadName;
        private volatile long cycles;

        Recording(final String name)
        {
            this.name = name;
        }

        @Override
        public void onStart()
        {
            threadName = Thread.currentThread().getName();
            started.countDown();
        }

        @Override
        public int doWork()
        {
            cycles++;
            return 0;
        }

        @Override
        public void onClose()
        {
            events.add("close " + name);
        }

        @Override
        public String roleName()
        {
            return name;
        }
    }
}
