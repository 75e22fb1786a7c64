package io.sluice.journal;

import io.sluice.sbe.journal.MessageHeaderDecoder;
import io.sluice.sbe.journal.MessageHeaderEncoder;
import io.sluice.sbe.journal.SnapshotHeaderDecoder;
import io.sluice.sbe.journal.SnapshotHeaderEncoder;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Snapshot files of the state machine, {@code snapshot-<wireSeq, 20 digits>.snap}, one journal-schema
 * {@code SnapshotHeader} message each: format version, the {@code wireSeq} the state covers, epoch, state hash, a
 * CRC32C over the whole message (with the CRC field zero) and the opaque state bytes.
 * <p>
 * Writes are atomic (temporary file, force, rename, directory force) and the newest {@code retainCount} files are
 * kept, so a damaged newest snapshot falls back to the one before. Loading picks the newest file that passes every
 * check. One thread writes; loading happens before it starts.
 */
public final class SnapshotStore
{
    public static final String FILE_PREFIX = "snapshot-";
    public static final String FILE_SUFFIX = ".snap";
    public static final int DEFAULT_RETAIN_COUNT = 2;

    static final int FORMAT_VERSION = 1;
    static final int STATE_OFFSET = MessageHeaderEncoder.ENCODED_LENGTH + SnapshotHeaderEncoder.BLOCK_LENGTH +
        SnapshotHeaderEncoder.stateHeaderLength();
    private static final int CRC_OFFSET =
        MessageHeaderEncoder.ENCODED_LENGTH + SnapshotHeaderEncoder.crc32cEncodingOffset();
    private static final int STATE_LENGTH_OFFSET = STATE_OFFSET - SnapshotHeaderEncoder.stateHeaderLength();
    private static final long MAX_STATE_LENGTH = 1L << 30;
    private static final byte[] ZERO_CRC = new byte[4];
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);

    /** The newest snapshot {@link #newestValid} found valid, remembered so it is not checked again. */
    private Path checkedFile;
    private long checkedSizeBytes;
    private long checkedModifiedMs;
    private SnapshotInfo checkedInfo;

    private final Path directory;
    private final int retainCount;
    private final CRC32C crc = new CRC32C();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SnapshotHeaderEncoder snapshotEncoder = new SnapshotHeaderEncoder();
    private ExpandableDirectByteBuffer buffer;

    public SnapshotStore(final Path directory)
    {
        this(directory, DEFAULT_RETAIN_COUNT);
    }

    /**
     * @param retainCount snapshots kept after each write, at least 2 so a damaged newest one has a fallback.
     */
    public SnapshotStore(final Path directory, final int retainCount)
    {
        if (retainCount < 2)
        {
            throw new IllegalArgumentException("snapshot retainCount=" + retainCount + " must be at least 2");
        }
        this.directory = directory;
        this.retainCount = retainCount;
    }

    public Path directory()
    {
        return directory;
    }

    /** File name of the snapshot covering {@code wireSeq}. */
    public static String fileName(final long wireSeq)
    {
        return String.format("%s%020d%s", FILE_PREFIX, wireSeq, FILE_SUFFIX);
    }

    /**
     * Writes a snapshot of {@code source}, whose state has every entry up to {@code wireSeq} applied, then deletes
     * all but the newest {@link #retainCount} snapshots.
     */
    public SnapshotInfo write(final long wireSeq, final long epoch, final SnapshotSource source) throws IOException
    {
        Files.createDirectories(directory);
        if (buffer == null)
        {
            buffer = new ExpandableDirectByteBuffer(64 * 1024);
        }
        final int stateLength = source.writeState(buffer, STATE_OFFSET);
        if (stateLength < 0 || stateLength > MAX_STATE_LENGTH)
        {
            throw new IllegalStateException("writeState returned " + stateLength + " bytes");
        }
        final long stateHash = source.stateHash();
        snapshotEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .formatVersion(FORMAT_VERSION)
            .wireSeq(wireSeq)
            .epoch(epoch)
            .stateHash(stateHash)
            .crc32c(0);
        buffer.putInt(STATE_LENGTH_OFFSET, stateLength, EntryLayout.ORDER);
        final int totalLength = STATE_OFFSET + stateLength;
        final ByteBuffer bytes = buffer.byteBuffer().duplicate();
        bytes.limit(totalLength).position(0);
        crc.reset();
        crc.update(bytes);
        buffer.putInt(CRC_OFFSET, (int)crc.getValue(), EntryLayout.ORDER);
        bytes.limit(totalLength).position(0);

        final Path file = directory.resolve(fileName(wireSeq));
        DurableFiles.writeAtomically(file, bytes);
        prune();
        return new SnapshotInfo(file, wireSeq, epoch, stateHash, stateLength, null);
    }

    /** Every snapshot file, newest first, each checked. */
    public List<SnapshotInfo> list() throws IOException
    {
        final List<SnapshotInfo> result = new ArrayList<>();
        for (final Path file : snapshotFiles())
        {
            result.add(check(file, null));
        }
        return result;
    }

    /**
     * Loads the newest valid snapshot into {@code target}, skipping (and logging) damaged ones.
     *
     * @return the snapshot loaded, or null if there is none that is valid (start from an empty state).
     * @throws JournalCorruptionException if a valid snapshot loads to a state whose hash differs from the one stored.
     */
    public SnapshotInfo loadNewest(final JournalStateMachine target) throws IOException
    {
        for (final Path file : snapshotFiles())
        {
            final SnapshotInfo info = check(file, target);
            if (info.isValid())
            {
                return info;
            }
            LOG.warn("snapshot skipped damaged=\"{}\"", info);
        }
        return null;
    }

    /**
     * The newest snapshot that passes every check, without loading it (what a primary offers a replica).
     *
     * @return it, or null if there is none.
     */
    public SnapshotInfo newestValid() throws IOException
    {
        for (final Path file : snapshotFiles())
        {
            // A snapshot file is never changed once renamed into place, so one already checked (same name, size and
            // modification time) is not read again: a sender answering repeated handshakes would otherwise re-read
            // and CRC the whole file on its duty cycle each time.
            final long sizeBytes;
            final long modifiedMs;
            try
            {
                sizeBytes = Files.size(file);
                modifiedMs = Files.getLastModifiedTime(file).toMillis();
            }
            catch (final NoSuchFileException ex)
            {
                continue; // pruned by the writer since the listing
            }
            if (file.equals(checkedFile) && sizeBytes == checkedSizeBytes && modifiedMs == checkedModifiedMs)
            {
                return checkedInfo;
            }
            final SnapshotInfo info = check(file, null);
            if (info.isValid())
            {
                checkedFile = file;
                checkedSizeBytes = sizeBytes;
                checkedModifiedMs = modifiedMs;
                checkedInfo = info;
                return info;
            }
        }
        return null;
    }

    /**
     * Checks a snapshot file wherever it is (a replica checks one it received before installing it): header,
     * format version, length, CRC32C, and that the {@code wireSeq} inside matches its name, which must start with
     * {@link #fileName} of that {@code wireSeq} (a suffix such as {@code .part} is allowed).
     *
     * @return what was found; {@link SnapshotInfo#isValid()} says whether it can be used.
     */
    public static SnapshotInfo verify(final Path file) throws IOException
    {
        return new SnapshotStore(file.toAbsolutePath().getParent()).check(file, null);
    }

    /** Deletes all but the newest {@code retainCount} snapshots and any leftover temporary files. */
    void prune() throws IOException
    {
        final List<Path> files = snapshotFiles();
        for (int i = retainCount; i < files.size(); i++)
        {
            Files.deleteIfExists(files.get(i));
        }
        try (Stream<Path> stream = Files.list(directory))
        {
            stream.filter((p) -> p.getFileName().toString().endsWith(DurableFiles.TEMP_SUFFIX))
                .forEach((p) ->
                {
                    try
                    {
                        Files.deleteIfExists(p);
                    }
                    catch (final IOException ex)
                    {
                        throw new UncheckedIOException(ex);
                    }
                });
        }
        DurableFiles.forceDirectory(directory);
    }

    /** Snapshot files, newest (highest wireSeq) first. */
    List<Path> snapshotFiles() throws IOException
    {
        if (!Files.isDirectory(directory))
        {
            return new ArrayList<>();
        }
        try (Stream<Path> stream = Files.list(directory))
        {
            final List<Path> files = new ArrayList<>();
            stream.filter(SnapshotStore::isSnapshotFile)
                .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
                .forEach(files::add);
            return files;
        }
    }

    private static boolean isSnapshotFile(final Path path)
    {
        final String name = path.getFileName().toString();
        return name.startsWith(FILE_PREFIX) && name.endsWith(FILE_SUFFIX) &&
            name.length() == FILE_PREFIX.length() + 20 + FILE_SUFFIX.length();
    }

    private static long wireSeqFromName(final Path path)
    {
        final String name = path.getFileName().toString();
        try
        {
            return Long.parseLong(name.substring(FILE_PREFIX.length(), FILE_PREFIX.length() + 20));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * Checks one file; if it is valid and {@code target} is given, loads it and compares the state hash.
     */
    private SnapshotInfo check(final Path file, final JournalStateMachine target) throws IOException
    {
        final long nameWireSeq = wireSeqFromName(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long fileLength = channel.size();
            if (fileLength < STATE_OFFSET)
            {
                return damaged(file, nameWireSeq, "file is " + fileLength + " bytes, shorter than the header");
            }
            if (fileLength > STATE_OFFSET + MAX_STATE_LENGTH)
            {
                return damaged(file, nameWireSeq, "file is " + fileLength + " bytes, larger than any snapshot");
            }
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, fileLength);
            try
            {
                final UnsafeBuffer view = new UnsafeBuffer(mapped);
                final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(view, 0);
                if (header.schemaId() != SnapshotHeaderDecoder.SCHEMA_ID ||
                    header.templateId() != SnapshotHeaderDecoder.TEMPLATE_ID ||
                    header.blockLength() != SnapshotHeaderDecoder.BLOCK_LENGTH)
                {
                    return damaged(file, nameWireSeq, "does not start with a SnapshotHeader message");
                }
                final SnapshotHeaderDecoder decoder = new SnapshotHeaderDecoder()
                    .wrap(view, MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
                final long stateLength = view.getInt(STATE_LENGTH_OFFSET, EntryLayout.ORDER) & 0xFFFF_FFFFL;
                if (STATE_OFFSET + stateLength != fileLength)
                {
                    return damaged(file, nameWireSeq, "state length " + stateLength + " disagrees with the " +
                        fileLength + "-byte file");
                }
                final long storedCrc = decoder.crc32c();
                final ByteBuffer bytes = mapped.duplicate();
                crc.reset();
                bytes.limit(CRC_OFFSET).position(0);
                crc.update(bytes);
                crc.update(ZERO_CRC, 0, ZERO_CRC.length);
                bytes.limit((int)fileLength).position(CRC_OFFSET + 4);
                crc.update(bytes);
                if (crc.getValue() != storedCrc)
                {
                    return damaged(file, nameWireSeq, "CRC mismatch: stored " + Long.toHexString(storedCrc) +
                        ", computed " + Long.toHexString(crc.getValue()));
                }
                if (decoder.formatVersion() != FORMAT_VERSION)
                {
                    return damaged(file, nameWireSeq, "format version " + decoder.formatVersion() + ", expected " +
                        FORMAT_VERSION);
                }
                if (decoder.wireSeq() != nameWireSeq)
                {
                    return damaged(file, nameWireSeq, "holds wireSeq " + decoder.wireSeq() + " but is named for " +
                        nameWireSeq);
                }
                final SnapshotInfo info = new SnapshotInfo(
                    file, decoder.wireSeq(), decoder.epoch(), decoder.stateHash(), stateLength, null);
                if (target != null)
                {
                    target.loadState(view, STATE_OFFSET, (int)stateLength);
                    final long loadedHash = target.stateHash();
                    if (loadedHash != info.stateHash())
                    {
                        throw new JournalCorruptionException(file, info.wireSeq(), "state loaded from the snapshot " +
                            "hashes to " + Long.toHexString(loadedHash) + ", the snapshot records " +
                            Long.toHexString(info.stateHash()));
                    }
                }
                return info;
            }
            finally
            {
                IoUtil.unmap(mapped);
            }
        }
    }

    private static SnapshotInfo damaged(final Path file, final long wireSeq, final String problem)
    {
        return new SnapshotInfo(file, wireSeq, 0, 0, 0, problem);
    }
}
