package io.sluice.node.primary;

import io.sluice.durability.DurabilityControl;
import io.sluice.node.admin.AdminCommandHandler;
import io.sluice.pipeline.sequencer.KillSwitchCommand;
import io.sluice.sbe.journal.KillTarget;

import java.util.List;
import java.util.Locale;

/**
 * The admin commands a primary understands. Runs on the admin connection's thread; changes reach the pipeline
 * through single atomic writes the stages read (the policy reference, the halt flag), except the kill switch, which
 * changes exchange state and so is queued to the sequencer to be journaled like any such command.
 */
final class PrimaryAdminCommands implements AdminCommandHandler
{
    private final PrimaryNode node;

    PrimaryAdminCommands(final PrimaryNode node)
    {
        this.node = node;
    }

    @Override
    public List<String> execute(final String command, final String args)
    {
        switch (command)
        {
            case "DURABILITY":
                return durability(args);
            case "STATUS":
                return NodeStatus.lines(node);
            case "SNAPSHOT":
                node.requestSnapshot();
                return List.of("OK snapshot requested; last snapshot at wireSeq " + node.lastSnapshotWireSeq());
            case "SHUTDOWN":
                return shutdown();
            case "HALT":
                node.orderEntryGate().operatorHalt(true);
                return List.of("OK trading halted by operator");
            case "RESUME":
                node.orderEntryGate().operatorHalt(false);
                return List.of("OK operator halt lifted" + suffix(node.haltReason()));
            case "KILL":
                return killSwitch(true, args);
            case "UNKILL":
                return killSwitch(false, args);
            case "HELP":
                return List.of(
                    "DURABILITY                 show the policy in force",
                    "DURABILITY <mode|expr>     local | hybrid | durably-replicated | replicated | e.g. persisted>=1 && in_memory>=2",
                    "STATUS                     role, trading state, policy, cursors",
                    "HALT / RESUME              stop or resume accepting orders",
                    "KILL account|session <id>  reject its new orders and replaces (KILLED), cancel its orders",
                    "UNKILL account|session <id> lift a KILL; cancelled orders stay cancelled",
                    "SHUTDOWN                   stop taking requests, journal and answer what was taken, exit",
                    "SNAPSHOT                   write a snapshot of the matching state now",
                    "QUIT                       close this connection");
            default:
                return List.of("ERR unknown command '" + command + "'; try HELP");
        }
    }

    /**
     * KILL or UNKILL with {@code account <id>} or {@code session <id>}: bad input is answered ERR with the usage,
     * never sent on.
     */
    private List<String> killSwitch(final boolean kill, final String args)
    {
        final String usage = "usage: " + (kill ? "KILL" : "UNKILL") + " account|session <id>";
        final String[] words = args.isBlank() ? new String[0] : args.trim().split("\\s+");
        if (words.length != 2)
        {
            return List.of("ERR " + usage);
        }
        final KillTarget target = switch (words[0].toLowerCase(Locale.ROOT))
        {
            case "account" -> KillTarget.ACCOUNT;
            case "session" -> KillTarget.SESSION;
            default -> null;
        };
        if (target == null)
        {
            return List.of("ERR unknown target '" + words[0] + "': " + usage);
        }
        final long id;
        try
        {
            id = Long.parseLong(words[1]);
        }
        catch (final NumberFormatException ex)
        {
            return List.of("ERR '" + words[1] + "' is not a number: " + usage);
        }
        if (id < 1)
        {
            return List.of("ERR " + words[0].toLowerCase(Locale.ROOT) + " ids start at 1: " + id);
        }
        return List.of(node.killSwitch(
            kill ? KillSwitchCommand.kill(target, id) : KillSwitchCommand.unkill(target, id)));
    }

    private List<String> durability(final String args)
    {
        final DurabilityControl control = node.durabilityControl();
        if (args.isEmpty())
        {
            return List.of("OK " + control.policy().description());
        }
        return List.of(control.swap(args).message());
    }

    /**
     * Exit the process the way SIGTERM does: the shutdown hook drains the node (lossless shutdown) and sets the exit
     * code. The answer goes out first; the exit runs on its own thread so this connection is not the one waiting.
     */
    private List<String> shutdown()
    {
        final Thread exit = new Thread(() -> System.exit(0), "sluice-admin-shutdown");
        exit.setDaemon(true);
        exit.start();
        return List.of("OK shutting down: no new requests; everything taken is journaled and answered before exit");
    }

    private static String suffix(final String haltReason)
    {
        return haltReason == null ? "; trading" : "; still halted: " + haltReason;
    }
}
