package dev.tandem.hub.tf;

import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * One TensorFlow graph and its session, as the hub's models hold them: one intra- and one inter-op
 * thread (honoured only if this is the process's first session; see the TF notes), many concurrent
 * readers, and a close that waits for them and frees the native memory once.
 */
public final class TfGraph implements AutoCloseable {
    private final String name;
    private final Graph graph = new Graph();
    private final Session session;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    /** {@code name} is what a closed-graph error calls it, e.g. "large model v1". */
    public TfGraph(String name) {
        this.name = name;
        try {
            this.session = new Session(graph, ConfigProto.newBuilder()
                    .setIntraOpParallelismThreads(1).setInterOpParallelismThreads(1).build());
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    public Graph graph() {
        return graph;
    }

    public Session session() {
        return session;
    }

    /** Runs {@code body} as one of many concurrent readers; {@link IllegalStateException} once closed. */
    public <T> T read(Supplier<T> body) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException(name + " is closed");
            }
            return body.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Makes what this thread wrote so far visible to every later {@link #read}. */
    public void publish() {
        lock.writeLock().lock();
        lock.writeLock().unlock();
    }

    /** Frees the native graph and session; waits for running readers; idempotent. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                session.close();
            } finally {
                graph.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
