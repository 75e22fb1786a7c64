package io.sluice.node.primary;

import io.sluice.durability.DurabilityControl;
import io.sluice.node.admin.AdminCommandHandler;

import java.util.List;

/**
 * The admin commands a primary understands. Runs on the admin connection's thread; changes reach the pipeline
 * through single atomic writes the stages read (the policy reference, the halt flag).
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
            case "HELP":
                return List.of(
                    "DURABILITY                 show the policy in force",
                    "DURABILITY <mode|expr>     local | hybrid | durably-replicated | replicated | e.g. persisted>=1 && in_memory>=2",
                    "STATUS                     role, trading state, policy, cursors",
                    "HALT / RESUME              stop or resume accepting orders",
                    "SHUTDOWN                   stop taking requests, journal and answer what was taken, exit",
                    "SNAPSHOT                   write a snapshot of the matching state now",
                    "QUIT                       close this connection");
            default:
                return List.of("ERR unknown command '" + command + "'; try HELP");
        }
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
