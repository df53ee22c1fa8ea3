package dev.omnibus.sse;

import com.sun.net.httpserver.HttpExchange;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open event stream: a bounded queue the feed offers events to, and a thread of its own that writes them.
 *
 * <p>Why a thread per stream: the JDK server's response stream blocks when the peer does not read, and a blocked
 * write must hold no one else up. When the feed finds the queue full it drops the client by interrupting this thread:
 * the JDK's socket channels are interruptible, so a write blocked on a stalled browser ends at once, with the
 * connection closed.
 *
 * <p>Thread-safe: {@link #offer}, {@link #drop} and {@link #close} are called from any thread.
 */
final class ClientStream {

  private static final Logger LOG = LoggerFactory.getLogger(ClientStream.class);
  private static final AtomicInteger NUMBER = new AtomicInteger();
  private static final int BATCH = 64;
  // The writer's stack holds a few frames of I/O calls: 500 streams need no 500 MB of reserved stacks.
  private static final long STACK_SIZE = 256 * 1024;

  private enum State { OPEN, CLOSING, DROPPED }

  private final HttpExchange exchange;
  private final Predicate<CloudEvent> filter;
  private final ArrayBlockingQueue<SseFrame> queue;
  private final long heartbeatNanos;
  private final byte[] preamble;
  private final Counters counters;
  private final @Nullable String lastEventId;
  private final Thread writer;
  private volatile State state = State.OPEN;
  private @Nullable ChannelFeed feed;
  private ChannelFeed.@Nullable Resume resume;

  ClientStream(HttpExchange exchange, Predicate<CloudEvent> filter, int capacity, long heartbeatNanos, byte[] preamble,
      Counters counters, @Nullable String lastEventId) {
    this.exchange = exchange;
    this.filter = filter;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.heartbeatNanos = heartbeatNanos;
    this.preamble = preamble;
    this.counters = counters;
    this.lastEventId = lastEventId;
    this.writer = new Thread(null, this::run, "omnibus-sse-" + NUMBER.incrementAndGet(), STACK_SIZE);
    this.writer.setDaemon(true);
  }

  /** Starts writing, once attached to its feed. */
  void start(ChannelFeed feed, ChannelFeed.Resume resume) {
    this.feed = feed;
    this.resume = resume;
    counters.connected.incrementAndGet();
    counters.accepted.increment();
    writer.start();
  }

  /**
   * Queues an event this client sees; called by the feed on the bus's handler thread, never blocks. Returns
   * {@code false} when the queue is full: the client is too slow and must be dropped.
   */
  boolean offer(SseFrame frame) {
    if (!sees(frame.event())) {
      return true;
    }
    return queue.offer(frame);
  }

  /** Disconnects a client that fell behind; its stream ends without another byte, whatever it was doing. */
  void drop() {
    state = State.DROPPED;
    counters.dropped.increment();
    writer.interrupt();
  }

  /** Ends the stream: a browser reconnects after its retry delay. */
  void close() {
    if (state == State.OPEN) {
      state = State.CLOSING;
    }
    writer.interrupt();
  }

  /** Waits for the writer to finish, at most {@code millis}; returns whether it has. */
  boolean await(long millis) throws InterruptedException {
    writer.join(Math.max(1, millis));
    return !writer.isAlive();
  }

  /**
   * Ends a stream that did not end when closed: its writer is stuck writing the last chunk to a peer that does not
   * read. The interrupt closes the channel under the write.
   */
  void abort() {
    state = State.DROPPED;
    writer.interrupt();
  }

  private boolean sees(CloudEvent event) {
    try {
      return filter.test(event);
    } catch (RuntimeException e) {
      LOG.warn("An SSE filter failed on event {}; the client does not get it: {}", event.getId(), e.toString());
      return false;
    }
  }

  private void run() {
    ChannelFeed feed = this.feed;
    ChannelFeed.Resume resume = this.resume;
    OutputStream out = exchange.getResponseBody();
    try {
      out.write(preamble);
      if (resume != null) {
        writeReplay(out, resume);
      }
      out.flush();
      while (state == State.OPEN) {
        SseFrame frame = queue.poll(heartbeatNanos, TimeUnit.NANOSECONDS);
        if (frame == null) {
          out.write(SseFrame.HEARTBEAT);
          out.flush();
          continue;
        }
        int written = 0;
        do {
          out.write(frame.bytes());
          written++;
        } while (written < BATCH && (frame = queue.poll()) != null);
        out.flush();
        counters.delivered.add(written);
      }
    } catch (InterruptedException | IOException ended) {
      // Closed, dropped, or the browser went away (found on a write, at the latest with the next heartbeat).
    } finally {
      if (feed != null) {
        feed.detach(this);
      }
      counters.connected.decrementAndGet();
      finish();
    }
  }

  private void writeReplay(OutputStream out, ChannelFeed.Resume resume) throws IOException {
    List<SseFrame> frames = resume.frames().stream().filter(frame -> sees(frame.event())).toList();
    if (resume.reset() && lastEventId != null) {
      out.write(SseFrame.reset(lastEventId, frames.size()));
    }
    for (SseFrame frame : frames) {
      out.write(frame.bytes());
    }
    counters.delivered.add(frames.size());
  }

  /**
   * Closes the exchange. A stream being closed ends with the chunked encoding's last chunk, so the browser sees a
   * clean end; one dropped or broken is closed with the interrupt flag set, so that the JDK's channel closes without
   * writing to a peer that does not read.
   */
  private void finish() {
    if (state != State.CLOSING) {
      Thread.currentThread().interrupt();
    }
    try {
      exchange.close();
    } catch (RuntimeException e) {
      LOG.debug("Closing an SSE exchange failed", e);
    } finally {
      Thread.interrupted();
    }
  }
}
