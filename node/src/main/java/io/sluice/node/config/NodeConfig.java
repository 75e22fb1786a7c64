package io.sluice.node.config;

import io.sluice.durability.InvalidPolicyException;
import io.sluice.durability.Policy;

import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sluice.node.config.Parsers.endpoint;
import static io.sluice.node.config.Parsers.endpointList;
import static io.sluice.node.config.Parsers.intRange;
import static io.sluice.node.config.Parsers.longRange;
import static io.sluice.node.config.Parsers.nonEmpty;
import static io.sluice.node.config.Parsers.onOff;
import static io.sluice.node.config.Parsers.oneOf;
import static io.sluice.node.config.Parsers.powerOfTwo;

/**
 * A node's configuration: one Java properties file ({@code key = value}, {@code #} comments), overridden key by key
 * from the command line. Every key, its default and its check live here; docs/configuration.md documents the same
 * list (a test keeps the two in step). Unknown keys, bad values and inconsistent combinations fail at start-up with
 * a message naming the key.
 */
public final class NodeConfig
{
    public static final ConfigKey<Integer> NODE_ID = new ConfigKey<>("node.id", "1",
        "Id of this node in the cluster, unique per node.", intRange(1, 65_535));
    public static final ConfigKey<String> DATA_DIR = new ConfigKey<>("data.dir", null,
        "Directory for the journal, snapshots and scratch files; relative paths are against the config file. One " +
        "node at a time owns it (an OS lock on node.lock, taken before recovery): a second node is refused.",
        Parsers.path());
    public static final ConfigKey<InetSocketAddress> CLIENT_BIND = new ConfigKey<>("client.bind", "127.0.0.1:7001",
        "Address the order-entry listener binds; port 0 picks a free port.", endpoint());
    public static final ConfigKey<InetSocketAddress> ADMIN_BIND = new ConfigKey<>("admin.bind", "127.0.0.1:7002",
        "Address the admin listener binds (keep it on loopback).", endpoint());
    public static final ConfigKey<InetSocketAddress> HTTP_BIND = new ConfigKey<>("http.bind", "127.0.0.1:7003",
        "Address of the HTTP listener for /healthz, /metrics and /stats.", endpoint());
    public static final ConfigKey<String> DURABILITY = new ConfigKey<>("durability", null,
        "Durability policy at start-up: local, hybrid, durably-replicated, replicated, or a clause expression " +
        "such as 'persisted>=1 && in_memory>=2'. Default: hybrid with replicas, local without.", nonEmpty());
    public static final ConfigKey<String> THREADING = new ConfigKey<>("threading", "shared",
        "shared: with idle.strategy=block every stage has a thread that sleeps until woken; with a polling " +
        "strategy the network stages share one thread. dedicated: one thread per stage, each with idle.strategy.",
        oneOf("shared", "dedicated"));
    public static final ConfigKey<String> IDLE_STRATEGY = new ConfigKey<>("idle.strategy", "block",
        "How idle stages wait: block (sleep until the stage feeding it wakes it; any machine), busy-spin (only " +
        "with dedicated threads and a spare core per stage), or the polling backoff, sleep and yield.",
        oneOf("block", "backoff", "sleep", "yield", "busy-spin"));
    public static final ConfigKey<Integer> READER_SHARDS = new ConfigKey<>("reader.shards", "1",
        "Reader shards (and ingest rings) in static shard mode. Every reader runs on the one network thread, so " +
        "more than one spreads connections over rings but adds a look at each reader's sockets per duty cycle.",
        intRange(1, 64));
    public static final ConfigKey<String> SHARDS_MODE = new ConfigKey<>("shards.mode", "static",
        "static: reader.shards fixed shards; dynamic: scale between shards.min and shards.max.",
        oneOf("static", "dynamic"));
    public static final ConfigKey<Integer> SHARDS_MIN = new ConfigKey<>("shards.min", "1",
        "Fewest reader shards in dynamic mode.", intRange(1, 64));
    public static final ConfigKey<Integer> SHARDS_MAX = new ConfigKey<>("shards.max", "4",
        "Most reader shards in dynamic mode.", intRange(1, 64));
    public static final ConfigKey<Integer> INGEST_RING_BYTES = new ConfigKey<>("ingest.ring.bytes", "1048576",
        "Capacity of each ingest ring, a power of two.", powerOfTwo(4096, 1 << 30));
    public static final ConfigKey<Integer> OUTPUT_RING_BYTES = new ConfigKey<>("output.ring.bytes", "4194304",
        "Capacity of the output ring (sequencer to response stage), a power of two.", powerOfTwo(4096, 1 << 30));
    public static final ConfigKey<Integer> JOURNAL_RING_BYTES = new ConfigKey<>("journal.ring.bytes", "4194304",
        "Capacity of the journal ring (sequencer to journal), a power of two.", powerOfTwo(4096, 1 << 30));
    public static final ConfigKey<Integer> SEQUENCER_BATCH_PER_RING = new ConfigKey<>("sequencer.batch.per.ring",
        "64", "Most requests the sequencer takes from one ingest ring per turn.", intRange(1, 65_536));
    public static final ConfigKey<Integer> FRAME_MAX_BYTES = new ConfigKey<>("frame.max.bytes", "4096",
        "Largest client message (SBE header and body) accepted; a longer length prefix cannot be framed and closes " +
        "the connection (EngineError UNFRAMEABLE first).", intRange(64, 65_536));
    public static final ConfigKey<Integer> CLIENT_MAX_UNSENT_BYTES = new ConfigKey<>("client.max.unsent.bytes",
        "1048576", "A client whose unsent replies (those its socket has not taken) would exceed this is disconnected " +
        "as a slow consumer.", intRange(4096, 1 << 26));
    public static final ConfigKey<Long> CLIENT_HEARTBEAT_INTERVAL_MS = new ConfigKey<>("client.heartbeat.interval.ms",
        "1000", "Heartbeat sent to a client connection idle this long.", longRange(10, 3_600_000));
    public static final ConfigKey<Long> CLIENT_LOGON_TIMEOUT_MS = new ConfigKey<>("client.logon.timeout.ms", "5000",
        "A connection that has not logged on this long after it was accepted is told (EngineError LOGON_TIMEOUT) " +
        "and closed.", longRange(100, 600_000));
    public static final ConfigKey<Long> CLIENT_IDLE_TIMEOUT_MS = new ConfigKey<>("client.idle.timeout.ms", "30000",
        "A logged-on client that sends nothing, not even a Heartbeat, for this long is told (EngineError " +
        "IDLE_TIMEOUT) and closed; 0 never.", longRange(0, 3_600_000));
    public static final ConfigKey<Long> CLIENT_SEND_STALL_TIMEOUT_MS = new ConfigKey<>("client.send.stall.timeout.ms",
        "5000", "A client whose socket accepts none of its waiting replies for this long is disconnected as a slow " +
        "consumer.", longRange(100, 600_000));
    public static final ConfigKey<Boolean> CLIENT_CANCEL_ON_DISCONNECT = new ConfigKey<>(
        "client.cancel.on.disconnect", "off", "Cancel-on-disconnect for sessions on the client listener whose Logon " +
        "does not say (older than protocol version 3, or null): on cancels a session's DAY orders once it has been " +
        "gone (dropped or logged out) for the grace period without logging on again; GTC orders stay.", onOff());
    public static final ConfigKey<Long> CLIENT_CANCEL_ON_DISCONNECT_GRACE_MS = new ConfigKey<>(
        "client.cancel.on.disconnect.grace.ms", "5000", "How long a session with cancel-on-disconnect may be gone " +
        "before its DAY orders are cancelled: time to log on again, here or on a new primary; 0 cancels at once.",
        longRange(0, 3_600_000));
    public static final ConfigKey<Integer> CLIENT_SOCKET_SEND_BUFFER_BYTES = new ConfigKey<>(
        "client.socket.send.buffer.bytes", "262144",
        "Kernel send buffer (SO_SNDBUF) of each client socket, so replies a client does not read pile up where " +
        "the slow-consumer rule counts them; 0 leaves the system's (which grows to megabytes).",
        intRange(0, 1 << 30));
    public static final ConfigKey<Long> CLIENT_THROTTLE_MESSAGES_PER_SECOND = new ConfigKey<>(
        "client.throttle.messages.per.second", "0",
        "Requests a second each logged-on session may send on average (orders, cancels, replaces, mass cancels and " +
        "queries); a request above it is answered REJECTED THROTTLED by the reader, never sequenced or journaled. " +
        "0: no limit.", longRange(0, 1_000_000_000));
    public static final ConfigKey<Long> CLIENT_THROTTLE_BURST = new ConfigKey<>("client.throttle.burst", "100",
        "Requests a session may send at once, after its logon or a quiet spell, before the rate applies.",
        longRange(1, 1_000_000));
    public static final ConfigKey<Long> CLIENT_THROTTLE_CLOSE_AFTER_MS = new ConfigKey<>(
        "client.throttle.close.after.ms", "5000",
        "A session whose requests keep being refused THROTTLED (no second without a refusal) for this long is told " +
        "(EngineError THROTTLED) and closed; 0 never.", longRange(0, 3_600_000));
    public static final ConfigKey<String> JOURNAL_SYNC = new ConfigKey<>("journal.sync", "every-group",
        "every-group: fsync after each group of appends (what the durability gate assumes); none: never " +
        "(benchmarks only; logged as a warning and shown in /healthz).", oneOf("every-group", "none"));
    public static final ConfigKey<Integer> JOURNAL_GROUP_MAX_ENTRIES = new ConfigKey<>("journal.group.max.entries",
        "256", "Most entries appended before a sync.", intRange(1, 1 << 20));
    public static final ConfigKey<String> JOURNAL_RETENTION = new ConfigKey<>("journal.retention", "after-snapshot",
        "after-snapshot: after each snapshot, delete journal cycle files the snapshot covers and no connected " +
        "replica still needs (a replica further behind is sent the snapshot); keep-all: never delete (archive " +
        "and prune cycle files yourself).", oneOf("after-snapshot", "keep-all"));
    public static final ConfigKey<String> JOURNAL_ROLL_CYCLE = new ConfigKey<>("journal.roll.cycle", "hourly",
        "How often a new journal cycle file starts, the unit retention deletes: hourly, ten-minutely, or " +
        "test-secondly (tests only). A journal keeps the cycle it was created with.",
        oneOf("hourly", "ten-minutely", "test-secondly"));
    public static final ConfigKey<Long> SNAPSHOT_INTERVAL_ENTRIES = new ConfigKey<>("snapshot.interval.entries",
        "1000000", "Take a snapshot every this many journal entries; 0 disables.", longRange(0, Long.MAX_VALUE));
    public static final ConfigKey<Long> SNAPSHOT_INTERVAL_SECONDS = new ConfigKey<>("snapshot.interval.seconds",
        "300", "Take a snapshot at least this often while entries arrive; 0 disables.", longRange(0, 86_400 * 7L));
    public static final ConfigKey<Boolean> AUTH = new ConfigKey<>("auth", "off",
        "on: clients and operators must sign the logon challenge with a key listed in auth.keys.file.", onOff());
    public static final ConfigKey<String> AUTH_KEYS_FILE = new ConfigKey<>("auth.keys.file", null,
        "authorized_keys file mapping public keys to a role and an account (required when auth=on).", Parsers.path());
    public static final ConfigKey<Boolean> TRACE = new ConfigKey<>("trace", "off",
        "on: record per-stage latency histograms, served at GET /stats.", onOff());
    public static final ConfigKey<Long> RISK_MAX_ORDER_NOTIONAL = new ConfigKey<>("risk.max.order.notional",
        "9223372036854775807", "Largest price x quantity of one order.", longRange(1, Long.MAX_VALUE));
    public static final ConfigKey<Integer> RISK_MAX_OPEN_ORDERS = new ConfigKey<>("risk.max.open.orders", "10000",
        "Most resting orders per account.", intRange(1, 1 << 26));
    public static final ConfigKey<String> STP_DEFAULT = new ConfigKey<>("stp.default", "cancel-newest",
        "Self-trade prevention for accounts without their own setting.",
        oneOf("cancel-newest", "cancel-oldest", "cancel-both"));
    public static final ConfigKey<String> AERON_DIR = new ConfigKey<>("aeron.dir", "aeron",
        "Aeron media driver directory for replication; relative paths are against the config file. Kept inside " +
        "the data area so a killed node leaves nothing in /dev/shm.", Parsers.path());
    public static final ConfigKey<Boolean> AERON_EMBEDDED = new ConfigKey<>("aeron.embedded", "on",
        "on: run an embedded media driver; off: use an external driver at aeron.dir.", onOff());
    public static final ConfigKey<Long> REPLICATION_HEARTBEAT_INTERVAL_MS = new ConfigKey<>(
        "replication.heartbeat.interval.ms", "100", "Heartbeat interval between primary and replicas.",
        longRange(1, 60_000));
    public static final ConfigKey<Long> REPLICATION_HEARTBEAT_TIMEOUT_MS = new ConfigKey<>(
        "replication.heartbeat.timeout.ms", "1000",
        "A replica slot goes inactive (and the primary's view drops it) after this long without a heartbeat.",
        longRange(10, 600_000));
    public static final ConfigKey<Long> REPLICATION_MAX_LAG_ENTRIES = new ConfigKey<>(
        "replication.max.lag.entries", "1000000",
        "Primary only: a replica this many entries behind for a whole heartbeat timeout is disconnected and must " +
        "catch up again.", longRange(1, Long.MAX_VALUE));
    public static final ConfigKey<InetSocketAddress> REPLICATION_DATA_BIND = new ConfigKey<>("replication.data.bind",
        null, "Replica only: UDP address this replica receives the journal stream on.", endpoint());
    public static final ConfigKey<List<InetSocketAddress>> REPLICATION_PRIMARY_CONTROL = new ConfigKey<>(
        "replication.primary.control", null,
        "Replica only: UDP address of the primary's control endpoint for this replica's slot; a comma-separated " +
        "list names that endpoint on every node that may become primary (the primary and the other replica, for " +
        "after a PROMOTE). Control messages go to all of them.", endpointList());
    public static final ConfigKey<String> REPLICATION_KEY_FILE = new ConfigKey<>("replication.key.file", null,
        "Key file (from sluice keygen) this node signs the replication link with, as a replica and as a primary. " +
        "With auth=on the link is authenticated both ways, so a node with replica slots or " +
        "replication.primary.control needs one, and every other node lists its public key with the replication " +
        "role in auth.keys.file; with auth=off it is refused.", Parsers.path());
    public static final ConfigKey<Integer> ORDER_POOL_CAPACITY = new ConfigKey<>("matching.order.pool", "65536",
        "Orders preallocated by the matching engine (it grows beyond, with a warning).", intRange(16, 1 << 26));
    public static final ConfigKey<Integer> TERMINAL_ORDERS = new ConfigKey<>("matching.terminal.orders", "1048576",
        "Ended orders of the trading day (filled, cancelled, expired, rejected) kept for status queries, about 60 " +
        "bytes each as they are used; beyond it the oldest is forgotten. The same on every node of a cluster.",
        intRange(1, 1 << 26));

