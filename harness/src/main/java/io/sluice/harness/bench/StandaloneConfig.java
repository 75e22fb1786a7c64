package io.sluice.harness.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configuration of the primary that {@code sluice demo} starts: loopback with port 0 everywhere (the node prints
 * where it listens), instruments 1..N that the bench's default flow trades (tick 1, lot 1, reference price
 * {@link BenchContext#DEFAULT_REFERENCE_PRICE}, a band of 50% for the flow's +-40%), and risk limits a long run on a
 * few accounts does not reach.
 */
public final class StandaloneConfig
{
    private StandaloneConfig()
    {
    }

    /**
     * @param dataDir     the node's data directory.
     * @param durability  policy at start-up, a mode or a clause expression.
     * @param instruments how many instruments, ids from 1.
     * @return config keys and values, in the order a file would list them.
     */
    public static Map<String, String> keys(final Path dataDir, final String durability, final int instruments)
    {
        final Map<String, String> keys = new LinkedHashMap<>();
        keys.put("data.dir", dataDir.toAbsolutePath().toString());
        keys.put("client.bind", "127.0.0.1:0");
        keys.put("admin.bind", "127.0.0.1:0");
        keys.put("http.bind", "127.0.0.1:0");
        keys.put("durability", durability);
        keys.put("threading", "shared");
        keys.put("risk.max.open.orders", "1000000");
        keys.put("matching.order.pool", "262144");
        for (int id = 1; id <= instruments; id++)
        {
            final String prefix = "instrument." + id + ".";
            keys.put(prefix + "symbol", "DEMO" + id);
            keys.put(prefix + "tick", "1");
            keys.put(prefix + "lot", "1");
            keys.put(prefix + "min.qty", "1");
            keys.put(prefix + "max.qty", "1000000");
            keys.put(prefix + "reference.price", Long.toString(BenchContext.DEFAULT_REFERENCE_PRICE));
            keys.put(prefix + "band.bps", "5000");
        }
        return keys;
    }

    /**
     * @return the same keys as a configuration file's text.
     */
    public static String text(final Path dataDir, final String durability, final int instruments)
    {
        return text(keys(dataDir, durability, instruments));
    }

    /**
     * @param keys config keys and values, e.g. from {@link #keys} with additions.
     * @return them as a configuration file's text.
     */
    public static String text(final Map<String, String> keys)
    {
        final StringBuilder text = new StringBuilder(1024).append("# Written by sluice demo.\n");
        keys.forEach((key, value) ->
            text.append(key).append(" = ").append(value.replace('\\', '/')).append('\n'));
        return text.toString();
    }
}
