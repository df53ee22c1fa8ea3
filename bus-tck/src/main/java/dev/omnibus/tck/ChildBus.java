package dev.omnibus.tck;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A bus in a JVM of its own, for fault scenarios that kill a member or a producer with SIGKILL: the parent starts it
 * with {@link #member} or {@link #producer}, reads what it did from its events file, and {@link #kill()}s it.
 *
 * <p>The child is {@code java -cp <the parent's class path> dev.omnibus.tck.ChildBus key=value...}: it builds its bus
 * from a {@link ServerConfig} passed as arguments (protocol, host, path name, protocol version, {@code x-omnibus-}
 * options and flat server bindings such as {@code mqtt.clientId}) and the credentials passed in its environment
 * ({@code OMNIBUS_CHILD_USERNAME}, {@code OMNIBUS_CHILD_PASSWORD}: never on the command line, which {@code ps} shows).
 * The binding is found on the class path as by any application. Each line of the events file is written and flushed
 * with one {@code write}, so it survives a SIGKILL: {@code ready} once the bus is built (a member: once it
 * subscribed), then for a member {@code handled <id>} for each event its handler finished (before the bus acknowledges
 * it), {@code stuck <id>} for each event its handler got stuck on for good ({@link Member#withStuckAfter}), and
 * {@code duplicate <id>} for each delivery its dedupe store recognised as handled before
 * ({@link Member#withDedupeDirectory}); for a producer {@code sent <id>} before each publish and {@code confirmed <id>}
 * once the broker confirmed it. The child's own output (logs) goes to {@code <name>.log} beside the events file. It
 * runs until it is killed, and ends (closing its bus) when its standard input closes: the parent JVM is gone.
 *
 * <p>A parent reading the file sees only whole lines. Not thread-safe: one test thread drives a child.
 */
public final class ChildBus implements AutoCloseable {

  /** The environment variable holding the user name of the child's server, if any. */
  public static final String USERNAME_VARIABLE = "OMNIBUS_CHILD_USERNAME";

  /** The environment variable holding the password of the child's server, if any. */
  public static final String PASSWORD_VARIABLE = "OMNIBUS_CHILD_PASSWORD";

  /** The channel id the child declares for the address it is given. */
  static final String CHANNEL = "c";

  /** Exit status of a JVM killed by signal 9, as {@link Process#exitValue()} reports it on Linux: 128 + 9. */
  private static final int KILLED_BY_SIGKILL = 137;

  private static final Duration STOP_LIMIT = Duration.ofSeconds(30);

  private final Process process;
  private final Path events;
  private final String name;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ChildBus(Process process, Path events, String name) {
    this.process = process;
    this.events = events;
    this.name = name;
  }

  /**
   * Starts a child whose bus subscribes the group to the address and handles each event of {@code type} (payload read
   * as a string) in about {@code handlingTime} (the handler sleeps, standing for work), so that the broker has
   * unacknowledged events in flight to it at any moment. The same as {@link #member(ServerConfig, String, String,
   * String, Member, Path, String)} with {@code Member.handling(handlingTime)}.
   *
   * @param server the broker as the child reaches it; give each child its own identity where the binding needs one
   *     (MQTT: a {@code clientId} server binding)
   * @param type the CloudEvents type the parent publishes
   * @param directory where {@code <name>.events} and {@code <name>.log} are written
   * @param name the child's name in file names and messages
   */
  public static ChildBus member(ServerConfig server, String type, String address, String group, Duration handlingTime,
      Path directory, String name) throws IOException {
    return member(server, type, address, group, Member.handling(handlingTime), directory, name);
  }

  /**
   * Starts a child whose bus subscribes the group to the address and handles each event of {@code type} (payload read
   * as a string) as {@code member} says: how long each takes, after how many its handler gets stuck, which dedupe
   * store its bus uses.
   *
   * @param server the broker as the child reaches it; give each child its own identity where the binding needs one
   *     (MQTT: a {@code clientId} server binding)
   * @param type the CloudEvents type the parent publishes
   * @param directory where {@code <name>.events} and {@code <name>.log} are written
   * @param name the child's name in file names and messages
   */
  public static ChildBus member(ServerConfig server, String type, String address, String group, Member member,
      Path directory, String name) throws IOException {
    Map<String, String> arguments = new LinkedHashMap<>();
    arguments.put("mode", "member");
    arguments.put("group", group);
    arguments.put("handlingMillis", Long.toString(member.handlingTime().toMillis()));
    arguments.put("stuckAfter", Integer.toString(member.stuckAfter()));
    Path dedupeDirectory = member.dedupeDirectory();
    if (dedupeDirectory != null) {
      arguments.put("dedupeDirectory", dedupeDirectory.toAbsolutePath().toString());
    }
    return start(server, type, address, arguments, member.systemProperties(), directory, name);
  }

  /**
   * Starts a child that publishes events of {@code type} to the address until it is killed, at most 256 unconfirmed
   * at once, with subjects {@code k0} to {@code k31}.
   *
   * @see #member
   */
  public static ChildBus producer(ServerConfig server, String type, String address, Path directory, String name)
      throws IOException {
    Map<String, String> arguments = new LinkedHashMap<>();
    arguments.put("mode", "producer");
    return start(server, type, address, arguments, Map.of(), directory, name);
  }

  private static ChildBus start(ServerConfig server, String type, String address, Map<String, String> arguments,
      Map<String, String> systemProperties, Path directory, String name) throws IOException {
    Files.createDirectories(directory);
    Path events = directory.resolve(name + ".events");
    Files.deleteIfExists(events);
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    systemProperties.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), ChildBus.class.getName()));
    arguments.put("events", events.toAbsolutePath().toString());
    arguments.put("type", type);
    arguments.put("address", address);
    arguments.putAll(serverArguments(server));
    arguments.forEach((key, value) -> command.add(key + "=" + value));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(directory.resolve(name + ".log").toFile());
    Credentials credentials = server.credentials();
    if (!credentials.other().isEmpty()) {
      throw new IllegalArgumentException("ChildBus passes only a user name and password to the child: server '"
          + server.name() + "' has other secrets " + credentials.other().keySet());
    }
    if (credentials.username() != null) {
      builder.environment().put(USERNAME_VARIABLE, credentials.username());
    }
    if (credentials.password() != null) {
      builder.environment().put(PASSWORD_VARIABLE, credentials.password());
    }
    return new ChildBus(builder.start(), events, name);
  }

  /** The server as arguments; bindings must be flat ({@code protocol.field=scalar}). */
  private static Map<String, String> serverArguments(ServerConfig server) {
    Map<String, String> arguments = new LinkedHashMap<>();
    arguments.put("server", server.name());
    arguments.put("protocol", server.protocol());
    arguments.put("host", server.host());
    if (server.protocolVersion() != null) {
      arguments.put("protocolVersion", server.protocolVersion());
    }
    if (server.pathname() != null) {
      arguments.put("pathname", server.pathname());
    }
    server.options().forEach((key, value) -> arguments.put("option." + key, value));
    server.bindings().byProtocol().forEach((protocol, binding) -> {
      if (!(binding instanceof Map<?, ?> fields)) {
        throw new IllegalArgumentException("server binding '" + protocol + "' is not an object");
      }
      fields.forEach((field, value) -> {
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
          throw new IllegalArgumentException("ChildBus passes only flat server bindings (strings, numbers, booleans):"
              + " " + protocol + "." + field + " is " + value.getClass().getSimpleName());
        }
        arguments.put("binding." + protocol + "." + field, value.toString());
      });
    });
    return arguments;
  }

  /** The child's name, as given. */
  public String name() {
    return name;
  }

  /** Waits until the child wrote {@code ready}; fails with the end of its log when it did not, or died. */
  public void awaitReady(Duration timeout) {
    await(() -> lines("ready").size() > 0, timeout, "be ready");
  }

  /**
   * Waits until at least {@code count} lines of the kind ({@code handled}, {@code stuck}, {@code confirmed}...) were
   * written; fails with the end of its log when they were not, or the child died.
   */
  public void awaitAtLeast(String kind, long count, Duration timeout) {
    await(() -> lines(kind).size() >= count, timeout, "report " + count + " '" + kind + "' lines");
  }

  private void await(java.util.concurrent.Callable<Boolean> condition, Duration timeout, String what) {
    try {
      Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20))
          .until(() -> condition.call() || !process.isAlive());
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("child '" + name + "' did not " + what + " within " + timeout + "; its log: "
          + logTail(), e);
    }
    try {
      if (!condition.call()) {
        throw new AssertionError("child '" + name + "' exited (status " + process.exitValue() + ") before it could "
            + what + "; its log: " + logTail());
      }
    } catch (AssertionError e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The event ids of the whole lines of one kind written so far ({@code handled}, {@code stuck}, {@code duplicate},
   * {@code sent}, {@code confirmed}), in the order written, repeats included.
   */
  public List<String> lines(String kind) {
    String content;
    try {
      content = Files.exists(events) ? Files.readString(events, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> ids = new ArrayList<>();
    int end = content.lastIndexOf('\n'); // a line without its newline is still being written
    if (end < 0) {
      return ids;
    }
    String prefix = kind + " ";
    for (String line : content.substring(0, end).split("\n")) {
      if (line.equals(kind)) {
        ids.add("");
      } else if (line.startsWith(prefix)) {
        ids.add(line.substring(prefix.length()));
      }
    }
    return ids;
  }

  /** The distinct ids of one kind, in the order first written. */
  public Set<String> distinct(String kind) {
    return new LinkedHashSet<>(lines(kind));
  }

  /**
   * Kills the child with SIGKILL ({@link Process#destroyForcibly()}, which is {@code kill -9} on Linux) and waits for
   * it to be gone.
   *
   * @throws IllegalStateException when the child had exited already, or its exit status is not that of a SIGKILL
   */
  public void kill() throws InterruptedException {
    if (!process.isAlive()) {
      throw new IllegalStateException("child '" + name + "' had exited (status " + process.exitValue()
          + ") before it was killed; its log: " + logTail());
    }
    process.destroyForcibly();
    if (!process.waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
      throw new IllegalStateException("child '" + name + "' (pid " + process.pid() + ") still runs after SIGKILL");
    }
    if (process.exitValue() != KILLED_BY_SIGKILL) {
      throw new IllegalStateException("child '" + name + "' ended with status " + process.exitValue()
          + ", not 137 (killed by SIGKILL); its log: " + logTail());
    }
  }

  /**
   * Ends the child if it still runs: SIGTERM (its bus closes), SIGKILL after 30 s. Idempotent.
   */
  @Override
  public void close() throws InterruptedException {
    if (!closed.compareAndSet(false, true) || !process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  private String logTail() {
    Path log = events.resolveSibling(name + ".log");
    try {
      String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
      return text.length() <= 2_000 ? text : "..." + text.substring(text.length() - 2_000);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /**
   * The child's entry point: {@code key=value} arguments as {@link #member} and {@link #producer} write them. Runs
   * until killed; SIGTERM closes its bus.
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> arguments = new HashMap<>();
    for (String arg : args) {
      int equals = arg.indexOf('=');
      if (equals < 0) {
        throw new IllegalArgumentException("expected key=value, got '" + arg + "'");
      }
      arguments.put(arg.substring(0, equals), arg.substring(equals + 1));
    }
    try (Lines out = new Lines(Path.of(required(arguments, "events")))) {
      EventType<String> type = EventType.of(required(arguments, "type"), String.class).channel(CHANNEL);
      EventBus.Builder builder = EventBus.builder().server(server(arguments))
          .channel(CHANNEL, required(arguments, "address"))
          .source(URI.create("/faults/child"));
      String dedupeDirectory = arguments.get("dedupeDirectory");
      if (dedupeDirectory != null) {
        builder.dedupe(new DirectoryDedupeStore(Path.of(dedupeDirectory), id -> out.write("duplicate " + id)));
      }
      EventBus bus = builder.build();
      Runtime.getRuntime().addShutdownHook(new Thread(bus::close, "child-bus-close"));
      exitWhenTheParentIsGone();
      switch (required(arguments, "mode")) {
        case "member" -> member(bus, type, arguments, out);
        case "producer" -> producer(bus, type, out);
        default -> throw new IllegalArgumentException("mode is member or producer, not " + arguments.get("mode"));
      }
    }
  }

  private static void member(EventBus bus, EventType<String> type, Map<String, String> arguments, Lines out)
      throws InterruptedException {
    long handlingMillis = Long.parseLong(arguments.getOrDefault("handlingMillis", "0"));
    int stuckAfter = Integer.parseInt(arguments.getOrDefault("stuckAfter", "0"));
    AtomicInteger seen = new AtomicInteger();
    CountDownLatch never = new CountDownLatch(1);
    bus.subscribe(type, required(arguments, "group"), event -> {
      if (stuckAfter > 0 && seen.incrementAndGet() > stuckAfter) {
        out.write("stuck " + event.id());
        never.await(); // never acknowledged: the child is killed in here
      }
      Thread.sleep(handlingMillis); // stands for the handler's work, so that events wait unacknowledged
      out.write("handled " + event.id());
    });
    out.write("ready");
    new CountDownLatch(1).await(); // until killed
  }

  private static void producer(EventBus bus, EventType<String> type, Lines out) throws InterruptedException {
    Semaphore window = new Semaphore(256);
    out.write("ready");
    for (long i = 0; ; i++) { // until killed
      window.acquire();
      var event = type.event("p" + i).subject("k" + (i % 32)).build();
      out.write("sent " + event.id());
      bus.publish(event).whenComplete((ok, failure) -> {
        window.release();
        if (failure == null) {
          out.write("confirmed " + event.id());
        }
      });
    }
  }

  /**
   * Ends the child (its bus closed by the shutdown hook) once its standard input closes, which happens when the parent
   * JVM is gone: a child never outlives the test that started it, holding a group's events.
   */
  private static void exitWhenTheParentIsGone() {
    Thread watcher = new Thread(() -> {
      try (InputStream in = System.in) {
        while (in.read() >= 0) {
          // the parent writes nothing
        }
      } catch (IOException e) {
        // unreadable: as good as closed
      }
      System.exit(0);
    }, "child-bus-parent-watch");
    watcher.setDaemon(true);
    watcher.start();
  }

  private static ServerConfig server(Map<String, String> arguments) {
    ServerConfig server = ServerConfig.of(required(arguments, "server"), required(arguments, "protocol"),
        required(arguments, "host"))
        .withProtocolVersion(arguments.get("protocolVersion"))
        .withPathname(arguments.get("pathname"));
    Map<String, Object> bindings = new HashMap<>();
    for (Map.Entry<String, String> entry : arguments.entrySet()) {
      String key = entry.getKey();
      if (key.startsWith("option.")) {
        server = server.withOption(key.substring("option.".length()), entry.getValue());
      } else if (key.startsWith("binding.")) {
        String[] parts = key.substring("binding.".length()).split("\\.", 2);
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) bindings.computeIfAbsent(parts[0], p -> new HashMap<>());
        fields.put(parts[1], scalar(entry.getValue()));
      }
    }
    if (!bindings.isEmpty()) {
      server = server.withBindings(new Bindings(bindings));
    }
    String username = System.getenv(USERNAME_VARIABLE);
    String password = System.getenv(PASSWORD_VARIABLE);
    if (username != null || password != null) {
      server = server.withCredentials(new Credentials(username, password, Map.of()));
    }
    return server;
  }

  /** A binding value as a document reader would give it: a whole number, a boolean, else the string. */
  private static Object scalar(String value) {
    if (value.equals("true") || value.equals("false")) {
      return Boolean.valueOf(value);
    }
    try {
      return Long.valueOf(value);
    } catch (NumberFormatException e) {
      return value;
    }
  }

  private static String required(Map<String, String> arguments, String key) {
    String value = arguments.get(key);
    if (value == null) {
      throw new IllegalArgumentException("missing argument " + key + "=...");
    }
    return value;
  }

  /**
   * How a {@link #member} child handles events. Immutable: each {@code with...} returns a copy.
   *
   * <pre>{@code
   * ChildBus.Member.handling(Duration.ofMillis(1)).withDedupeDirectory(shared);   // a group's processes share a store
   * ChildBus.Member.handling(Duration.ZERO).withStuckAfter(100);                    // holds events unacknowledged
   * }</pre>
   *
   * @param handlingTime how long the handler takes for each event (it sleeps, standing for work); zero or more
   * @param stuckAfter with a positive value, the handler writes {@code stuck <id>} and blocks for good from the event
   *     after that many on, so that every later event delivered to it stays unacknowledged until the child is killed;
   *     0 (the default) handles everything
   * @param dedupeDirectory with a directory, the child's bus dedupes with a store of one marker file per handled event
   *     there, which the group's processes given the same directory share (as a shared database table would be in
   *     production), and writes {@code duplicate <id>} for each delivery it skips; {@code null} (the default): no
   *     dedupe
   * @param systemProperties system properties of the child's JVM (such as log levels: its logs go to
   *     {@code <name>.log})
   */
  public record Member(Duration handlingTime, int stuckAfter, @Nullable Path dedupeDirectory,
      Map<String, String> systemProperties) {

    /** Checks the values and copies the properties. */
    public Member {
      if (handlingTime.isNegative()) {
        throw new IllegalArgumentException("handlingTime must be zero or more, not " + handlingTime);
      }
      if (stuckAfter < 0) {
        throw new IllegalArgumentException("stuckAfter must be 0 (never stuck) or more, not " + stuckAfter);
      }
      systemProperties = Map.copyOf(systemProperties);
    }

    /** A member that takes {@code handlingTime} for each event, never gets stuck, and does not dedupe. */
    public static Member handling(Duration handlingTime) {
      return new Member(handlingTime, 0, null, Map.of());
    }

    /** This member, with its handler stuck for good from the event after the first {@code events} on. */
    public Member withStuckAfter(int events) {
      return new Member(handlingTime, events, dedupeDirectory, systemProperties);
    }

    /** This member, deduping with the marker files of {@code directory}, shared with the children given it too. */
    public Member withDedupeDirectory(Path directory) {
      return new Member(handlingTime, stuckAfter, directory, systemProperties);
    }

    /** This member, with a system property set in its JVM. */
    public Member withSystemProperty(String key, String value) {
      Map<String, String> properties = new LinkedHashMap<>(systemProperties);
      properties.put(key, value);
      return new Member(handlingTime, stuckAfter, dedupeDirectory, properties);
    }
  }

  /** The events file: one {@code write} of a whole line per call, so a SIGKILL leaves whole lines. Thread-safe. */
  private static final class Lines implements AutoCloseable {
    private final Object lock = new Object();
    private final OutputStream stream;

    Lines(Path file) throws IOException {
      this.stream = new FileOutputStream(file.toFile(), true);
    }

    void write(String line) {
      byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
      synchronized (lock) {
        try {
          stream.write(bytes);
          stream.flush();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }

    @Override
    public void close() throws IOException {
      synchronized (lock) {
        stream.close();
      }
    }
  }
}
