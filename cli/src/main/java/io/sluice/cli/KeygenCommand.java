package io.sluice.cli;

import io.sluice.node.auth.KeyFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;

/**
 * {@code sluice keygen --out FILE}: write an Ed25519 key pair and print the line to put in {@code authorized_keys}.
 */
@Command(name = "keygen", description = "Write an Ed25519 key pair (FILE and FILE.pub).")
final class KeygenCommand implements Callable<Integer>
{
    @Option(names = "--out", required = true, description = "Private key file; the public key goes to FILE.pub.")
    Path out;

    @Option(names = "--role", defaultValue = "trader",
        description = "Role for the printed authorized_keys line: trader, read-only, operator, replication.")
    String role;

    @Option(names = "--account", description = "Account for the printed authorized_keys line (traders need one).")
    Long account;

    @Override
    public Integer call() throws Exception
    {
        final KeyPair keyPair = KeyFiles.generate();
        KeyFiles.write(keyPair, out);
        System.out.println("wrote " + out + " and " + KeyFiles.publicKeyFile(out));
        System.out.println("authorized_keys line:");
        System.out.println(KeyFiles.publicKeyBase64(keyPair.getPublic()) + " " + role +
            (account == null ? "" : " account=" + account));
        return 0;
    }
}
