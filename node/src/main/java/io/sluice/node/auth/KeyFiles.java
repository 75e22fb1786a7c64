package io.sluice.node.auth;

import io.sluice.wire.LogonSignatures;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * Ed25519 key pair files: {@code FILE} holds the private key (PKCS#8, base64, owner-readable only) and
 * {@code FILE.pub} the raw 32-byte public key in base64, the form {@code authorized_keys} lists.
 */
public final class KeyFiles
{
    private KeyFiles()
    {
    }

    public static KeyPair generate() throws GeneralSecurityException
    {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    /**
     * @param keyPair to write.
     * @param file    private key file; the public key goes to {@code file + ".pub"}.
     * @throws IOException if the files cannot be written.
     */
    public static void write(final KeyPair keyPair, final Path file) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        Files.writeString(file, Base64.getEncoder().encodeToString(keyPair.getPrivate().getEncoded()) + "\n",
            StandardCharsets.US_ASCII);
        try
        {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        catch (final UnsupportedOperationException ignore)
        {
            // not a POSIX file system; the key is still written
        }
        Files.writeString(publicKeyFile(file), publicKeyBase64(keyPair.getPublic()) + "\n", StandardCharsets.US_ASCII);
    }

    public static Path publicKeyFile(final Path file)
    {
        return file.resolveSibling(file.getFileName() + ".pub");
    }

    public static String publicKeyBase64(final PublicKey publicKey)
    {
        return Base64.getEncoder().encodeToString(LogonSignatures.rawPublicKey(publicKey));
    }

    /**
     * @param file written by {@link #write}.
     * @return the key pair.
     * @throws IOException if the files are missing or malformed.
     */
    public static KeyPair read(final Path file) throws IOException
    {
        try
        {
            final PrivateKey privateKey = KeyFactory.getInstance("Ed25519").generatePrivate(
                new PKCS8EncodedKeySpec(Base64.getDecoder().decode(Files.readString(file).trim())));
            final List<String> publicLines = Files.readAllLines(publicKeyFile(file));
            final PublicKey publicKey = LogonSignatures.publicKey(
                Base64.getDecoder().decode(publicLines.get(0).trim()));
            return new KeyPair(publicKey, privateKey);
        }
        catch (final GeneralSecurityException | IllegalArgumentException | IndexOutOfBoundsException ex)
        {
            throw new IOException("not a Sluice key file (or its .pub is missing): " + file + ": " + ex.getMessage(),
                ex);
        }
    }
}
