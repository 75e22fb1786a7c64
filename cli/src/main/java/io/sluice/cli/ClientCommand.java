package io.sluice.cli;

import io.sluice.client.ClientContext;
import io.sluice.client.ClientListener;
import io.sluice.client.SluiceClient;
import io.sluice.sbe.client.BookSnapshotDecoder;
import io.sluice.sbe.client.EngineErrorDecoder;
import io.sluice.sbe.client.ExecType;
import io.sluice.sbe.client.ExecutionReportDecoder;
import io.sluice.sbe.client.HaltedDecoder;
import io.sluice.sbe.client.OrderStatusDecoder;
import io.sluice.sbe.client.OrderType;
import io.sluice.sbe.client.RejectReason;
import io.sluice.sbe.client.Side;
import io.sluice.sbe.client.TimeInForce;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice client --connect HOST:PORT}: a line-oriented trading console. Type orders, see execution reports
 * as they arrive.
 */
@Command(name = "client", description = "Interactive trading console: type orders, see execution reports.")
final class ClientCommand implements Callable<Integer>
{
    static final String HELP = String.join("\n",
        "  buy|sell INSTRUMENT QTY [@ PRICE] [gtc|ioc|fok|day] [post]   (no price: market order)",
        "  cancel CLORDID",
        "  replace CLORDID QTY @ PRICE",
        "  masscancel [INSTRUMENT]",
        "  status CLORDID",
        "  book INSTRUMENT [DEPTH]",
        "  help | quit");

    @Option(names = "--connect", required = true, description = "host:port[,host:port...] of the node(s).")
    String connect;

    @Option(names = "--session", defaultValue = "1", description = "Session id (default ${DEFAULT-VALUE}).")
    long sessionId;

    @Option(names = "--account", defaultValue = "1", description = "Account id (default ${DEFAULT-VALUE}).")
    long accountId;

    @Option(names = "--key", description = "Key file from 'sluice keygen' (needed when the node runs auth=on).")
    java.nio.file.Path keyFile;

    private final PrintStream out = System.out;
    private long nextClientOrderId = System.currentTimeMillis() % 1_000_000_000L * 1000;

    @Override
    public Integer call() throws IOException
    {
        final ClientContext context = new ClientContext().endpoints(connect).sessionId(sessionId).accountId(accountId)
            .keyPair(keyFile == null ? null : io.sluice.node.auth.KeyFiles.read(keyFile));
        try (SluiceClient client = new SluiceClient(context, new Printer(out)))
        {
            client.connect();
            out.println("connected to " + client.endpoint() + " as session " + sessionId + " account " + accountId +
                "; type 'help'");
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            final IdleStrategy idle = new BackoffIdleStrategy(1, 1, 1_000, TimeUnit.MILLISECONDS.toNanos(1));
            while (true)
            {
                int work = client.poll();
                if (in.ready())
                {
                    final String line = in.readLine();
                    if (line == null || !execute(client, line.trim()))
                    {
                        client.awaitAllAnswered(2, TimeUnit.SECONDS, idle);
                        return 0;
                    }
                    work++;
                }
                else if (System.in.available() < 0)
                {
                    return 0;
                }
                idle.idle(work);
            }
        }
    }

    /**
     * @return false to quit.
     */
    boolean execute(final SluiceClient client, final String line)
    {
        if (line.isEmpty())
        {
            return true;
        }
        final String[] words = line.toLowerCase(Locale.ROOT).split("\\s+");
        try
        {
            switch (words[0])
            {
                case "buy":
                case "sell":
                    order(client, words);
                    return true;
                case "cancel":
                    sent(client.cancelOrder(Long.parseLong(words[1])));
                    return true;
                case "replace":
                    requireAt(words, 3);
                    sent(client.replaceOrder(Long.parseLong(words[1]), Long.parseLong(words[4]),
                        Long.parseLong(words[2])));
                    return true;
                case "masscancel":
                    sent(client.massCancel(words.length > 1 ? Integer.parseInt(words[1]) : 0));
                    return true;
                case "status":
                    sent(client.queryOrder(Long.parseLong(words[1])));
                    return true;
                case "book":
                    sent(client.queryBook(Integer.parseInt(words[1]), words.length > 2 ? Integer.parseInt(words[2]) : 5));
                    return true;
                case "quit":
                case "exit":
                    return false;
                case "help":
                    out.println(HELP);
                    return true;
                default:
                    out.println("? unknown command; type 'help'");
                    return true;
            }
        }
        catch (final RuntimeException ex)
        {
            out.println("? " + ex.getMessage() + "; type 'help'");
            return true;
        }
    }

