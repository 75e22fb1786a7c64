package io.sluice.replication;

import io.sluice.journal.SnapshotInfo;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a {@link SnapshotInstaller} on a thread of its own, so the replica agent's duty cycle never waits for an
 * install (it stops and restarts the journal agent, fsyncs, renames and recovers: it can take seconds). One install
 * at a time; a thread is started per install, as installs are rare.
 * <p>
 * The hand-off orders memory both ways. The agent thread writes the request and starts the thread, so the install
 * sees everything the agent did before it ({@link Thread#start}). The install thread writes {@link #failure} and then
 * releases {@link #status}; the agent acquires it, so once it reads {@link Status#SUCCEEDED} or
 * {@link Status#FAILED} it also sees everything the installer wrote: the new journal, the replaced state, the
 * persisted cursor. {@link #awaitEnd} joins the thread, which orders the same way.
 */
final class SnapshotInstallHandoff
{
    /** Where the install stands. */
    enum Status
    {
        /** No install started. */
        IDLE,
        /** The installer is running on the install thread. */
        RUNNING,
        /** The installer returned. */
        SUCCEEDED,
        /** The installer threw; see {@link #failure()}. */
        FAILED
    }

    static final String THREAD_NAME = "sluice-snapshot-install";

    private final SnapshotInstaller installer;
    /** Released by the install thread after it wrote {@link #failure}; acquired by the agent thread. */
    private final AtomicReference<Status> status = new AtomicReference<>(Status.IDLE);
    /** Agent thread only. */
    private Thread thread;
    /** Written by the install thread before it releases {@link #status}; read after acquiring it. */
    private Throwable failure;

    SnapshotInstallHandoff(final SnapshotInstaller installer)
    {
        this.installer = installer;
    }

    /**
     * Starts the installer on its own thread; agent thread. The caller must keep its hands off what the installer
     * replaces (journal ring, journal, state machine) until {@link #status()} is no longer {@link Status#RUNNING}.
     *
     * @throws IllegalStateException if an install was already started.
     */
    void start(final SnapshotInfo snapshot, final long entryCrc32c)
    {
        if (status.getPlain() != Status.IDLE)
        {
            throw new IllegalStateException("snapshot install already started: " + status.getPlain());
        }
        status.setPlain(Status.RUNNING);
        thread = new Thread(() -> install(snapshot, entryCrc32c), THREAD_NAME);
        thread.start();
    }

    private void install(final SnapshotInfo snapshot, final long entryCrc32c)
    {
        Throwable thrown = null;
        try
        {
            installer.install(snapshot, entryCrc32c);
        }
        catch (final Throwable ex)
        {
            thrown = ex;
        }
        failure = thrown;
        status.setRelease(thrown == null ? Status.SUCCEEDED : Status.FAILED);
    }

    /** Where the install stands; once it has ended, everything the installer wrote is visible to the caller. */
    Status status()
    {
        return status.getAcquire();
    }

    /** What the installer threw, once {@link Status#FAILED}. */
    Throwable failure()
    {
        return failure;
    }

    /**
     * Waits for a running install to end, however long it takes (an install cut off half way would leave the node
     * between two journals), and keeps the caller's interrupt for it to see afterwards.
     *
     * @return where the install stands now, never {@link Status#RUNNING}.
     */
    Status awaitEnd()
    {
        boolean interrupted = false;
        while (thread != null && thread.isAlive())
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        return status();
    }
}