    public static final ConfigKey<Integer> FAULT_JOURNAL_SYNC_DELAY_MS = new ConfigKey<>(
        "fault.journal.sync.delay.ms", "0",
        "Fault injection, for tests only: sleep this long before every journal sync, as a slow disk would.",
        intRange(0, 60_000));
    public static final ConfigKey<Long> FAULT_JOURNAL_SYNC_FAIL_AFTER = new ConfigKey<>(
        "fault.journal.sync.fail.after", "0",
        "Fault injection, for tests only: the sync after this many successful ones, and every later one, fails " +
        "as a failing disk would; 0 never.", longRange(0, Long.MAX_VALUE));
    public static final ConfigKey<Long> JOURNAL_MIN_FREE_BYTES = new ConfigKey<>(
        "journal.min.free.bytes", "67108864",
        "The journal stops (and the node halts order entry with 'journal disk full') before usable space on its " +
        "filesystem falls below this, because writing into a full filesystem through Chronicle's memory mapping " +
        "can lose an entry already reported as synced. Keep it above the largest snapshot; 0 turns the check off " +
        "(unsafe). At least twice a journal group plus one entry (532480 with the default group size).",
        longRange(0, Long.MAX_VALUE));
    public static final ConfigKey<Long> FAULT_JOURNAL_DISK_FREE_BYTES = new ConfigKey<>(
        "fault.journal.disk.free.bytes", "0",
        "Fault injection, for tests only: the journal's free-space check sees this many bytes minus what the " +
        "journal has appended since start, as a filling disk would; 0 uses the real filesystem.",
        longRange(0, Long.MAX_VALUE));