    private void order(final SluiceClient client, final String[] words)
    {
        final Side side = "buy".equals(words[0]) ? Side.BUY : Side.SELL;
        final int instrumentId = Integer.parseInt(words[1]);
        final long quantity = Long.parseLong(words[2]);
        int index = 3;
        long price = 0;
        OrderType type = OrderType.MARKET;
        if (words.length > index + 1 && "@".equals(words[index]))
        {
            price = Long.parseLong(words[index + 1]);
            type = OrderType.LIMIT;
            index += 2;
        }
        TimeInForce tif = type == OrderType.MARKET ? TimeInForce.IOC : TimeInForce.GTC;
        boolean postOnly = false;
        for (; index < words.length; index++)
        {
            switch (words[index])
            {
                case "gtc": tif = TimeInForce.GTC; break;
                case "ioc": tif = TimeInForce.IOC; break;
                case "fok": tif = TimeInForce.FOK; break;
                case "day": tif = TimeInForce.DAY; break;
                case "post": postOnly = true; break;
                default: throw new IllegalArgumentException("unknown order option '" + words[index] + "'");
            }
        }
        final long clientOrderId = nextClientOrderId++;
        final long requestSeq = client.placeOrder(clientOrderId, instrumentId, side, type, tif, postOnly, price, quantity);
        out.println("sent order clOrdId=" + clientOrderId + " requestSeq=" + requestSeq);
    }

    private static void requireAt(final String[] words, final int index)
    {
        if (words.length <= index + 1 || !"@".equals(words[index]))
        {
            throw new IllegalArgumentException("expected '@ PRICE'");
        }
    }

    private void sent(final long requestSeq)
    {
        out.println(requestSeq == SluiceClient.BACK_PRESSURED ? "too many requests in flight; wait" :
            "sent requestSeq=" + requestSeq);
    }

    /**
     * Prints what arrives, one line per report.
     */
    static final class Printer implements ClientListener
    {
        private final PrintStream out;

        Printer(final PrintStream out)
        {
            this.out = out;
        }

        @Override
        public void onExecutionReport(final ExecutionReportDecoder r)
        {
            final StringBuilder line = new StringBuilder(128);
            line.append(r.execType()).append(" clOrdId=").append(r.clientOrderId()).append(" orderId=")
                .append(r.orderId()).append(' ').append(r.side()).append(" instrument=").append(r.instrumentId())
                .append(" price=").append(r.price()).append(" qty=").append(r.quantity()).append(" leaves=")
                .append(r.leavesQuantity()).append(" cum=").append(r.cumQuantity());
            if (r.execType() == ExecType.PARTIAL_FILL || r.execType() == ExecType.FILL)
            {
                line.append(" last=").append(r.lastQuantity()).append('@').append(r.lastPrice()).append(" trade=")
                    .append(r.tradeId()).append(' ').append(r.liquidity());
            }
            if (r.rejectReason() != RejectReason.NONE)
            {
                line.append(" reason=").append(r.rejectReason());
            }
            line.append(" wireSeq=").append(r.wireSeq());
            out.println(line);
        }

        @Override
        public void onOrderStatus(final OrderStatusDecoder s)
        {
            out.println("STATUS clOrdId=" + s.clientOrderId() + " state=" + s.state() + " price=" + s.price() +
                " qty=" + s.quantity() + " leaves=" + s.leavesQuantity() + " cum=" + s.cumQuantity());
        }

        @Override
        public void onBookSnapshot(final BookSnapshotDecoder book)
        {
            out.println("BOOK instrument=" + book.instrumentId());
            for (final BookSnapshotDecoder.BidsDecoder bid : book.bids())
            {
                out.println("  bid " + bid.quantity() + " @ " + bid.price() + " (" + bid.orderCount() + " orders)");
            }
            for (final BookSnapshotDecoder.AsksDecoder ask : book.asks())
            {
                out.println("  ask " + ask.quantity() + " @ " + ask.price() + " (" + ask.orderCount() + " orders)");
            }
        }

        @Override
        public void onHalted(final HaltedDecoder halted)
        {
            out.println("HALTED requestSeq=" + halted.requestSeq() + " reason=" + halted.reason());
        }

        @Override
        public void onServerBusy(final long requestSeq)
        {
            out.println("SERVER_BUSY requestSeq=" + requestSeq + " (not applied; resend later)");
        }

        @Override
        public void onEngineError(final EngineErrorDecoder error)
        {
            out.println("ERROR requestSeq=" + error.requestSeq() + " " + error.code() + " " + error.detail());
        }

        @Override
        public void onDisconnect(final String reason)
        {
            out.println("disconnected: " + reason);
        }
    }
}
