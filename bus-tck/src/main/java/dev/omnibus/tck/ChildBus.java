package dev.omnibus.tck;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import java.io.FileOutputStream;
import java.io.IOException;
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
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

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
 * subscribed), then {@code handled <id>} for each event a member's handler finished (before the bus acknowledges it),
 * or {@code sent <id>} before each publish and {@code confirmed <id>} once the broker confirmed it. The child's own
 * output (logs) goes to {@code <name>.log} beside the events file.
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
   * unacknowledged events in flight to it at any moment.
   *
   * @param server the broker as the child reaches it; give each child its own identity where the binding needs one
   *     (MQTT: a {@code clientId} server binding)
   * @param type the CloudEvents type the parent publishes
   * @param directory where {@code <name>.events} and {@code <name>.log} are written
   * @param name the child's name in file names and messages
   */
  public static ChildBus member(ServerConfig server, String type, String address, String group, Duration handlingTime,
      Path directory, String name) throws IOException {
    Map<String, String> arguments = new LinkedHashMap<>();
    arguments.put("mode", "member");
    arguments.put("group", group);
    arguments.put("handlingMillis", Long.toString(handlingTime.toMillis()));
    return start(server, type, address, arguments, directory, name);
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
    return start(server, type, address, arguments, directory, name);
  }

  private static ChildBus start(ServerConfig server, String type, String address, Map<String, String> arguments,
      Path directory, String name) throws IOException {
    Files.createDirectories(directory);
    Path events = directory.resolve(name + ".events");
    Files.deleteIfExists(events);
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), ChildBus.class.getName()));
    arguments.put("events", events.toString());
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

  /** Waits until at least {@code count} lines of the kind ({@code handled}, {@code confirmed}) were written. */
  public void awaitAtLeast(String kind, int count, Duration timeout) {
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

  /** The event ids of the whole lines of one kind written so far ({@code handled}, {@code sent}, {@code confirmed}). */
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
      EventBus bus = EventBus.builder().server(server(arguments))
          .channel(CHANNEL, required(arguments, "address"))
          .source(URI.create("/faults/child"))
          .build();
      Runtime.getRuntime().addShutdownHook(new Thread(bus::close, "child-bus-close"));
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
    bus.subscribe(type, required(arguments, "group"), event -> {
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