    public static final ConfigKey<Long> AUDIT_LOG_MAX_BYTES = new ConfigKey<>("audit.log.max.bytes", "67108864",
        "data.dir/audit.log (admin commands with the operator's key fingerprint and result, client logons, logoffs " +
        "and refused logons, fences, promotions) is rotated at this size to audit.log.1, .2 ...",
        longRange(4096, Long.MAX_VALUE));
    public static final ConfigKey<Integer> AUDIT_LOG_FILES = new ConfigKey<>("audit.log.files", "10",
        "Audit log files kept, the current one included; the oldest is deleted when the log rotates.",
        intRange(1, 1000));

    /** Every fixed key, in documentation order. */
    public static final List<ConfigKey<?>> KEYS = List.of(
        NODE_ID, DATA_DIR, CLIENT_BIND, ADMIN_BIND, HTTP_BIND, DURABILITY, THREADING, IDLE_STRATEGY, READER_SHARDS,
        SHARDS_MODE, SHARDS_MIN, SHARDS_MAX, INGEST_RING_BYTES, OUTPUT_RING_BYTES, JOURNAL_RING_BYTES,
        SEQUENCER_BATCH_PER_RING, FRAME_MAX_BYTES, CLIENT_MAX_UNSENT_BYTES, CLIENT_HEARTBEAT_INTERVAL_MS,
        CLIENT_LOGON_TIMEOUT_MS, CLIENT_IDLE_TIMEOUT_MS, CLIENT_SEND_STALL_TIMEOUT_MS, CLIENT_SOCKET_SEND_BUFFER_BYTES,
        CLIENT_THROTTLE_MESSAGES_PER_SECOND, CLIENT_THROTTLE_BURST, CLIENT_THROTTLE_CLOSE_AFTER_MS,
        CLIENT_CANCEL_ON_DISCONNECT, CLIENT_CANCEL_ON_DISCONNECT_GRACE_MS, JOURNAL_SYNC, JOURNAL_GROUP_MAX_ENTRIES,
        JOURNAL_RETENTION, JOURNAL_ROLL_CYCLE, SNAPSHOT_INTERVAL_ENTRIES,
        SNAPSHOT_INTERVAL_SECONDS, AUTH,
        AUTH_KEYS_FILE, TRACE, RISK_MAX_ORDER_NOTIONAL, RISK_MAX_OPEN_ORDERS, STP_DEFAULT, AERON_DIR, AERON_EMBEDDED,
        REPLICATION_HEARTBEAT_INTERVAL_MS, REPLICATION_HEARTBEAT_TIMEOUT_MS, REPLICATION_MAX_LAG_ENTRIES,
        REPLICATION_DATA_BIND,
        REPLICATION_PRIMARY_CONTROL, REPLICATION_KEY_FILE, ORDER_POOL_CAPACITY, TERMINAL_ORDERS,
        FAULT_JOURNAL_SYNC_DELAY_MS,
        FAULT_JOURNAL_SYNC_FAIL_AFTER, JOURNAL_MIN_FREE_BYTES, FAULT_JOURNAL_DISK_FREE_BYTES, AUDIT_LOG_MAX_BYTES,
        AUDIT_LOG_FILES);

