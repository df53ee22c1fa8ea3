package dev.omnibus.kafka.faults;

import dev.omnibus.DedupeStore;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.ServerConfig;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A member of a consumer group in a process of its own, for {@link KafkaClusterFaultTest} to start beside others and
 * kill with {@code destroyForcibly()} (SIGKILL) mid-stream. Arguments: bootstrap servers, channel address, group, the
 * dedupe directory the members share, the output file.
 *
 * <p>It writes one line per event to its output file, each written through to the file at once so that a kill loses
 * none: {@code handled <id>} when its handler ran, {@code duplicate <id>} when the bus's dedupe skipped a delivery
 * of an event handled before (by this member or another); and {@code subscribed} once its subscription is up.
 */
final class ClusterGroupMember {

  static final EventType<String> TEXT = EventType.of("dev.omnibus.faults.text", String.class);
  static final URI SOURCE = URI.create("/faults/kafka-cluster");
  static final String SUBSCRIBED = "subscribed";
  static final String HANDLED = "handled ";
  static final String DUPLICATE = "duplicate ";

  private ClusterGroupMember() {}

  /** The channel binding of the scenarios: three replicas, two in sync for an {@code acks=all} write. */
  static Bindings replicated(int partitions) {
    return new Bindings(Map.of("kafka", Map.of("partitions", partitions, "replicas", 3,
        "topicConfiguration", Map.of("min.insync.replicas", 2))));
  }

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String address = args[1];
    String group = args[2];
    Path dedupeDirectory = Path.of(args[3]);
    Output output = new Output(Path.of(args[4]));
    // A killed member's partitions move after its session expires: 6 s (the broker's least) rather than 45 s.
    ServerConfig server = ServerConfig.of("cluster", "kafka", bootstrap)
        .withOption("kafka.consumer.session.timeout.ms", "6000");
    EventBus bus = EventBus.builder().server(server).source(SOURCE).channel("c", address, replicated(6))
        .dedupe(new DirectoryDedupeStore(dedupeDirectory, output)).build();
    bus.subscribe(TEXT.channel("c"), group, event -> {
      // A handler's work of about a millisecond: a kill then lands in the middle of a poll's batch, with events
      // handled whose offsets are not committed yet, as in a real service.
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      output.line(HANDLED + event.id());
    });
    output.line(SUBSCRIBED);
    new CountDownLatch(1).await(); // until killed or destroyed
  }

  /** Lines written straight to the file (no buffer in this process), one write each. */
  private static final class Output {
    private final OutputStream stream;
    private final Object lock = new Object();

    Output(Path file) throws IOException {
      this.stream = new FileOutputStream(file.toFile(), true);
    }

    void line(String text) {
      synchronized (lock) {
        try {
          stream.write((text + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  /**
   * A dedupe store the group's processes share: one empty file per handled event in a directory, as a shared
   * database table would be in production. A delivery it recognises is written out as a duplicate.
   */
  private static final class DirectoryDedupeStore implements DedupeStore {
    private final Path directory;
    private final Output output;

    DirectoryDedupeStore(Path directory, Output output) {
      this.directory = directory;
      this.output = output;
    }

    @Override
    public boolean wasHandled(String key) {
      boolean handled = Files.exists(fileOf(key));
      if (handled) {
        // The key ends in the event's id (prefix, source, a space, id).
        output.line(DUPLICATE + key.substring(key.lastIndexOf(' ') + 1));
      }
      return handled;
    }

    @Override
    public void markHandled(String key) {
      try {
        Files.createFile(fileOf(key));
      } catch (FileAlreadyExistsException e) {
        // handled twice (two members raced): remembered already
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private Path fileOf(String key) {
      return directory.resolve(Base64.getUrlEncoder().withoutPadding()
          .encodeToString(key.getBytes(StandardCharsets.UTF_8)));
    }
  }
}
