package io.sluice.node.primary;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A client written from docs/protocol.md alone: every byte it sends and every field it reads comes from the doc's
 * tables (section numbers in the comments), with the JDK's sockets, ByteBuffer and Ed25519 and nothing of Sluice's
 * codecs. Blocking, one connection, for tests.
 */
final class WireClient implements AutoCloseable
{
    // §2: frame = int32 length, then the 8-byte header blockLength, templateId, schemaId, version.
    static final int HEADER = 8;
    static final int SCHEMA_ID = 1;
    static final int VERSION = 3;

    // §7: template ids.
    static final int AUTH_CHALLENGE = 1;
    static final int LOGON = 2;
    static final int LOGON_ACK = 3;
    static final int LOGOUT = 4;
    static final int NEW_ORDER = 10;
    static final int CANCEL_ORDER = 11;
    static final int REPLACE_ORDER = 12;
    static final int MASS_CANCEL = 13;
    static final int ORDER_STATUS_QUERY = 20;
    static final int BOOK_SNAPSHOT_QUERY = 21;
    static final int EXECUTION_REPORT = 30;
    static final int BOOK_SNAPSHOT = 31;
    static final int ORDER_STATUS = 32;
    static final int HEARTBEAT = 40;
    static final int BATCH_END = 41;
    static final int ENGINE_ERROR = 42;
    static final int SERVER_BUSY = 43;
    static final int HALTED = 44;

    // §7 enums.
    static final int BUY = 0;
    static final int SELL = 1;
    static final int LIMIT = 0;
    static final int MARKET = 1;
    static final int GTC = 0;
    static final int IOC = 1;
    static final int FOK = 2;
    static final int DAY = 3;
    static final String[] EXEC_TYPES = { "NEW", "PARTIAL_FILL", "FILL", "CANCELED", "REPLACED", "REJECTED", "EXPIRED" };
    static final String[] ORDER_STATES =
        { "UNKNOWN", "NEW", "PARTIALLY_FILLED", "FILLED", "CANCELED", "EXPIRED", "REJECTED" };
    static final String[] LIQUIDITY = { "NONE", "MAKER", "TAKER" };
    // §8.
    static final String[] REJECT_REASONS = { "NONE", "UNKNOWN_INSTRUMENT", "INVALID_PRICE", "INVALID_QUANTITY",
        "PRICE_OUT_OF_BAND", "DUPLICATE_REQUEST", "UNKNOWN_ORDER", "POST_ONLY_WOULD_TRADE", "FOK_NOT_FILLABLE",
        "RISK_LIMIT", "HALTED", "SERVER_BUSY", "NOT_LOGGED_ON", "INSTRUMENT_HALTED", "DUPLICATE_ORDER_ID",
        "MAX_OPEN_ORDERS", "SELF_TRADE_PREVENTED", "INVALID_FIELD", "NOT_AUTHORIZED", "NO_LIQUIDITY",
        "THROTTLED", "KILLED" };
    // §9.
    static final String[] ENGINE_ERROR_CODES = { "INTERNAL", "MALFORMED_MESSAGE", "UNSUPPORTED_MESSAGE",
        "SHUTTING_DOWN", "UNFRAMEABLE", "LOGON_TIMEOUT", "SESSION_REPLACED", "IDLE_TIMEOUT", "THROTTLED" };

    // §4: the signed bytes begin with this context.
    static final byte[] LOGON_CONTEXT = "sluice-logon-v1".getBytes(StandardCharsets.US_ASCII);
    // §4: PKCS#8 DER of an Ed25519 private key is this prefix and the 32-byte RFC 8032 key.
    private static final byte[] PKCS8_ED25519_PREFIX = hex("302e020100300506032b657004220420");

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** Frames read while looking for something else: unsolicited reports and heartbeats. */
    final List<Frame> unsolicited = new ArrayList<>();
    byte[] nonce;
    int protocolVersion;

    /**
     * Connect and read the AuthChallenge (§3).
     */
    WireClient(final InetSocketAddress address) throws IOException
    {
        this(address, 0);
    }