    /** Per-instrument keys: {@code instrument.<id>.<field>}. */
    public static final List<String> INSTRUMENT_FIELDS = List.of(
        "symbol", "tick", "lot", "min.qty", "max.qty", "reference.price", "band.bps");
    private static final Pattern INSTRUMENT_KEY = Pattern.compile("instrument\\.([0-9]+)\\.(.+)");
    /** Primary only: {@code replication.replica.<slot>.data} and {@code .control}, slots numbered from 0. */
    public static final List<String> REPLICA_FIELDS = List.of("data", "control");
    private static final Pattern REPLICA_KEY = Pattern.compile("replication\\.replica\\.([0-9]+)\\.(.+)");

    private final Map<String, Object> values = new LinkedHashMap<>();
    private final List<InstrumentConfig> instruments;
    private final List<ReplicaSlotConfig> replicas;
    private final Path baseDir;

    private NodeConfig(
        final Map<String, Object> values,
        final List<InstrumentConfig> instruments,
        final List<ReplicaSlotConfig> replicas,
        final Path baseDir)
    {
        this.values.putAll(values);
        this.instruments = Collections.unmodifiableList(instruments);
        this.replicas = Collections.unmodifiableList(replicas);
        this.baseDir = baseDir;
    }

    /**
     * Read a config file and apply overrides.
     *
     * @param file      properties file.
     * @param overrides {@code key=value} pairs from the command line; they win over the file.
     * @return the validated configuration.
     * @throws ConfigException naming the key at fault.
     */
    public static NodeConfig load(final Path file, final Map<String, String> overrides)
    {
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        catch (final IOException ex)
        {
            throw new ConfigException("cannot read config file " + file + ": " + ex.getMessage());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException("cannot read config file " + file + ": " + ex.getMessage() +
                " (a backslash starts an escape such as \\uXXXX; write \\\\ for a backslash)");
        }
        final Map<String, String> raw = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> raw.put(name, properties.getProperty(name)));
        raw.putAll(overrides);
        final Path parent = file.toAbsolutePath().getParent();
        return parse(raw, parent);
    }

    private static int index(final String key, final String text, final int min, final int max)
    {
        try
        {
            return intRange(min, max).apply(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException(key + ": the number in the key " + ex.getMessage());
        }
    }

    /**
     * Validate raw key/value pairs.
     *
     * @param raw     every key given.
     * @param baseDir against which relative paths resolve.
     * @return the validated configuration.
     * @throws ConfigException naming the key at fault.
     */
    public static NodeConfig parse(final Map<String, String> raw, final Path baseDir)
    {
        final Map<String, ConfigKey<?>> known = new LinkedHashMap<>();
        KEYS.forEach(key -> known.put(key.name(), key));

        final Map<String, Object> values = new LinkedHashMap<>();
        final Map<Integer, Map<String, String>> instrumentFields = new TreeMap<>();
        final Map<Integer, Map<String, String>> replicaFields = new TreeMap<>();
        for (final Map.Entry<String, String> entry : new TreeMap<>(raw).entrySet())
        {
            final String name = entry.getKey().trim();
            final ConfigKey<?> key = known.get(name);
            if (key != null)
            {
                values.put(name, key.parse(entry.getValue()));
                continue;
            }
            final Matcher matcher = INSTRUMENT_KEY.matcher(name);
            if (matcher.matches() && INSTRUMENT_FIELDS.contains(matcher.group(2)))
            {
                final int id = index(name, matcher.group(1), 1, Integer.MAX_VALUE);
                instrumentFields.computeIfAbsent(id, ignore -> new LinkedHashMap<>())
                    .put(matcher.group(2), entry.getValue().trim());
                continue;
            }
            final Matcher replica = REPLICA_KEY.matcher(name);
            if (replica.matches() && REPLICA_FIELDS.contains(replica.group(2)))
            {
                final int slot = index(name, replica.group(1), 0, 15);
                replicaFields.computeIfAbsent(slot, ignore -> new LinkedHashMap<>())
                    .put(replica.group(2), entry.getValue().trim());
                continue;
            }
            throw new ConfigException("unknown key '" + name + "'" + suggestion(name, known.keySet()) +
                "; see docs/configuration.md for every key");
        }
        for (final ConfigKey<?> key : KEYS)
        {
            if (!values.containsKey(key.name()) && key.defaultValue() != null)
            {
                values.put(key.name(), key.parse(key.defaultValue()));
            }
        }

        final List<InstrumentConfig> instruments = new ArrayList<>();
        instrumentFields.forEach((id, fields) -> instruments.add(instrument(id, fields)));

        final List<ReplicaSlotConfig> replicas = new ArrayList<>();
        int expectedSlot = 0;
        for (final Map.Entry<Integer, Map<String, String>> slot : replicaFields.entrySet())
        {
            final String prefix = "replication.replica." + slot.getKey() + ".";
            if (slot.getKey() != expectedSlot++)
            {
                throw new ConfigException(prefix + "*: replica slots must be numbered 0, 1, 2... without gaps");
            }
            for (final String field : REPLICA_FIELDS)
            {
                if (!slot.getValue().containsKey(field))
                {
                    throw new ConfigException(prefix + field + " is missing: a replica slot needs data and control");
                }
            }
            replicas.add(new ReplicaSlotConfig(slot.getKey(),
                new ConfigKey<>(prefix + "data", null, "", endpoint()).parse(slot.getValue().get("data")),
                new ConfigKey<>(prefix + "control", null, "", endpoint()).parse(slot.getValue().get("control"))));
        }

        final NodeConfig config = new NodeConfig(values, instruments, replicas, baseDir);
        config.checkConsistency();
        return config;
    }

    private static InstrumentConfig instrument(final int id, final Map<String, String> fields)
    {
        final String prefix = "instrument." + id + ".";
        for (final String field : INSTRUMENT_FIELDS)
        {
            if (!fields.containsKey(field))
            {
                throw new ConfigException(prefix + field + " is missing: an instrument needs " +
                    String.join(", ", INSTRUMENT_FIELDS));
            }
        }
        final String symbol = fields.get("symbol");
        if (symbol.isEmpty() || symbol.length() > 16 || !symbol.chars().allMatch(c -> c > ' ' && c < 127))
        {
            throw new ConfigException(prefix + "symbol='" + symbol + "': must be 1 to 16 printable ASCII characters");
        }
        final long tick = new ConfigKey<>(prefix + "tick", null, "", longRange(1, Long.MAX_VALUE))
            .parse(fields.get("tick"));
        final long lot = new ConfigKey<>(prefix + "lot", null, "", longRange(1, Long.MAX_VALUE))
            .parse(fields.get("lot"));
        final long minQty = new ConfigKey<>(prefix + "min.qty", null, "", longRange(1, Long.MAX_VALUE))
            .parse(fields.get("min.qty"));
        final long maxQty = new ConfigKey<>(prefix + "max.qty", null, "", longRange(1, Long.MAX_VALUE))
            .parse(fields.get("max.qty"));
        final long reference = new ConfigKey<>(prefix + "reference.price", null, "", longRange(1, Long.MAX_VALUE))
            .parse(fields.get("reference.price"));
        final int band = new ConfigKey<>(prefix + "band.bps", null, "", intRange(1, 1_000_000))
            .parse(fields.get("band.bps"));
        if (minQty > maxQty)
        {
            throw new ConfigException(prefix + "min.qty=" + minQty + " exceeds " + prefix + "max.qty=" + maxQty);
        }
        if (reference % tick != 0)
        {
            throw new ConfigException(prefix + "reference.price=" + reference + " is not a multiple of " + prefix +
                "tick=" + tick);
        }
        return new InstrumentConfig(id, symbol, tick, lot, minQty, maxQty, reference, band);
    }

    private void checkConsistency()
    {
        if (!values.containsKey(DATA_DIR.name()))
        {
            throw new ConfigException(DATA_DIR.name() + " is required");
        }
        if (authEnabled() && !values.containsKey(AUTH_KEYS_FILE.name()))
        {
            throw new ConfigException(AUTH_KEYS_FILE.name() + " is required when auth=on");
        }
        checkReplicationKey();
        if (get(SHARDS_MIN) > get(SHARDS_MAX))
        {
            throw new ConfigException(SHARDS_MIN.name() + "=" + get(SHARDS_MIN) + " exceeds " + SHARDS_MAX.name() +
                "=" + get(SHARDS_MAX));
        }
        if ("busy-spin".equals(get(IDLE_STRATEGY)) && "shared".equals(get(THREADING)))
        {
            throw new ConfigException(IDLE_STRATEGY.name() + "=busy-spin needs " + THREADING.name() +
                "=dedicated: shared threads must back off");
        }
        checkPortsDistinct(CLIENT_BIND, ADMIN_BIND, HTTP_BIND);
        checkDurability();
        if (values.containsKey(REPLICATION_DATA_BIND.name()) != values.containsKey(REPLICATION_PRIMARY_CONTROL.name()))
        {
            throw new ConfigException(REPLICATION_DATA_BIND.name() + " and " + REPLICATION_PRIMARY_CONTROL.name() +
                " go together: a replica needs both");
        }
    }

    /**
     * An authenticated replication link (auth=on) is signed both ways, so a node that replicates needs its own key;
     * with auth=off nothing on the link is signed, and a key given would suggest otherwise.
     */
    private void checkReplicationKey()
    {
        final boolean replicates = replicaCount() > 0 || values.containsKey(REPLICATION_PRIMARY_CONTROL.name());
        final boolean hasKey = values.containsKey(REPLICATION_KEY_FILE.name());
        if (authEnabled() && replicates && !hasKey)
        {
            throw new ConfigException(REPLICATION_KEY_FILE.name() + " is required when auth=on and the node " +
                "replicates (replica slots or " + REPLICATION_PRIMARY_CONTROL.name() + "): the replication link is " +
                "then authenticated both ways");
        }
        if (!authEnabled() && hasKey)
        {
            throw new ConfigException(REPLICATION_KEY_FILE.name() + " needs auth=on: with auth=off the replication " +
                "link is not authenticated and no key is used");
        }
    }

    /**
     * The start-up policy must parse, and must be one the configured nodes could meet at all: a policy needing
     * more nodes than the primary plus its configured replicas would halt trading from the first order.
     */
    private void checkDurability()
    {
        final String durability = get(DURABILITY);
        if (durability == null)
        {
            return;
        }
        final Policy policy;
        try
        {
            policy = Policy.resolve(durability);
        }
        catch (final InvalidPolicyException ex)
        {
            throw new ConfigException(DURABILITY.name() + "='" + durability + "': " + ex.getMessage());
        }
        final int nodes = 1 + replicaCount();
        if (policy.requiredNodes() > nodes)
        {
            throw new ConfigException(DURABILITY.name() + "='" + durability + "' needs " + policy.requiredNodes() +
                " nodes but this node has " + (nodes - 1) + " replica(s) configured; use durability=local or " +
                "configure replicas");
        }
    }

    /**
     * @return replicas this primary streams to.
     */
    public int replicaCount()
    {
        return replicas.size();
    }

    /**
     * @return replica slots this node streams to when it is primary, in slot order.
     */
    public List<ReplicaSlotConfig> replicas()
    {
        return replicas;
    }

    /**
     * @return true when this config describes a replica (it names the primary's control endpoint).
     */
    public boolean isReplicaConfig()
    {
        return values.containsKey(REPLICATION_DATA_BIND.name()) || values.containsKey(REPLICATION_PRIMARY_CONTROL.name());
    }

    private void checkPortsDistinct(final ConfigKey<?>... keys)
    {
        for (int i = 0; i < keys.length; i++)
        {
            for (int j = i + 1; j < keys.length; j++)
            {
                final InetSocketAddress a = (InetSocketAddress)values.get(keys[i].name());
                final InetSocketAddress b = (InetSocketAddress)values.get(keys[j].name());
                if (a.getPort() != 0 && a.getPort() == b.getPort())
                {
                    throw new ConfigException(keys[j].name() + " port " + b.getPort() + " clashes with " +
                        keys[i].name());
                }
            }
        }
    }

    private static String suggestion(final String name, final Iterable<String> known)
    {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (final String candidate : known)
        {
            final int distance = editDistance(name, candidate);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }
        return best != null && bestDistance <= 3 ? " (did you mean '" + best + "'?)" : "";
    }

    private static int editDistance(final String a, final String b)
    {
        final int[] previous = new int[b.length() + 1];
        final int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++)
            {
                final int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            System.arraycopy(current, 0, previous, 0, current.length);
        }
        return previous[b.length()];
    }

    /**
     * @param key one of the keys in {@link #KEYS}.
     * @param <T> its value type.
     * @return its value, or null for an optional key not given.
     */
    @SuppressWarnings("unchecked")
    public <T> T get(final ConfigKey<T> key)
    {
        return (T)values.get(key.name());
    }

    public boolean authEnabled()
    {
        return Boolean.TRUE.equals(values.get(AUTH.name()));
    }

    /**
     * @return the data directory, resolved against the config file's directory.
     */
    public Path dataDir()
    {
        return baseDir.resolve(get(DATA_DIR)).normalize();
    }

    /**
     * @param key a key holding a path.
     * @return the path resolved against the config file's directory, or null if not given.
     */
    public Path path(final ConfigKey<String> key)
    {
        final String value = get(key);
        return value == null ? null : baseDir.resolve(value).normalize();
    }

    public List<InstrumentConfig> instruments()
    {
        return instruments;
    }
}
