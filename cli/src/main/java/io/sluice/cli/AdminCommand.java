package io.sluice.cli;

import io.sluice.node.admin.AdminClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code sluice admin --connect HOST:PORT [COMMAND ...]}: send one admin command and print the answer, or read
 * commands interactively when none is given. Exits 1 if the node answered ERR.
 */
@Command(name = "admin", description = "Operator console: DURABILITY [MODE|EXPR], STATUS, HALT, RESUME, HELP.")
final class AdminCommand implements Callable<Integer>
{
    static final int TIMEOUT_MS = 10_000;

    @Option(names = "--connect", required = true, description = "host:port of the node's admin listener.")
    String connect;

    @Option(names = "--key", description = "Operator key file from 'sluice keygen' (when the node runs auth=on).")
    java.nio.file.Path keyFile;

    @Parameters(arity = "0..*", description = "Command and arguments, e.g. DURABILITY local.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call()
    {
        final int colon = connect.lastIndexOf(':');
        if (colon <= 0)
        {
            System.err.println("sluice: --connect must be host:port");
            return 2;
        }
        final InetSocketAddress endpoint =
            new InetSocketAddress(connect.substring(0, colon), Integer.parseInt(connect.substring(colon + 1)));
        try (AdminClient client = new AdminClient(endpoint, TIMEOUT_MS,
            keyFile == null ? null : io.sluice.node.auth.KeyFiles.read(keyFile)))
        {
            if (!command.isEmpty())
            {
                return print(client.execute(String.join(" ", command)));
            }
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            System.out.print("sluice> ");
            System.out.flush();
            String line;
            while ((line = in.readLine()) != null)
            {
                if (!line.isBlank())
                {
                    print(client.execute(line));
                    if (line.trim().equalsIgnoreCase("quit"))
                    {
                        return 0;
                    }
                }
                System.out.print("sluice> ");
                System.out.flush();
            }
            return 0;
        }
        catch (final IOException ex)
        {
            System.err.println("sluice: admin connection to " + connect + " failed: " + ex.getMessage());
            return 2;
        }
    }

    private static int print(final List<String> answer)
    {
        answer.forEach(System.out::println);
        return !answer.isEmpty() && answer.get(0).startsWith("ERR") ? 1 : 0;
    }
}
