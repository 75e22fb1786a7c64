package io.sluice.journal;

import io.sluice.sbe.client.CancelOrderDecoder;
import io.sluice.sbe.client.LogonDecoder;
import io.sluice.sbe.client.LogoutDecoder;
import io.sluice.sbe.client.MassCancelDecoder;
import io.sluice.sbe.client.NewOrderDecoder;
import io.sluice.sbe.client.ReplaceOrderDecoder;
import io.sluice.sbe.journal.AddInstrumentDecoder;
import io.sluice.sbe.journal.EndOfDayDecoder;
import io.sluice.sbe.journal.EntryType;
import io.sluice.sbe.journal.EpochBumpDecoder;
import io.sluice.sbe.journal.InstrumentStatusChangeDecoder;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * {@code sluice journal inspect DIR}: prints journal entries in a readable form, decoding client commands with the
 * client-protocol codecs and admin entries with the journal codecs. Read-only; works on a damaged journal up to the
 * damage.
 */
public final class JournalInspector
{
    /** Session filter that matches every entry. */
    public static final long ALL_SESSIONS = Long.MIN_VALUE;

    public static final int OK = 0;
    public static final int DAMAGED = 1;
    public static final int NOT_A_JOURNAL = 2;

    private JournalInspector()
    {
    }

    /**
     * Prints the entries with {@code fromWireSeq <= wireSeq <= toWireSeq} and, unless {@code sessionFilter} is
     * {@link #ALL_SESSIONS}, with that session id.
     *
     * @return {@link #OK}; {@link #DAMAGED} if the journal is corrupt (entries before the damage are printed, then the
     * reason); {@link #NOT_A_JOURNAL} if {@code dir} is not a journal directory.
     */
    public static int inspect(
        final Path dir, final long fromWireSeq, final long toWireSeq, final long sessionFilter, final PrintStream out)
    {
        final Path queueDir = dir.resolve(Journal.QUEUE_DIRECTORY);
        if (!Files.isDirectory(queueDir))
        {
            out.println("not a journal directory: " + dir + " (no " + Journal.QUEUE_DIRECTORY + "/)");
            return NOT_A_JOURNAL;
        }
        try
        {
            final JournalHeaderFile header = JournalHeaderFile.read(dir);
            out.println("# journal " + dir + (header != null ? ": " + header : ": no header file"));
        }
        catch (final JournalCorruptionException | IOException ex)
        {
            out.println("# header unreadable: " + ex.getMessage());
        }

        final Formatter formatter = new Formatter();
        final long[] printed = new long[1];
        try
        {
            final JournalScanner.Result result = new JournalScanner(JournalScanner.listCycleFiles(queueDir)).scan(
                0, 0, 0, JournalScanner.ANY_WIRE_SEQ, JournalScanner.ANY_WIRE_SEQ, fromWireSeq,
                (entry, file, headerOffset, seqInCycle) ->
                {
                    if (entry.wireSeq() <= toWireSeq &&
                        (sessionFilter == ALL_SESSIONS || entry.sessionId() == sessionFilter))
                    {
                        out.println(formatter.format(entry));
                        printed[0]++;
                    }
                });
            out.println("# " + printed[0] + " entries printed; journal holds " + result.entriesVerified +
                (result.entriesVerified > 0 ?
                " (wireSeq " + result.firstWireSeq + ".." + result.lastWireSeq + ")" : ""));
            if (result.torn)
            {
                out.println("# " + result.tornDescription());
            }
            return OK;
        }
        catch (final JournalCorruptionException | IOException ex)
        {
            out.println("# DAMAGED: " + ex.getMessage());
            return DAMAGED;
        }
    }

