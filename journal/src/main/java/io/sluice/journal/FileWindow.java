package io.sluice.journal;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Read-only view of a file through a sliding memory-mapped window, for scanning journal files of any size
 * without reading them through the heap. Positions are file offsets; {@link #map(long, int)} makes a range
 * resident and returns where it starts in {@link #buffer()}. Used by one thread.
 */
final class FileWindow implements AutoCloseable
{
    static final int DEFAULT_WINDOW_BYTES = 64 * 1024 * 1024;
    private static final int PAGE_BYTES = 4096;

    private final Path path;
    private final FileChannel channel;
    private final long fileLength;
    private final int windowBytes;
    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private MappedByteBuffer mapped;
    private ByteBuffer crcView;
    private long windowStart;
    private int windowLength;

    FileWindow(final Path path) throws IOException
    {
        this(path, DEFAULT_WINDOW_BYTES);
    }

    FileWindow(final Path path, final int windowBytes) throws IOException
    {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        this.fileLength = channel.size();
        this.windowBytes = windowBytes;
    }

    Path path()
    {
        return path;
    }

    long fileLength()
    {
        return fileLength;
    }

    /**
     * Maps a window holding {@code [position, position + length)}, which must lie inside the file.
     *
     * @return offset of {@code position} in {@link #buffer()} and {@link #byteBuffer()}.
     */
    int map(final long position, final int length) throws IOException
    {
        if (position < 0 || length < 0 || position + length > fileLength)
        {
            throw new IllegalArgumentException(
                "range [" + position + ", " + (position + length) + ") outside " + path + " of " + fileLength +
                " bytes");
        }
        if (mapped == null || position < windowStart || position + length > windowStart + windowLength)
        {
            remap(position, length);
        }
        return (int)(position - windowStart);
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    /** A ByteBuffer view of the current window whose position and limit the caller may change freely. */
    ByteBuffer byteBuffer()
    {
        return crcView;
    }

    /**
     * Offset of the first non-zero byte in {@code [from, to)}, or -1 if every byte there is zero.
     */
    long firstNonZero(final long from, final long to) throws IOException
    {
        long position = from;
        while (position < to)
        {
            final int chunk = (int)Math.min(to - position, windowBytes / 2);
            final int offset = map(position, chunk);
            int i = 0;
            while (i < chunk && ((offset + i) & 7) != 0)
            {
                if (buffer.getByte(offset + i) != 0)
                {
                    return position + i;
                }
                i++;
            }
            while (i + 8 <= chunk)
            {
                if (buffer.getLong(offset + i) != 0)
                {
                    break;
                }
                i += 8;
            }
            while (i < chunk)
            {
                if (buffer.getByte(offset + i) != 0)
                {
                    return position + i;
                }
                i++;
            }
            position += chunk;
        }
        return -1;
    }

    /** Offset of the last non-zero byte in {@code [from, to)}, or -1 if every byte there is zero. */
    long lastNonZero(final long from, final long to) throws IOException
    {
        long last = -1;
        long position = from;
        while (position < to)
        {
            final long found = firstNonZero(position, to);
            if (found < 0)
            {
                break;
            }
            last = found;
            position = found + 1;
        }
        return last;
    }

    private void remap(final long position, final int length) throws IOException
    {
        unmap();
        final long start = position & ~(PAGE_BYTES - 1L);
        final long end = Math.min(fileLength, Math.max(start + windowBytes, position + length));
        windowStart = start;
        windowLength = (int)(end - start);
        mapped = channel.map(FileChannel.MapMode.READ_ONLY, windowStart, windowLength);
        buffer.wrap(mapped);
        crcView = mapped.duplicate();
    }

    private void unmap()
    {
        if (mapped != null)
        {
            IoUtil.unmap(mapped);
            mapped = null;
            crcView = null;
            buffer.wrap(0, 0);
        }
    }

    public void close() throws IOException
    {
        unmap();
        channel.close();
    }
}
