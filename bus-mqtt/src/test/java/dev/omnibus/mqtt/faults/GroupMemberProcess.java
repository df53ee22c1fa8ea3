package dev.omnibus.mqtt.faults;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.ServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A member of an MQTT consumer group in a JVM of its own, for the scenario "a member's process is killed with
 * {@code kill -9}": it subscribes with the bus to a group, prints {@code ready}, then {@code handled <id>} for each event
 * it handled (and so acknowledged). With a positive {@code stuckAfter} its handler blocks for good from that event
 * on, so every later event sent to it stays unacknowledged until the process is killed; with 0 it handles everything.
 * It exits when its standard input closes (the test's JVM went away).
 *
 * <p>Arguments: {@code host:port clientId topic group stuckAfter}.
 */
final class GroupMemberProcess {

  static final EventType<String> TEXT = EventType.of("dev.omnibus.faults.text", String.class);

  private GroupMemberProcess() {}

  public static void main(String[] args) throws Exception {
    String address = args[0];
    String clientId = args[1];
    String topic = args[2];
    String group = args[3];
    int stuckAfter = Integer.parseInt(args[4]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    AtomicInteger seen = new AtomicInteger();
    CountDownLatch never = new CountDownLatch(1);
    EventBus bus = EventBus.builder()
        .server(ServerConfig.of("member", "mqtt", address).withBindings(new Bindings(Map.of("mqtt",
            Map.of("clientId", clientId, "sessionExpiryInterval", 600)))))
        .channel("c", topic)
        .source(URI.create("/faults/member"))
        .build();
    bus.subscribe(TEXT.channel("c"), group, event -> {
      if (stuckAfter > 0 && seen.incrementAndGet() > stuckAfter) {
        out.println("stuck " + event.id());
        never.await(); // never acknowledged: killed in here
      }
      synchronized (out) {
        out.println("handled " + event.id());
      }
    });
    out.println("ready");
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      while (in.readLine() != null) {
        // the test writes nothing: end of input means it is gone
      }
    }
    Runtime.getRuntime().halt(0);
  }

  /** A running member process and what it printed. */
  static final class Running implements AutoCloseable {
    private final Process process;
    final Set<String> handled = ConcurrentHashMap.newKeySet();
    final CountDownLatch ready = new CountDownLatch(1);
    final CountDownLatch stuck = new CountDownLatch(1);

    private Running(Process process) {
      this.process = process;
      Thread reader = new Thread(this::read, "member-process-output");
      reader.setDaemon(true);
      reader.start();
    }

    /** Starts a member with the test JVM's class path; its log goes to {@code log}. */
    static Running start(String address, String clientId, String topic, String group, int stuckAfter, Path log)
        throws IOException {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx128m");
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(GroupMemberProcess.class.getName());
      command.addAll(List.of(address, clientId, topic, group, Integer.toString(stuckAfter)));
      log.getParent().toFile().mkdirs();
      Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
      return new Running(process);
    }

    private void read() {
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) {
          if (line.equals("ready")) {
            ready.countDown();
          } else if (line.startsWith("handled ")) {
            handled.add(line.substring("handled ".length()));
          } else if (line.startsWith("stuck ")) {
            stuck.countDown();
          }
        }
      } catch (IOException e) {
        // the process died: what it printed so far is what it handled
      }
    }

    boolean awaitReady(long seconds) throws InterruptedException {
      return ready.await(seconds, TimeUnit.SECONDS) && process.isAlive();
    }

    /** SIGKILL, as {@code kill -9}: no disconnect, no acknowledgement, no handover. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
      kill();
    }
  }
}