    /** Renders one entry on one line. */
    static final class Formatter
    {
        private final io.sluice.sbe.client.MessageHeaderDecoder clientHeader =
            new io.sluice.sbe.client.MessageHeaderDecoder();
        private final io.sluice.sbe.journal.MessageHeaderDecoder journalHeader =
            new io.sluice.sbe.journal.MessageHeaderDecoder();
        private final NewOrderDecoder newOrder = new NewOrderDecoder();
        private final CancelOrderDecoder cancelOrder = new CancelOrderDecoder();
        private final ReplaceOrderDecoder replaceOrder = new ReplaceOrderDecoder();
        private final MassCancelDecoder massCancel = new MassCancelDecoder();
        private final LogonDecoder logon = new LogonDecoder();
        private final LogoutDecoder logout = new LogoutDecoder();
        private final AddInstrumentDecoder addInstrument = new AddInstrumentDecoder();
        private final InstrumentStatusChangeDecoder statusChange = new InstrumentStatusChangeDecoder();
        private final EndOfDayDecoder endOfDay = new EndOfDayDecoder();
        private final EpochBumpDecoder epochBump = new EpochBumpDecoder();
        private final io.sluice.sbe.journal.KillSwitchDecoder killSwitch =
            new io.sluice.sbe.journal.KillSwitchDecoder();
        private final io.sluice.sbe.journal.SessionCommandDecoder sessionCommand =
            new io.sluice.sbe.journal.SessionCommandDecoder();

        String format(final JournalEntryView entry)
        {
            final StringBuilder line = new StringBuilder(160)
                .append("wireSeq=").append(entry.wireSeq())
                .append(" time=").append(Instant.ofEpochSecond(0, entry.timestampNs()))
                .append(" epoch=").append(entry.epoch())
                .append(" session=").append(entry.sessionId())
                .append(" requestSeq=").append(entry.requestSeq())
                .append(' ').append(entry.entryType()).append(' ');
            try
            {
                if (entry.entryType() == EntryType.CLIENT_COMMAND)
                {
                    appendClientCommand(line, entry.buffer(), entry.commandOffset(), entry.commandLength());
                }
                else
                {
                    appendAdmin(line, entry.buffer(), entry.commandOffset(), entry.commandLength());
                }
            }
            catch (final RuntimeException ex)
            {
                line.append("<undecodable command of ").append(entry.commandLength()).append(" bytes: ")
                    .append(ex.getMessage()).append('>');
            }
            return line.toString();
        }

        private void appendClientCommand(final StringBuilder line, final DirectBuffer buffer, final int offset,
            final int length)
        {
            if (length < io.sluice.sbe.client.MessageHeaderDecoder.ENCODED_LENGTH)
            {
                line.append("<command of ").append(length).append(" bytes>");
                return;
            }
            clientHeader.wrap(buffer, offset);
            final int body = offset + io.sluice.sbe.client.MessageHeaderDecoder.ENCODED_LENGTH;
            final int blockLength = clientHeader.blockLength();
            final int version = clientHeader.version();
            if (clientHeader.schemaId() != NewOrderDecoder.SCHEMA_ID)
            {
                line.append("<schema ").append(clientHeader.schemaId()).append(" template ")
                    .append(clientHeader.templateId()).append('>');
                return;
            }
            switch (clientHeader.templateId())
            {
                case NewOrderDecoder.TEMPLATE_ID:
                    newOrder.wrap(buffer, body, blockLength, version);
                    line.append("NewOrder requestSeq=").append(newOrder.requestSeq())
                        .append(" clientOrderId=").append(newOrder.clientOrderId())
                        .append(" instrument=").append(newOrder.instrumentId())
                        .append(' ').append(newOrder.side())
                        .append(' ').append(newOrder.orderType())
                        .append(' ').append(newOrder.timeInForce())
                        .append(" price=").append(newOrder.price())
                        .append(" quantity=").append(newOrder.quantity())
                        .append(newOrder.postOnlyRaw() != 0 ? " postOnly" : "");
                    break;
                case CancelOrderDecoder.TEMPLATE_ID:
                    cancelOrder.wrap(buffer, body, blockLength, version);
                    line.append("CancelOrder requestSeq=").append(cancelOrder.requestSeq())
                        .append(" clientOrderId=").append(cancelOrder.clientOrderId());
                    break;
                case ReplaceOrderDecoder.TEMPLATE_ID:
                    replaceOrder.wrap(buffer, body, blockLength, version);
                    line.append("ReplaceOrder requestSeq=").append(replaceOrder.requestSeq())
                        .append(" clientOrderId=").append(replaceOrder.clientOrderId())
                        .append(" newPrice=").append(replaceOrder.newPrice())
                        .append(" newQuantity=").append(replaceOrder.newQuantity());
                    break;
                case MassCancelDecoder.TEMPLATE_ID:
                    massCancel.wrap(buffer, body, blockLength, version);
                    line.append("MassCancel requestSeq=").append(massCancel.requestSeq())
                        .append(" account=").append(massCancel.accountId())
                        .append(" instrument=").append(massCancel.instrumentId());
                    break;
                case LogonDecoder.TEMPLATE_ID:
                    logon.wrap(buffer, body, blockLength, version);
                    line.append("Logon sessionId=").append(logon.sessionId())
                        .append(" account=").append(logon.accountId());
                    break;
                case LogoutDecoder.TEMPLATE_ID:
                    logout.wrap(buffer, body, blockLength, version);
                    line.append("Logout sessionId=").append(logout.sessionId());
                    break;
                default:
                    line.append("<client template ").append(clientHeader.templateId()).append(", ")
                        .append(length).append(" bytes>");
            }
        }

