package dev.tandem.shared.window;

import dev.tandem.shared.error.ErrorCode;
import dev.tandem.shared.wire.Sample;
import dev.tandem.shared.error.TandemException;

import java.util.ArrayList;
import java.util.List;

/**
 * The recent history of one multichannel stream: a ring of the last {@code capacity} samples,
 * oldest first. A scorer reads the latest {@code n} of them as its window; an escalation reads
 * the longer context. Not thread-safe: one per device, on one thread.
 */
public final class SlidingWindow {
    private final Sample[] ring;
    private final int channels;
    private int start;
    private int size;

    public SlidingWindow(int capacity, int channels) {
        if (capacity < 1 || channels < 1) {
            throw TandemException.invalid("capacity and channels must be >= 1");
        }
        this.ring = new Sample[capacity];
        this.channels = channels;
    }

    /** Appends a sample; its seq must be above the last one and its channel count must match. */
    public void add(Sample s) {
        if (s.channels() != channels) {
            throw new TandemException(ErrorCode.CHANNEL_MISMATCH,
                    "sample " + s.seq() + " has " + s.channels() + " channels, window has " + channels);
        }
        if (size > 0 && s.seq() <= newest().seq()) {
            throw TandemException.invalid("sample seq " + s.seq() + " is not after " + newest().seq());
        }
        if (size < ring.length) {
            ring[(start + size) % ring.length] = s;
            size++;
        } else {
            ring[start] = s;
            start = (start + 1) % ring.length;
        }
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return ring.length;
    }

    public int channels() {
        return channels;
    }

    public boolean hasAtLeast(int n) {
        return size >= n;
    }

    /** The i-th of the latest {@code n} samples, 0 = oldest of them. */
    public Sample latest(int n, int i) {
        if (n > size || i < 0 || i >= n) {
            throw new IndexOutOfBoundsException("latest(" + n + ", " + i + ") with " + size + " samples");
        }
        return ring[(start + size - n + i) % ring.length];
    }

    public Sample newest() {
        if (size == 0) {
            throw new IllegalStateException("empty window");
        }
        return ring[(start + size - 1) % ring.length];
    }

    /** The latest {@code n} samples (or fewer if fewer are held) whose seq is above {@code afterSeq}, oldest first. */
    public List<Sample> latestAfter(int n, long afterSeq) {
        int take = Math.min(n, size);
        List<Sample> out = new ArrayList<>(take);
        for (int i = 0; i < take; i++) {
            Sample s = latest(take, i);
            if (s.seq() > afterSeq) {
                out.add(s);
            }
        }
        return out;
    }

    /** The latest {@code n} samples as rows [sample][channel], oldest first. */
    public double[][] toArray(int n) {
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            out[i] = latest(n, i).values();
        }
        return out;
    }

    public void clear() {
        start = 0;
        size = 0;
        java.util.Arrays.fill(ring, null);
    }
}
