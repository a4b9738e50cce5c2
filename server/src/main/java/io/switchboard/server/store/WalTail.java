package io.switchboard.server.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads SQLite's write-ahead log before SQLite opens it, to say what a crash left behind. SQLite itself keeps only
 * the frames up to the last whole commit (each frame carries a running checksum and the log's salt) and ignores the
 * rest; this finds that rest so the server can log it: frames of the current log after its last commit, or a torn
 * frame at the end. Frames of an older log (another salt) are normal leftovers, not damage. Format:
 * https://www.sqlite.org/fileformat2.html#walformat
 */
final class WalTail {
    private static final int HEADER = 32;
    private static final int FRAME_HEADER = 24;

    /** What the log holds: whole commits kept, and what is cut after the last one. */
    record Report(int committedFrames, int cutFrames, long cutBytes) {
        boolean cut() {
            return cutFrames > 0 || cutBytes > 0;
        }
    }

    private WalTail() {
    }

    /** Reads the log at {@code wal}; null when there is none or it has no valid header. */
    static Report read(Path wal) throws IOException {
        if (!Files.exists(wal) || Files.size(wal) < HEADER) {
            return null;
        }
        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(wal)).order(ByteOrder.BIG_ENDIAN);
        int magic = file.getInt(0);
        if (magic != 0x377f0682 && magic != 0x377f0683) {
            return null;
        }
        boolean bigEndian = (magic & 1) == 1;
        int pageSize = file.getInt(8);
        int salt1 = file.getInt(16);
        int salt2 = file.getInt(20);
        int[] sum = checksum(file, 0, 24, new int[2], bigEndian);
        if (sum[0] != file.getInt(24) || sum[1] != file.getInt(28)) {
            return null;
        }
        int frameSize = FRAME_HEADER + pageSize;
        int committed = 0;
        int frames = 0;
        long committedEnd = HEADER;
        int offset = HEADER;
        while (offset + frameSize <= file.capacity()) {
            if (file.getInt(offset + 8) != salt1 || file.getInt(offset + 12) != salt2) {
                break;
            }
            checksum(file, offset, 8, sum, bigEndian);
            checksum(file, offset + FRAME_HEADER, pageSize, sum, bigEndian);
            if (sum[0] != file.getInt(offset + 16) || sum[1] != file.getInt(offset + 20)) {
                break;
            }
            frames++;
            offset += frameSize;
            if (file.getInt(offset - frameSize + 4) != 0) {
                committed = frames;
                committedEnd = offset;
            }
        }
        int cutFrames = frames - committed;
        long cutBytes = 0;
        int at = (int) committedEnd + cutFrames * frameSize;
        if (at + FRAME_HEADER <= file.capacity() && file.getInt(at + 8) == salt1 && file.getInt(at + 12) == salt2) {
            // A frame of this log that is torn or fails its checksum: a write the crash interrupted.
            cutBytes = Math.min(frameSize, file.capacity() - at);
        } else if (at < file.capacity() && (file.capacity() - HEADER) % frameSize != 0) {
            cutBytes = (file.capacity() - HEADER) % frameSize;
        }
        return new Report(committed, cutFrames, cutBytes + (long) cutFrames * frameSize);
    }

    /** SQLite's WAL checksum: over 32-bit words in the log's byte order, two running sums. */
    private static int[] checksum(ByteBuffer file, int offset, int length, int[] sum, boolean bigEndian) {
        ByteBuffer words = file.duplicate().order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int s0 = sum[0];
        int s1 = sum[1];
        for (int i = offset; i < offset + length; i += 8) {
            s0 += words.getInt(i) + s1;
            s1 += words.getInt(i + 4) + s0;
        }
        sum[0] = s0;
        sum[1] = s1;
        return sum;
    }
}