        private void appendAdmin(final StringBuilder line, final DirectBuffer buffer, final int offset,
            final int length)
        {
            if (length < io.sluice.sbe.journal.MessageHeaderDecoder.ENCODED_LENGTH)
            {
                line.append("<body of ").append(length).append(" bytes>");
                return;
            }
            journalHeader.wrap(buffer, offset);
            final int body = offset + io.sluice.sbe.journal.MessageHeaderDecoder.ENCODED_LENGTH;
            final int blockLength = journalHeader.blockLength();
            final int version = journalHeader.version();
            switch (journalHeader.templateId())
            {
                case AddInstrumentDecoder.TEMPLATE_ID:
                    addInstrument.wrap(buffer, body, blockLength, version);
                    line.append("AddInstrument instrument=").append(addInstrument.instrumentId())
                        .append(" symbol=").append(addInstrument.symbol())
                        .append(" tick=").append(addInstrument.tickSize())
                        .append(" lot=").append(addInstrument.lotSize())
                        .append(" minQuantity=").append(addInstrument.minQuantity())
                        .append(" maxQuantity=").append(addInstrument.maxQuantity())
                        .append(" referencePrice=").append(addInstrument.referencePrice())
                        .append(" bandBps=").append(addInstrument.priceBandBps());
                    break;
                case InstrumentStatusChangeDecoder.TEMPLATE_ID:
                    statusChange.wrap(buffer, body, blockLength, version);
                    line.append("instrument=").append(statusChange.instrumentId());
                    break;
                case EndOfDayDecoder.TEMPLATE_ID:
                    endOfDay.wrap(buffer, body, blockLength, version);
                    line.append("tradingDay=").append(endOfDay.tradingDay());
                    break;
                case EpochBumpDecoder.TEMPLATE_ID:
                    epochBump.wrap(buffer, body, blockLength, version);
                    line.append("newEpoch=").append(epochBump.newEpoch()).append(" node=").append(epochBump.nodeId());
                    break;
                case io.sluice.sbe.journal.KillSwitchDecoder.TEMPLATE_ID:
                    killSwitch.wrap(buffer, body, blockLength, version);
                    line.append(killSwitch.targetType()).append('=').append(killSwitch.targetId());
                    break;
                case io.sluice.sbe.journal.SessionCommandDecoder.TEMPLATE_ID:
                    sessionCommand.wrap(buffer, body, blockLength, version);
                    line.append("session=").append(sessionCommand.sessionId());
                    break;
                default:
                    line.append("<journal template ").append(journalHeader.templateId()).append(", ")
                        .append(length).append(" bytes>");
            }
        }
    }
}
