package io.sluice.node.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes {@link NodeConfig#load(Path, Map)} with mutations of valid configuration files: the repository's examples
 * and one that sets every key. Mutations work on characters (including backslash escapes, separators, control
 * and non-ASCII characters, bytes that are not UTF-8), on lines (dropped, repeated, swapped) and on keys and values
 * (numbers at and past their limits, instrument and replica indexes out of range, malformed endpoints), and the
 * command-line overrides are mutated too. The contract: a configuration that loads answers every accessor; any
 * other outcome is a {@link ConfigException} with a message. No other exception escapes.
 * <p>
 * Tries scale with {@code -Dsluice.fuzz.scale=N}; {@code -Dsluice.fuzz.seed=S} changes the inputs. The bugs this
 * found (N1 to N3 in {@code docs/fuzzing.md}) each have a regression test below with the input that found them.
 */
class NodeConfigFuzzTest
{
    private static final long SEED = Long.getLong("sluice.fuzz.seed", 0xC0_F1_6L);
    private static final int SCALE = Integer.getInteger("sluice.fuzz.scale", 1);
    private static final int TRIES = 1_000 * SCALE;
    private static final Path CONFIG_DIR = Path.of("..", "config");
    private static final String[] INTERESTING_VALUES = {
        "", " ", "0", "-1", "1", "2", "3", "4", "65535", "65536", "2147483647", "2147483648", "-2147483649",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "99999999999999999999", "1_000",
        "_", "0x10", "1e3", "1.5", "+5", "on", "off", "yes", "ON", "true", "shared", "dedicated", "busy-spin",
        "local", "hybrid", "persisted>=1 && in_memory>=2", "persisted>=9", "in_memory>=", "&&", ">=",
        "127.0.0.1:0", "127.0.0.1:", ":7001", "127.0.0.1:65536", "127.0.0.1:-1", "[::1]:7001", "[::1", "]:1",
        "host:port", "a:b:c", ":", "127.0.0.1:7001,127.0.0.1:7002", ",", "127.0.0.1:1,,", "\\u0041", "\\u12",
        "\\", "\\n", "#", "!", "=", "caf\u00e9", "\u0000", "\t", "ACME", "A B", "SEVENTEEN_CHARS_X" };
    private static final String[] INTERESTING_KEYS = {
        "instrument.0.symbol", "instrument.-1.tick", "instrument.99999999999.lot", "instrument.2147483648.tick",
        "instrument.1.", "instrument..symbol", "instrument.1.symbol.extra", "replication.replica.16.data",
        "replication.replica.99999999999.control", "replication.replica.1.data", "replication.replica.0.",
        "replication.replica.-1.data", "node.id", "data.dir", "durability", "unknown.key", "", "=", "\\u0041" };

    @TempDir
    Path dir;

    @Test
    void shouldLoadOrRefuseWithConfigExceptionWhateverTheFileSays()
    {
        assertTimeoutPreemptively(Duration.ofMinutes(2L * SCALE), this::fuzzLoad);
    }

    private void fuzzLoad() throws IOException
    {
        final List<String> corpus = corpus();
        final SplittableRandom random = new SplittableRandom(SEED);
        final Path file = dir.resolve("node.conf");
        int loaded = 0;
        int refused = 0;
        final Map<String, String> escapes = new LinkedHashMap<>();
        for (int i = 0; i < TRIES; i++)
        {
            final String original = corpus.get(random.nextInt(corpus.size()));
            final byte[] text = mutate(random, original);
            Files.write(file, text);
            final Map<String, String> overrides = overrides(random);
            try
            {
                final NodeConfig config = NodeConfig.load(file, overrides);
                readEverything(config);
                loaded++;
            }
            catch (final ConfigException ex)
            {
                assertTrue(ex.getMessage() != null && !ex.getMessage().isBlank(), "a refusal says why: try " + i);
                refused++;
            }
            catch (final RuntimeException ex)
            {
                final String signature = signature(ex);
                if (!escapes.containsKey(signature))
                {
                    escapes.put(signature, "try " + i + " seed " + SEED + ": " + ex + "\n  overrides " + overrides +
                        "\n  file:\n" + new String(text, StandardCharsets.UTF_8));
                }
            }
        }
        System.out.println("fuzz config: seed=" + SEED + " tries=" + TRIES + " loaded=" + loaded + " refused=" +
            refused);
        if (!escapes.isEmpty())
        {
            fail(escapes.size() + " kinds of input escaped with other than ConfigException:\n" +
                String.join("\n", escapes.keySet()) + "\nfirst of each:\n" + String.join("\n", escapes.values()));
        }
        assertTrue(loaded > TRIES / 20, "mutated configs that stay valid load: " + loaded);
        assertTrue(refused > TRIES / 4, "mutated configs are refused: " + refused);
    }

    @Test
    void shouldLoadEveryCorpusFileUnmutated() throws IOException
    {
        for (final String text : corpus())
        {
            final Path file = dir.resolve("unmutated.conf");
            Files.writeString(file, text, StandardCharsets.UTF_8);
            readEverything(NodeConfig.load(file, Map.of()));
        }
    }

    /** N1: a malformed unicode escape in a value: backslash, u, and only two hex digits. */
    @Test
    void shouldRefuseAMalformedUnicodeEscapeWithConfigException() throws IOException
    {
        final Path file = dir.resolve("n1.conf");
        Files.writeString(file, "data.dir = d\\u12\n", StandardCharsets.UTF_8);

        final ConfigException ex = assertThrows(ConfigException.class, () -> NodeConfig.load(file, Map.of()));
        assertTrue(ex.getMessage().contains(file.toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains("\\uXXXX"), ex.getMessage());
    }

    /**
     * N2: an instrument id below 1, an instrument id too long for any integer and a replica slot index past 15, each
     * in a file that loads without that line.
     */
    @Test
    void shouldRefuseAnIndexOutOfRangeInAKeyWithConfigExceptionNamingTheKey() throws IOException
    {
        final String valid = "data.dir = data\n";
        final Path file = dir.resolve("n2.conf");
        Files.writeString(file, valid, StandardCharsets.UTF_8);
        readEverything(NodeConfig.load(file, Map.of()));

        for (final String line : List.of("instrument.0.symbol = ACME", "instrument.99999999999999999999.tick = 1",
            "replication.replica.16.data = 127.0.0.1:7211"))
        {
            Files.writeString(file, valid + line + "\n", StandardCharsets.UTF_8);
            final String key = line.substring(0, line.indexOf(' '));

            final ConfigException ex = assertThrows(ConfigException.class, () -> NodeConfig.load(file, Map.of()),
                line);
            assertTrue(ex.getMessage().startsWith(key + ":"), ex.getMessage());
        }
    }

    /** N3: each path key set to a name with a NUL character, refused at load rather than when the path is used. */
    @Test
    void shouldRefuseAPathKeyThatIsNotAPathWithConfigExceptionNamingTheKey() throws IOException
    {
        final Path file = dir.resolve("n3.conf");
        for (final ConfigKey<String> key : List.of(NodeConfig.DATA_DIR, NodeConfig.AERON_DIR,
            NodeConfig.AUTH_KEYS_FILE, NodeConfig.REPLICATION_KEY_FILE))
        {
            final StringBuilder text = new StringBuilder();
            if (key != NodeConfig.DATA_DIR)
            {
                text.append("data.dir = data\n");
            }
            text.append(key.name()).append(" = da\\u0000ta\n");
            Files.writeString(file, text, StandardCharsets.UTF_8);

            final ConfigException ex = assertThrows(ConfigException.class, () -> NodeConfig.load(file, Map.of()),
                key.name());
            assertTrue(ex.getMessage().startsWith(key.name() + "="), ex.getMessage());
            assertTrue(ex.getMessage().contains("not a valid path"), ex.getMessage());
        }
    }

    /** Exception type and where in the node's code it was thrown from, to tell distinct escapes apart. */
    private static String signature(final Throwable ex)
    {
        final StringBuilder where = new StringBuilder(ex.getClass().getName());
        for (final StackTraceElement frame : ex.getStackTrace())
        {
            if (frame.getClassName().startsWith("io.sluice."))
            {
                where.append(" at ").append(frame);
                break;
            }
        }
        return where.toString();
    }

    private static void readEverything(final NodeConfig config)
    {
        for (final ConfigKey<?> key : NodeConfig.KEYS)
        {
            config.get(key);
        }
        assertTrue(config.dataDir().isAbsolute());
        assertEquals(config.replicaCount(), config.replicas().size());
        config.instruments().forEach((instrument) -> assertTrue(instrument.instrumentId() > 0));
        config.isReplicaConfig();
        config.authEnabled();
    }

    /** The example configurations (with data.dir kept inside the temp dir) and one that sets every key. */
    private static List<String> corpus() throws IOException
    {
        final List<String> corpus = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(CONFIG_DIR, "*.conf"))
        {
            for (final Path file : files)
            {
                corpus.add(Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        assertTrue(corpus.size() >= 4, "examples found in " + CONFIG_DIR.toAbsolutePath());

        final Map<String, String> every = new LinkedHashMap<>();
        for (final ConfigKey<?> key : NodeConfig.KEYS)
        {
            if (key.defaultValue() != null)
            {
                every.put(key.name(), key.defaultValue());
            }
        }
        every.put(NodeConfig.DATA_DIR.name(), "data");
        every.put(NodeConfig.DURABILITY.name(), "persisted>=1 && in_memory>=2");
        every.put(NodeConfig.AUTH.name(), "on");
        every.put(NodeConfig.AUTH_KEYS_FILE.name(), "keys/authorized_keys");
        every.put(NodeConfig.REPLICATION_KEY_FILE.name(), "keys/replication.key");
        every.put("replication.replica.0.data", "127.0.0.1:7211");
        every.put("replication.replica.0.control", "127.0.0.1:7212");
        every.put("instrument.7.symbol", "GLOBEX");
        every.put("instrument.7.tick", "5");
        every.put("instrument.7.lot", "10");
        every.put("instrument.7.min.qty", "10");
        every.put("instrument.7.max.qty", "500_000");
        every.put("instrument.7.reference.price", "25000");
        every.put("instrument.7.band.bps", "1000");
        final StringBuilder text = new StringBuilder("# every key\n");
        every.forEach((key, value) -> text.append(key).append(" = ").append(value).append('\n'));
        corpus.add(text.toString());

        final StringBuilder replica = new StringBuilder("data.dir: replica\n");
        replica.append("replication.data.bind=127.0.0.1:7221\n");
        replica.append("replication.primary.control=127.0.0.1:7222, 127.0.0.1:7232\n");
        replica.append("durability\tlocal\n");
        corpus.add(replica.toString());
        return corpus;
    }

    private static Map<String, String> overrides(final SplittableRandom random)
    {
        if (random.nextInt(4) != 0)
        {
            return Map.of();
        }
        final Map<String, String> overrides = new HashMap<>();
        final int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++)
        {
            final String key = random.nextBoolean() ?
                NodeConfig.KEYS.get(random.nextInt(NodeConfig.KEYS.size())).name() :
                INTERESTING_KEYS[random.nextInt(INTERESTING_KEYS.length)];
            overrides.put(key, INTERESTING_VALUES[random.nextInt(INTERESTING_VALUES.length)]);
        }
        return overrides;
    }

    private static byte[] mutate(final SplittableRandom random, final String original)
    {
        final List<String> lines = new ArrayList<>(List.of(original.split("\n", -1)));
        final int rounds = 1 + random.nextInt(4);
        for (int r = 0; r < rounds; r++)
        {
            mutateOnce(random, lines);
        }
        final byte[] text = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
        if (random.nextInt(40) == 0 && text.length > 0)
        {
            // Not UTF-8 at all.
            text[random.nextInt(text.length)] = (byte)(0x80 + random.nextInt(0x80));
        }
        return text;
    }

    private static void mutateOnce(final SplittableRandom random, final List<String> lines)
    {
        if (lines.isEmpty())
        {
            lines.add("");
        }
        final int index = random.nextInt(lines.size());
        final String line = lines.get(index);
        final int separator = Math.max(line.indexOf('='), line.indexOf(':'));
        switch (random.nextInt(10))
        {
            case 0:
                lines.remove(index);
                break;
            case 1:
                lines.add(random.nextInt(lines.size() + 1), line);
                break;
            case 2:
                lines.set(index, lines.get(random.nextInt(lines.size())));
                break;
            case 3:
            case 4:
                if (separator > 0)
                {
                    lines.set(index, line.substring(0, separator + 1) + " " +
                        INTERESTING_VALUES[random.nextInt(INTERESTING_VALUES.length)]);
                }
                break;
            case 5:
                lines.set(index, INTERESTING_KEYS[random.nextInt(INTERESTING_KEYS.length)] + " = " +
                    (separator > 0 ? line.substring(separator + 1).trim() :
                    INTERESTING_VALUES[random.nextInt(INTERESTING_VALUES.length)]));
                break;
            case 6:
                lines.set(index, replaceDigits(random, line));
                break;
            default:
                lines.set(index, mutateCharacters(random, line));
                break;
        }
    }

    /** Changes the numbers in a line (keys' indexes and values alike) to neighbours and extremes. */
    private static String replaceDigits(final SplittableRandom random, final String line)
    {
        final StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < line.length())
        {
            if (Character.isDigit(line.charAt(i)))
            {
                int j = i;
                while (j < line.length() && Character.isDigit(line.charAt(j)))
                {
                    j++;
                }
                final String[] choices = { "0", "1", "16", "65536", "2147483648", "99999999999999999999",
                    line.substring(i, j) + "0", "-" + line.substring(i, j) };
                out.append(random.nextInt(3) == 0 ? choices[random.nextInt(choices.length)] : line.substring(i, j));
                i = j;
            }
            else
            {
                out.append(line.charAt(i++));
            }
        }
        return out.toString();
    }

    private static String mutateCharacters(final SplittableRandom random, final String line)
    {
        final StringBuilder out = new StringBuilder(line);
        final String specials = "\\u=:#! \t\r\f,.[]_-+0123456789\u00e9\u2028\u0000\uFFFD";
        final int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++)
        {
            final int at = out.length() == 0 ? 0 : random.nextInt(out.length() + 1);
            switch (random.nextInt(10))
            {
                case 0:
                case 1:
                case 2:
                    out.insert(at, specials.charAt(random.nextInt(specials.length())));
                    break;
                case 3:
                case 4:
                case 5:
                    if (at < out.length())
                    {
                        out.deleteCharAt(at);
                    }
                    break;
                case 6:
                case 7:
                case 8:
                    if (at < out.length())
                    {
                        out.setCharAt(at, (char)(out.charAt(at) ^ (1 << random.nextInt(7))));
                    }
                    break;
                default:
                    out.insert(at, "\\u" + String.format("%04x", random.nextInt(0x10000)).substring(0,
                        random.nextInt(1, 5)));
                    break;
            }
        }
        return out.toString();
    }
}
