package io.sluice.node.audit;

import io.sluice.node.config.NodeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What operators and clients did to a node, and what happened to it, one event per line in {@code data.dir/audit.log},
 * apart from the diagnostic log: admin commands with the operator key's fingerprint and their result, client logons
 * (accepted or refused, with the key's fingerprint) and logoffs, fences, promotions and starts. A line is
 * {@code time=<UTC> node=<id> event=<name>} then the event's {@code key=value} fields, a value quoted when it holds a
 * space, a quote or an equals sign.
 * <p>
 * Any thread records; a writer thread of its own appends and flushes to the OS after each batch, so recording never
 * waits for the disk: a record that finds the queue full is dropped and counted ({@link #dropped()}). A file past
 * {@code maxFileBytes} is renamed {@code audit.log.1} (older ones shift up to {@code audit.log.<keepFiles - 1>}, the
 * oldest deleted) and a new one begun.
 */
public final class AuditLog implements AutoCloseable
{
    public static final String FILE_NAME = "audit.log";
    /** Fingerprint written where there is no key (auth off, or a key that could not be read). */
    public static final String NO_KEY = "none";

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final int QUEUE_CAPACITY = 16 * 1024;
    /** Queued by close(); compared by identity, so no recorded line can be mistaken for it. */
    private static final String STOP = new String("stop");

    private final Path file;
    private final int nodeId;
    private final long maxFileBytes;
    private final int keepFiles;
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final Thread writerThread;
    /** Writer thread only. */
    private Writer writer;
    private long fileBytes;

    private AuditLog(final Path file, final int nodeId, final long maxFileBytes, final int keepFiles)
        throws IOException
    {
        this.file = file;
        this.nodeId = nodeId;
        this.maxFileBytes = maxFileBytes;
        this.keepFiles = keepFiles;
        openFile();
        writerThread = new Thread(this::writeLoop, "sluice-audit");
        writerThread.setDaemon(true);
        writerThread.start();
    }

    /**
     * @param dataDir      the node's data directory; the log is {@code audit.log} in it.
     * @param nodeId       written on every line.
     * @param maxFileBytes a file this large is rotated.
     * @param keepFiles    files kept, the current one included, at least 1.
     * @return the running log.
     * @throws IOException if the file cannot be opened.
     */
    public static AuditLog open(final Path dataDir, final int nodeId, final long maxFileBytes, final int keepFiles)
        throws IOException
    {
        Files.createDirectories(dataDir);
        return new AuditLog(dataDir.resolve(FILE_NAME), nodeId, maxFileBytes, keepFiles);
    }

    /**
     * @param config a node's configuration: its data directory, node id and the {@code audit.log.*} keys.
     * @return the node's running log.
     * @throws IOException if the file cannot be opened.
     */
    public static AuditLog open(final NodeConfig config) throws IOException
    {
        return open(config.dataDir(), config.get(NodeConfig.NODE_ID), config.get(NodeConfig.AUDIT_LOG_MAX_BYTES),
            config.get(NodeConfig.AUDIT_LOG_FILES));
    }

    /**
     * Records an event. Any thread; never blocks.
     *
     * @param event         its name, e.g. {@code admin_command}.
     * @param keysAndValues its fields: key, value, key, value...
     */
    public void record(final String event, final Object... keysAndValues)
    {
        final StringBuilder line = new StringBuilder(128).append("time=").append(Instant.now())
            .append(" node=").append(nodeId).append(" event=").append(event);
        for (int i = 0; i + 1 < keysAndValues.length; i += 2)
        {
            line.append(' ').append(keysAndValues[i]).append('=').append(value(String.valueOf(keysAndValues[i + 1])));
        }
        if (!queue.offer(line.append('\n').toString()))
        {
            dropped.incrementAndGet();
        }
    }

    /** A value as it goes on a line: quoted (with {@code \"} and {@code \\}) when bare text would be ambiguous. */
    static String value(final String raw)
    {
        final String flat = raw.replace('\n', ' ').replace('\r', ' ');
        if (!flat.isEmpty() && flat.indexOf(' ') < 0 && flat.indexOf('"') < 0 && flat.indexOf('=') < 0)
        {
            return flat;
        }
        return '"' + flat.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /**
     * @param rawPublicKey a raw Ed25519 key, or null.
     * @return {@code SHA256:} and the unpadded base64 of the SHA-256 of the key in SSH's encoding (the string
     * {@code ssh-ed25519} then the 32 raw bytes, each with a big-endian length), exactly as {@code ssh-keygen -l}
     * prints it for the same key; {@link #NO_KEY} for null or all zeros.
     */
    public static String fingerprint(final byte[] rawPublicKey)
    {
        boolean zeros = true;
        for (int i = 0; rawPublicKey != null && i < rawPublicKey.length; i++)
        {
            zeros &= rawPublicKey[i] == 0;
        }
        if (rawPublicKey == null || zeros)
        {
            return NO_KEY;
        }
        try
        {
            final byte[] type = "ssh-ed25519".getBytes(StandardCharsets.US_ASCII);
            final ByteBuffer sshEncoded = ByteBuffer.allocate(8 + type.length + rawPublicKey.length)
                .putInt(type.length).put(type).putInt(rawPublicKey.length).put(rawPublicKey);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(sshEncoded.array()));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("the JDK has no SHA-256", ex);
        }
    }

    /** Records dropped because the queue was full. Any thread. */
    public long dropped()
    {
        return dropped.get();
    }

    /** Records written to the file. Any thread. */
    public long written()
    {
        return written.get();
    }

    public Path file()
    {
        return file;
    }

    /** Writes what is queued, then stops the writer and closes the file. */
    public void close()
    {
        try
        {
            queue.put(STOP);
            writerThread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLoop()
    {
        final List<String> batch = new ArrayList<>();
        try
        {
            while (true)
            {
                batch.add(queue.take());
                queue.drainTo(batch);
                boolean stop = false;
                for (final String line : batch)
                {
                    if (line == STOP)
                    {
                        stop = true;
                        break;
                    }
                    write(line);
                }
                batch.clear();
                writer.flush();
                if (stop)
                {
                    break;
                }
            }
        }
        catch (final IOException ex)
        {
            LOG.error("audit log {} failed, no more audit lines are written: {}", file, ex.toString(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            try
            {
                writer.close();
            }
            catch (final IOException ex)
            {
                LOG.warn("closing audit log {} failed: {}", file, ex.toString());
            }
        }
    }

    private void write(final String line) throws IOException
    {
        if (fileBytes >= maxFileBytes)
        {
            rotate();
        }
        writer.write(line);
        fileBytes += line.length();
        written.incrementAndGet();
    }

    private void rotate() throws IOException
    {
        writer.close();
        final Path dir = file.getParent();
        Files.deleteIfExists(dir.resolve(FILE_NAME + "." + Math.max(1, keepFiles - 1)));
        for (int i = keepFiles - 2; i >= 1; i--)
        {
            final Path older = dir.resolve(FILE_NAME + "." + i);
            if (Files.exists(older))
            {
                Files.move(older, dir.resolve(FILE_NAME + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (keepFiles > 1)
        {
            Files.move(file, dir.resolve(FILE_NAME + ".1"), StandardCopyOption.REPLACE_EXISTING);
        }
        else
        {
            Files.deleteIfExists(file);
        }
        openFile();
    }

    private void openFile() throws IOException
    {
        writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
        fileBytes = Files.size(file);
    }
}
