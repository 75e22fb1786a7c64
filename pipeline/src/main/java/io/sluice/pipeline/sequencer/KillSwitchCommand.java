package io.sluice.pipeline.sequencer;

import io.sluice.sbe.journal.KillTarget;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * An operator's KILL or UNKILL of an account or a session, handed from an admin connection's thread to the
 * sequencer ({@link SequencerAgent#submit}), which journals it like any command that changes state, applies it and
 * completes {@link #reply()} with one line saying what happened. An operator command, never on the order path: it
 * may allocate.
 */
public final class KillSwitchCommand
{
    private final boolean kill;
    private final KillTarget target;
    private final long targetId;
    private final CompletableFuture<String> reply = new CompletableFuture<>();

    private KillSwitchCommand(final boolean kill, final KillTarget target, final long targetId)
    {
        if (KillTarget.ACCOUNT != target && KillTarget.SESSION != target)
        {
            throw new IllegalArgumentException("a kill switch targets an account or a session, not " + target);
        }
        this.kill = kill;
        this.target = target;
        this.targetId = targetId;
    }

    /**
     * @return a command that kills the account or session.
     */
    public static KillSwitchCommand kill(final KillTarget target, final long targetId)
    {
        return new KillSwitchCommand(true, target, targetId);
    }

    /**
     * @return a command that lifts the kill of the account or session.
     */
    public static KillSwitchCommand unkill(final KillTarget target, final long targetId)
    {
        return new KillSwitchCommand(false, target, targetId);
    }

    public boolean isKill()
    {
        return kill;
    }

    public KillTarget target()
    {
        return target;
    }

    public long targetId()
    {
        return targetId;
    }

    /**
     * @return completed by the sequencer with the reply line ("OK ..." or "ERR ...").
     */
    public CompletableFuture<String> reply()
    {
        return reply;
    }

    /**
     * The reply once applied: what changed and how many orders the kill cancelled.
     */
    String applied(final boolean changed, final int ordersCancelled, final long wireSeq)
    {
        final String what = target.name().toLowerCase(Locale.ROOT) + " " + targetId;
        if (kill)
        {
            return "OK " + (changed ? "killed " + what : what + " was killed already") + ": " + ordersCancelled +
                " orders cancelled (wireSeq " + wireSeq + ")";
        }
        return "OK " + (changed ? "unkilled " + what : what + " was not killed") + " (wireSeq " + wireSeq + ")";
    }
}
