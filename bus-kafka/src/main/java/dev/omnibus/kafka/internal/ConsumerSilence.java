package dev.omnibus.kafka.internal;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.jspecify.annotations.Nullable;

/**
 * Whether a consumer still hears from the cluster: samples its {@code incoming-byte-total} (every connection's bytes
 * received), which a member of a group moves with its heartbeat responses and any consumer with its fetch responses.
 * One per consumer; its owner turns the samples into its subscriptions' health.
 *
 * <p>{@link #watch} is called by the consumer's poll thread once it runs; {@link #sample} and {@link #silentSeconds} by
 * the transport's health thread only.
 */
final class ConsumerSilence {

  /** What one sample found. */
  enum Sample {
    /** The consumer is not watched yet (its poll thread has not started). */
    NOT_WATCHED,
    /** Bytes came since the last sample. */
    HEARD,
    /** Nothing came, but for less than the limit, or nothing was asked of the cluster. */
    QUIET,
    /** Nothing came for the limit or longer. */
    SILENT
  }

  private final long limitNanos;
  private volatile @Nullable Metric incomingBytes;
  // Health thread only.
  private double bytesSeen = -1;
  private long bytesChangedNanos = System.nanoTime();

  /** @param limitNanos how long the consumer may hear nothing before it counts as silent */
  ConsumerSilence(long limitNanos) {
    this.limitNanos = limitNanos;
  }

  /** Finds the consumer's metric; from the consumer's own thread, as every call on it. */
  void watch(Consumer<byte[], byte[]> consumer) {
    for (Map.Entry<MetricName, ? extends Metric> entry : consumer.metrics().entrySet()) {
      MetricName name = entry.getKey();
      if (name.name().equals("incoming-byte-total") && name.group().equals("consumer-metrics")) {
        incomingBytes = entry.getValue();
        return;
      }
    }
  }

  /**
   * Samples the metric. {@code asking}: whether the consumer expects answers now; a consumer without a group that
   * fetches nothing hears nothing, and its silence says nothing.
   */
  Sample sample(boolean asking) {
    Metric metric = incomingBytes;
    if (metric == null) {
      return Sample.NOT_WATCHED;
    }
    long now = System.nanoTime();
    double bytes = metric.metricValue() instanceof Number number ? number.doubleValue() : bytesSeen;
    if (bytes != bytesSeen) {
      bytesSeen = bytes;
      bytesChangedNanos = now;
      return Sample.HEARD;
    }
    if (!asking) {
      bytesChangedNanos = now;
      return Sample.QUIET;
    }
    return now - bytesChangedNanos >= limitNanos ? Sample.SILENT : Sample.QUIET;
  }

  /** How long nothing came, in whole seconds, as of now. */
  long silentSeconds() {
    return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - bytesChangedNanos);
  }
}
