package io.sluice.harness.bench;

import io.sluice.node.auth.KeyFiles;
import org.agrona.collections.Long2ObjectHashMap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;

/**
 * The keys a demo run needs so that it runs with authentication on and nobody has to make keys by hand: one trader
 * key per bench connection (session id = account id), an operator key for the admin queries, a replication key for
 * the primary and per replica (written as key files the configs name: the replication link is authenticated both
 * ways), and the {@code authorized_keys} file listing them, which every node reads, all in the run's temporary
 * directory.
 */
public final class DemoKeys
{
    private final Long2ObjectHashMap<KeyPair> traders = new Long2ObjectHashMap<>();
    private final KeyPair operator;
    private final Path authorizedKeys;

    private DemoKeys(final KeyPair operator, final Path authorizedKeys)
    {
        this.operator = operator;
        this.authorizedKeys = authorizedKeys;
    }

    /**
     * @param dir            where {@code authorized_keys} is written.
     * @param firstSessionId of the bench's connections.
     * @param connections    how many.
     * @param replicas       replicas that need a replication key.
     * @return the keys.
     * @throws IOException if the file cannot be written or the JDK has no Ed25519.
     */
    public static DemoKeys generate(
        final Path dir, final long firstSessionId, final int connections, final int replicas) throws IOException
    {
        try
        {
            final List<String> lines = new ArrayList<>();
            lines.add("# Written by sluice demo: keys generated for this run only.");
            final KeyPair operator = KeyFiles.generate();
            lines.add(KeyFiles.publicKeyBase64(operator.getPublic()) + " operator");
            final DemoKeys keys = new DemoKeys(operator, dir.resolve("authorized_keys"));
            for (int i = 0; i < connections; i++)
            {
                final long account = firstSessionId + i;
                final KeyPair trader = KeyFiles.generate();
                keys.traders.put(account, trader);
                lines.add(KeyFiles.publicKeyBase64(trader.getPublic()) + " trader account=" + account);
            }
            for (int slot = 0; slot < replicas; slot++)
            {
                final KeyPair replica = KeyFiles.generate();
                KeyFiles.write(replica, keys.replicaKeyFile(slot));
                lines.add(KeyFiles.publicKeyBase64(replica.getPublic()) + " replication");
            }
            if (replicas > 0)
            {
                final KeyPair primary = KeyFiles.generate();
                KeyFiles.write(primary, keys.primaryKeyFile());
                lines.add(KeyFiles.publicKeyBase64(primary.getPublic()) + " replication");
            }
            Files.write(keys.authorizedKeys, lines);
            return keys;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IOException("cannot generate Ed25519 keys: " + ex.getMessage(), ex);
        }
    }

    public KeyPair trader(final long account)
    {
        return traders.get(account);
    }

    public KeyPair operator()
    {
        return operator;
    }

    /**
     * @param slot of the replica.
     * @return its key file (the public key is beside it, with {@code .pub}).
     */
    public Path replicaKeyFile(final int slot)
    {
        return authorizedKeys.resolveSibling("replica-" + slot + ".key");
    }

    /** @return the primary's replication key file (written when there are replicas). */
    public Path primaryKeyFile()
    {
        return authorizedKeys.resolveSibling("primary.key");
    }

    public Path authorizedKeys()
    {
        return authorizedKeys;
    }
}