    /**
     * @param receiveBufferBytes the socket's receive buffer, set before connecting; 0 for the system's.
     */
    WireClient(final InetSocketAddress address, final int receiveBufferBytes) throws IOException
    {
        socket = new Socket();
        if (receiveBufferBytes > 0)
        {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.connect(address, 10_000);
        socket.setSoTimeout(20_000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        final Frame challenge = read();
        if (challenge.templateId != AUTH_CHALLENGE)
        {
            throw new IOException("expected AuthChallenge, got template " + challenge.templateId);
        }
        nonce = new byte[32];
        challenge.body.get(0, nonce);
        protocolVersion = challenge.uint16(32);
    }

    /** A private key read from a key file as §4 describes: base64 PKCS#8, the last 32 bytes the Ed25519 key. */
    static PrivateKey readPrivateKey(final Path file) throws IOException, GeneralSecurityException
    {
        final byte[] der = Base64.getDecoder().decode(Files.readString(file).trim());
        if (der.length != 48 || !Arrays.equals(der, 0, 16, PKCS8_ED25519_PREFIX, 0, 16))
        {
            throw new IOException("not a PKCS#8 Ed25519 key: " + file);
        }
        return KeyFactory.getInstance("Ed25519").generatePrivate(
            new EdECPrivateKeySpec(NamedParameterSpec.ED25519, Arrays.copyOfRange(der, 16, 48)));
    }

    /** A public key read from FILE.pub (§4): base64 of the raw 32 bytes. */
    static byte[] readPublicKey(final Path file) throws IOException
    {
        return Base64.getDecoder().decode(Files.readString(file).trim());
    }

    /** §4: Ed25519 over "sluice-logon-v1" followed by the nonce. */
    byte[] sign(final PrivateKey key) throws GeneralSecurityException
    {
        final Signature signature = Signature.getInstance("Ed25519");
        signature.initSign(key);
        final byte[] message = new byte[LOGON_CONTEXT.length + nonce.length];
        System.arraycopy(LOGON_CONTEXT, 0, message, 0, LOGON_CONTEXT.length);
        System.arraycopy(nonce, 0, message, LOGON_CONTEXT.length, nonce.length);
        signature.update(message);
        return signature.sign();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Building frames (§2, §7)
    // ---------------------------------------------------------------------------------------------------------------

    static ByteBuffer message(final int templateId, final int blockLength)
    {
        return message(templateId, blockLength, blockLength);
    }

    /** A frame with room for {@code bodyLength} bytes of body, its header saying {@code blockLength}. */
    static ByteBuffer message(final int templateId, final int blockLength, final int bodyLength)
    {
        final ByteBuffer frame = ByteBuffer.allocate(4 + HEADER + bodyLength).order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(0, HEADER + bodyLength);
        frame.putShort(4, (short)blockLength);
        frame.putShort(6, (short)templateId);
        frame.putShort(8, (short)SCHEMA_ID);
        frame.putShort(10, (short)VERSION);
        return frame;
    }

    /** Body offset within a frame built by {@link #message}. */
    static final int B = 4 + HEADER;

    static ByteBuffer logonFrame(
        final long sessionId, final long accountId, final byte[] publicKey, final byte[] signature)
    {
        final ByteBuffer frame = message(LOGON, 113);
        frame.putLong(B, sessionId).putLong(B + 8, accountId);
        frame.put(B + 16, publicKey, 0, 32);
        frame.put(B + 48, signature, 0, 64);
        frame.put(B + 112, (byte)255); // cancelOnDisconnect null: the listener's default
        return frame;
    }

    static ByteBuffer newOrderFrame(
        final long requestSeq, final long clientOrderId, final int instrumentId, final int side, final int orderType,
        final int timeInForce, final boolean postOnly, final long price, final long quantity)
    {
        final ByteBuffer frame = message(NEW_ORDER, 40);
        frame.putLong(B, requestSeq).putLong(B + 8, clientOrderId).putInt(B + 16, instrumentId);
        frame.put(B + 20, (byte)side).put(B + 21, (byte)orderType).put(B + 22, (byte)timeInForce)
            .put(B + 23, (byte)(postOnly ? 1 : 0));
        frame.putLong(B + 24, price).putLong(B + 32, quantity);
        return frame;
    }

    static ByteBuffer cancelFrame(final long requestSeq, final long clientOrderId)
    {
        final ByteBuffer frame = message(CANCEL_ORDER, 16);
        frame.putLong(B, requestSeq).putLong(B + 8, clientOrderId);
        return frame;
    }

    static ByteBuffer replaceFrame(
        final long requestSeq, final long clientOrderId, final long newPrice, final long newQuantity)
    {
        final ByteBuffer frame = message(REPLACE_ORDER, 32);
        frame.putLong(B, requestSeq).putLong(B + 8, clientOrderId).putLong(B + 16, newPrice)
            .putLong(B + 24, newQuantity);
        return frame;
    }

    static ByteBuffer massCancelFrame(final long requestSeq, final long accountId, final int instrumentId)
    {
        final ByteBuffer frame = message(MASS_CANCEL, 20);
        frame.putLong(B, requestSeq).putLong(B + 8, accountId).putInt(B + 16, instrumentId);
        return frame;
    }

    static ByteBuffer orderStatusQueryFrame(final long requestSeq, final long clientOrderId)
    {
        final ByteBuffer frame = message(ORDER_STATUS_QUERY, 16);
        frame.putLong(B, requestSeq).putLong(B + 8, clientOrderId);
        return frame;
    }

    static ByteBuffer bookQueryFrame(final long requestSeq, final int instrumentId, final int depth)
    {
        final ByteBuffer frame = message(BOOK_SNAPSHOT_QUERY, 14);
        frame.putLong(B, requestSeq).putInt(B + 8, instrumentId).putShort(B + 12, (short)depth);
        return frame;
    }

    static ByteBuffer heartbeatFrame()
    {
        final ByteBuffer frame = message(HEARTBEAT, 8);
        frame.putLong(B, System.currentTimeMillis() * 1_000_000L);
        return frame;
    }

    static ByteBuffer logoutFrame(final long sessionId)
    {
        final ByteBuffer frame = message(LOGOUT, 8);
        frame.putLong(B, sessionId);
        return frame;
    }

    static byte[] hex(final String text)
    {
        final String digits = text.replaceAll("\\s", "");
        final byte[] bytes = new byte[digits.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }

    void send(final ByteBuffer frame) throws IOException
    {
        send(frame.array());
    }

    void send(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    /** Log on (§3, §4): signed when a key is given, zeros otherwise; returns the LogonAck. */
    LogonAck logon(final long sessionId, final long accountId, final byte[] publicKey, final PrivateKey key)
        throws IOException, GeneralSecurityException
    {
        send(logonFrame(sessionId, accountId, publicKey == null ? new byte[32] : publicKey,
            key == null ? new byte[64] : sign(key)));
        return LogonAck.of(next(LOGON_ACK));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reading frames
    // ---------------------------------------------------------------------------------------------------------------

    /** One frame as read: header fields and the body (positioned at 0, little-endian). */
    static final class Frame
    {
        final int blockLength;
        final int templateId;
        final int schemaId;
        final int version;
        final ByteBuffer body;

        Frame(final byte[] message)
        {
            final ByteBuffer header = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
            blockLength = header.getShort(0) & 0xFFFF;
            templateId = header.getShort(2) & 0xFFFF;
            schemaId = header.getShort(4) & 0xFFFF;
            version = header.getShort(6) & 0xFFFF;
            body = ByteBuffer.wrap(message, HEADER, message.length - HEADER).slice().order(ByteOrder.LITTLE_ENDIAN);
        }

        long int64(final int offset)
        {
            return body.getLong(offset);
        }

        int int32(final int offset)
        {
            return body.getInt(offset);
        }

        int uint16(final int offset)
        {
            return body.getShort(offset) & 0xFFFF;
        }

        int uint8(final int offset)
        {
            return body.get(offset) & 0xFF;
        }

        /** §2: a uint32 length, then US-ASCII, starting at {@code offset}. */
        String text(final int offset)
        {
            final int length = body.getInt(offset);
            final byte[] bytes = new byte[length];
            body.get(offset + 4, bytes);
            return new String(bytes, StandardCharsets.US_ASCII);
        }
    }

    /**
     * @return the next frame, or null at the end of the stream (or a reset after the node closed).
     */
    Frame readOrEnd() throws IOException
    {
        final byte[] prefix;
        try
        {
            prefix = in.readNBytes(4);
        }
        catch (final SocketException ex)
        {
            return null;
        }
        if (prefix.length < 4)
        {
            return null;
        }
        final int length = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (length < HEADER || length > 4096)
        {
            throw new IOException("node sent frame length " + length);
        }
        final byte[] message = in.readNBytes(length);
        if (message.length < length)
        {
            throw new EOFException("stream ended inside a frame");
        }
        final Frame frame = new Frame(message);
        if (frame.schemaId != SCHEMA_ID || frame.version != VERSION)
        {
            throw new IOException("schema " + frame.schemaId + " version " + frame.version);
        }
        return frame;
    }

    Frame read() throws IOException
    {
        final Frame frame = readOrEnd();
        if (frame == null)
        {
            throw new EOFException("stream ended");
        }
        return frame;
    }

    /** The next frame other than a Heartbeat. */
    Frame nextFrame() throws IOException
    {
        while (true)
        {
            final Frame frame = read();
            if (frame.templateId != HEARTBEAT)
            {
                return frame;
            }
        }
    }

    /** The next frame of this template; heartbeats and unsolicited reports on the way are kept aside. */
    Frame next(final int templateId) throws IOException
    {
        while (true)
        {
            final Frame frame = read();
            if (frame.templateId == templateId)
            {
                return frame;
            }
            if (frame.templateId == HEARTBEAT || frame.templateId == EXECUTION_REPORT && frame.int64(0) == 0)
            {
                unsolicited.add(frame);
                continue;
            }
            throw new IOException("expected template " + templateId + ", got " + frame.templateId);
        }
    }

    /**
     * The whole reply to a request (§6): its frames up to and including the BatchEnd carrying {@code requestSeq}.
     * Heartbeats and unsolicited reports (requestSeq 0, §6) arriving meanwhile are kept in {@link #unsolicited}
     * unless the reply itself is for requestSeq 0.
     */
    List<Frame> reply(final long requestSeq) throws IOException
    {
        final List<Frame> frames = new ArrayList<>();
        while (true)
        {
            final Frame frame = read();
            if (frame.templateId == HEARTBEAT ||
                requestSeq != 0 && frame.templateId == EXECUTION_REPORT && frame.int64(0) == 0)
            {
                unsolicited.add(frame);
                continue;
            }
            frames.add(frame);
            if (frame.templateId == BATCH_END)
            {
                if (frame.int64(0) != requestSeq)
                {
                    throw new IOException("BatchEnd for " + frame.int64(0) + " while waiting for " + requestSeq);
                }
                return frames;
            }
        }
    }

    /** Send a request and read its whole reply. */
    List<Frame> request(final ByteBuffer frame) throws IOException
    {
        send(frame);
        return reply(frame.getLong(B));
    }

    /**
     * @return every frame until the node ends the stream (§10), heartbeats left out.
     */
    List<Frame> readUntilEnd() throws IOException
    {
        final List<Frame> frames = new ArrayList<>();
        Frame frame;
        while ((frame = readOrEnd()) != null)
        {
            if (frame.templateId != HEARTBEAT)
            {
                frames.add(frame);
            }
        }
        return frames;
    }

    /**
     * @return true if nothing but heartbeats arrives for this long (the connection is open and quiet).
     */
    boolean quietFor(final int millis) throws IOException
    {
        socket.setSoTimeout(millis);
        try
        {
            while (true)
            {
                final Frame frame = readOrEnd();
                if (frame == null)
                {
                    return false;
                }
                if (frame.templateId != HEARTBEAT)
                {
                    unsolicited.add(frame);
                    return false;
                }
            }
        }
        catch (final SocketTimeoutException ex)
        {
            return true;
        }
        finally
        {
            socket.setSoTimeout(20_000);
        }
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reading messages (§7)
    // ---------------------------------------------------------------------------------------------------------------

    record LogonAck(long sessionId, String status, String rejectReason, long lastRequestSeq)
    {
        static LogonAck of(final Frame frame)
        {
            return new LogonAck(frame.int64(0), frame.uint8(8) == 0 ? "ACCEPTED" : "REJECTED",
                REJECT_REASONS[frame.uint8(9)], frame.int64(10));
        }
    }

    record Report(
        long requestSeq, long wireSeq, long timestampNs, long accountId, long clientOrderId, long orderId,
        int instrumentId, int side, String execType, String rejectReason, String liquidity, long price, long quantity,
        long leavesQuantity, long cumQuantity, long lastPrice, long lastQuantity, long tradeId)
    {
        static Report of(final Frame frame)
        {
            if (frame.templateId != EXECUTION_REPORT)
            {
                throw new IllegalStateException("not an ExecutionReport: template " + frame.templateId);
            }
            return new Report(frame.int64(0), frame.int64(8), frame.int64(16), frame.int64(24), frame.int64(32),
                frame.int64(40), frame.int32(48), frame.uint8(52), EXEC_TYPES[frame.uint8(53)],
                REJECT_REASONS[frame.uint8(54)], LIQUIDITY[frame.uint8(55)], frame.int64(56), frame.int64(64),
                frame.int64(72), frame.int64(80), frame.int64(88), frame.int64(96), frame.int64(104));
        }

        /** "EXECTYPE" or "REJECTED:REASON". */
        String outcome()
        {
            return "REJECTED".equals(execType) ? execType + ":" + rejectReason : execType;
        }
    }

    record Status(
        long requestSeq, long clientOrderId, long orderId, int instrumentId, int side, String state, long price,
        long quantity, long leavesQuantity, long cumQuantity, String rejectReason)
    {
        static Status of(final Frame frame)
        {
            return new Status(frame.int64(0), frame.int64(8), frame.int64(16), frame.int32(24), frame.uint8(28),
                ORDER_STATES[frame.uint8(29)], frame.int64(30), frame.int64(38), frame.int64(46), frame.int64(54),
                frame.blockLength > 62 ? REJECT_REASONS[frame.uint8(62)] : "NONE");
        }
    }

    record EngineError(long requestSeq, String code, String detail)
    {
        static EngineError of(final Frame frame)
        {
            if (frame.templateId != ENGINE_ERROR)
            {
                throw new IllegalStateException("not an EngineError: template " + frame.templateId);
            }
            return new EngineError(frame.int64(0), ENGINE_ERROR_CODES[frame.uint8(8)], frame.text(frame.blockLength));
        }
    }

    record BatchEnd(long requestSeq, long wireSeq)
    {
        static BatchEnd of(final Frame frame)
        {
            if (frame.templateId != BATCH_END)
            {
                throw new IllegalStateException("not a BatchEnd: template " + frame.templateId);
            }
            return new BatchEnd(frame.int64(0), frame.int64(8));
        }
    }

    /** §7 BookSnapshot: "B price qty count" per bid, then "S ..." per ask. */
    record Book(long requestSeq, int instrumentId, List<String> levels, int bidCount, int askCount)
    {
        static Book of(final Frame frame)
        {
            final List<String> levels = new ArrayList<>();
            int position = frame.blockLength;
            final int[] counts = new int[2];
            for (int side = 0; side < 2; side++)
            {
                final int entryLength = frame.uint16(position);
                final int count = frame.uint16(position + 2);
                counts[side] = count;
                position += 4;
                for (int i = 0; i < count; i++)
                {
                    levels.add((side == 0 ? "B " : "S ") + frame.int64(position) + " " + frame.int64(position + 8) +
                        " " + frame.int32(position + 16));
                    position += entryLength;
                }
            }
            if (position != frame.body.capacity())
            {
                throw new IllegalStateException("BookSnapshot has " + (frame.body.capacity() - position) +
                    " bytes after its groups");
            }
            return new Book(frame.int64(0), frame.int32(8), levels, counts[0], counts[1]);
        }
    }
}
