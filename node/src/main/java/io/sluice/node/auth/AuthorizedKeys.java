package io.sluice.node.auth;

import io.sluice.wire.LogonSignatures;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code authorized_keys} file: one key per line, {@code <base64 raw Ed25519 public key> <role> [account=<id>]},
 * with {@code #} comments. A trader key must name its account; other roles may. Read once at start-up; immutable.
 */
public final class AuthorizedKeys
{
    /** Account of a key that names none. */
    public static final long NO_ACCOUNT = -1;

    private final Map<String, Grant> grantsByKey;

    private AuthorizedKeys(final Map<String, Grant> grantsByKey)
    {
        this.grantsByKey = grantsByKey;
    }

    /**
     * @param file to read.
     * @return the keys.
     * @throws IOException              if the file cannot be read.
     * @throws IllegalArgumentException naming the line, for a malformed entry.
     */
    public static AuthorizedKeys load(final Path file) throws IOException
    {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    static AuthorizedKeys parse(final List<String> lines, final String source)
    {
        final Map<String, Grant> grants = new HashMap<>();
        for (int i = 0; i < lines.size(); i++)
        {
            final int hash = lines.get(i).indexOf('#');
            final String line = (hash >= 0 ? lines.get(i).substring(0, hash) : lines.get(i)).trim();
            if (line.isEmpty())
            {
                continue;
            }
            final String where = source + ":" + (i + 1);
            final String[] words = line.split("\\s+");
            if (words.length < 2 || words.length > 3)
            {
                throw new IllegalArgumentException(where + ": expected '<base64 key> <role> [account=<id>]'");
            }
            final byte[] key;
            try
            {
                key = Base64.getDecoder().decode(words[0]);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(where + ": key is not base64");
            }
            if (key.length != LogonSignatures.PUBLIC_KEY_LENGTH)
            {
                throw new IllegalArgumentException(where + ": key must be 32 bytes (raw Ed25519), got " + key.length);
            }
            final Role role;
            try
            {
                role = Role.parse(words[1]);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(where + ": " + ex.getMessage());
            }
            long account = NO_ACCOUNT;
            if (words.length == 3)
            {
                if (!words[2].startsWith("account="))
                {
                    throw new IllegalArgumentException(where + ": third field must be account=<id>");
                }
                try
                {
                    account = Long.parseLong(words[2].substring("account=".length()));
                }
                catch (final NumberFormatException ex)
                {
                    throw new IllegalArgumentException(where + ": account must be an integer");
                }
            }
            if (role == Role.TRADER && account == NO_ACCOUNT)
            {
                throw new IllegalArgumentException(where + ": a trader key must name its account=<id>");
            }
            // Keyed by the key's canonical spelling: base64 has several for the same bytes (padding, unused
            // trailing bits), and a logon is looked up by the bytes it presents.
            if (grants.put(Base64.getEncoder().encodeToString(key), new Grant(role, account)) != null)
            {
                throw new IllegalArgumentException(where + ": key listed twice");
            }
        }
        return new AuthorizedKeys(Map.copyOf(grants));
    }

    /**
     * @param rawPublicKey 32-byte key from a logon.
     * @return what the key may do, or null if it is not listed.
     */
    public Grant grant(final byte[] rawPublicKey)
    {
        return grantsByKey.get(Base64.getEncoder().encodeToString(rawPublicKey));
    }

    public int size()
    {
        return grantsByKey.size();
    }

    /**
     * @param role    granted.
     * @param account the key trades for, or {@link #NO_ACCOUNT}.
     */
    public record Grant(Role role, long account)
    {
    }
}
