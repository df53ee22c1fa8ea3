package dev.omnibus.sse;

import com.sun.net.httpserver.HttpServer;
import dev.omnibus.EventBus;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Exposes channels of an {@link EventBus} to browsers as Server-Sent Events ({@code text/event-stream}), on the JDK's
 * HTTP server ({@code com.sun.net.httpserver}).
 *
 * <pre>{@code
 * try (SseBridge bridge = SseBridge.builder(bus)
 *     .stream("/events/orders", "orders")                                   // every event of channel orders
 *     .stream("/events/paid", "orders", event -> event.getType().equals("com.example.order.paid.v1"))
 *     .authenticate(request -> request.header("Cookie").filter(sessions::valid).isPresent()
 *         ? SseAccess.granted() : SseAccess.denied(401, "log in first"))
 *     .replay(1000)                                                         // events kept per channel for resume
 *     .heartbeat(Duration.ofSeconds(15))
 *     .start(8080)) {
 *   ...
 * }
 * }</pre>
 *
 * <p>In the browser, {@code new EventSource("/events/orders")} gets one SSE event per CloudEvent: {@code id} is the
 * CloudEvents id, {@code event} its type (listen with {@code addEventListener(type, ...)}), {@code data} the whole
 * event in the CloudEvents JSON format, on one line. A browser that lost its connection reconnects by itself and sends
 * the id of the last event it saw ({@code Last-Event-ID}); the bridge resumes after it from its replay buffer. When
 * that id is not in the buffer (too old, or from before a restart) the stream starts with an {@code omnibus.reset}
 * event, {@code {"lastEventId":"...","replayed":n}}, followed by the whole buffer: events before those may be missing,
 * so the page should reload its state. Idle streams carry a comment every heartbeat, which keeps proxies from closing
 * them and finds browsers that went away.
 *
 * <p>Each channel is one anonymous subscription of the bus, whose handler encodes an event once and offers it to
 * every client's bounded queue without waiting; a client whose queue is full is disconnected (counted in
 * {@link SseStats#dropped()}), and its browser reconnects and resumes from the buffer. A slow browser therefore never
 * slows the bus, and the bus never loses an event because of one.
 *
 * <p>Thread-safe. {@link #close()} is idempotent and bounded in time; it does not close the bus.
 */
public final class SseBridge implements AutoCloseable {

  private final List<ChannelFeed> feeds;
  private final List<StreamHandler> handlers;
  private final Counters counters;
  private final HttpServer server;
  private final @Nullable ExecutorService ownExecutor;
  private final Duration closeTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch closeDone = new CountDownLatch(1);

  private SseBridge(List<ChannelFeed> feeds, List<StreamHandler> handlers, Counters counters, HttpServer server,
      @Nullable ExecutorService ownExecutor, Duration closeTimeout) {
    this.feeds = feeds;
    this.handlers = handlers;
    this.counters = counters;
    this.server = server;
    this.ownExecutor = ownExecutor;
    this.closeTimeout = closeTimeout;
  }

  /** A builder of a bridge over this bus. */
  public static Builder builder(EventBus bus) {
    return new Builder(Objects.requireNonNull(bus, "bus"));
  }

  /** The address the server listens on; with {@code start(0)}, the port it was given. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** The port the server listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The counters now: clients connected, events received, delivered, clients dropped. */
  public SseStats stats() {
    return counters.snapshot();
  }

  /**
   * Ends every open stream, keeping the bridge running: browsers reconnect after their retry delay and resume from the
   * replay buffer. For shedding clients before a deployment, or onto other instances. Returns how many were open.
   */
  public int disconnectAll() {
    int count = 0;
    for (ChannelFeed feed : feeds) {
      for (ClientStream client : feed.clients()) {
        client.close();
        count++;
      }
    }
    return count;
  }

  /**
   * Stops: unsubscribes from the bus, ends every stream (browsers see the stream end and try to reconnect), and stops
   * the server when the bridge started it, or removes its paths from a server it was mounted on. Waits at most the
   * close timeout for the streams' writers. Idempotent; a second caller returns when the first is done.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      try {
        closeDone.await(closeTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    try {
      long deadline = System.nanoTime() + closeTimeout.toNanos();
      List<ClientStream> clients = new ArrayList<>();
      for (ChannelFeed feed : feeds) {
        clients.addAll(feed.close());
      }
      for (ClientStream client : clients) {
        client.close();
      }
      for (ClientStream client : clients) {
        if (!client.await(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))) {
          client.abort();
        }
      }
      if (ownExecutor != null) {
        server.stop(0);
        ownExecutor.shutdownNow();
      } else {
        for (StreamHandler handler : handlers) {
          removeContext(server, handler.path());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeDone.countDown();
    }
  }

  private static void removeContext(HttpServer server, String path) {
    try {
      server.removeContext(path);
    } catch (IllegalArgumentException alreadyRemoved) {
      // The application removed it itself.
    }
  }

  @Override
  public String toString() {
    return "SseBridge" + handlers.stream().map(StreamHandler::path).toList() + " on " + server.getAddress();
  }

  /**
   * Builds an {@link SseBridge}: its streams, then {@link #start(int)} on a server of its own or {@link #mount} on
   * the application's. Not thread-safe.
   */
  public static final class Builder {

    private record Stream(String path, String channel, Predicate<CloudEvent> filter) {}

    private final EventBus bus;
    private final Map<String, Stream> streams = new LinkedHashMap<>();
    private Function<SseRequest, SseAccess> authenticator = request -> SseAccess.granted();
    private final Set<String> allowedOrigins = new LinkedHashSet<>();
    private int replay = 1000;
    private int clientQueue = 1024;
    private Duration heartbeat = Duration.ofSeconds(15);
    private Duration retry = Duration.ofSeconds(2);
    private Duration closeTimeout = Duration.ofSeconds(5);
    private int backlog = 1024;

    private Builder(EventBus bus) {
      this.bus = bus;
    }

    /** Exposes every event of a channel at a path, e.g. {@code stream("/events/orders", "orders")}. */
    public Builder stream(String path, String channel) {
      return stream(path, channel, event -> true);
    }

    /**
     * Exposes the events of a channel that pass a filter at a path; several paths may show one channel, which the
     * bridge still consumes once. The filter runs on the bus's handler thread for every event: quick, never blocking.
     * Clients may narrow a stream further with query parameters: {@code ?type=a&type=b&subject=s}.
     */
    public Builder stream(String path, String channel, Predicate<CloudEvent> filter) {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(filter, "filter");
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("A stream's path starts with '/': " + path);
      }
      if (streams.containsKey(path)) {
        throw new IllegalArgumentException("Two streams at " + path + ": give each its own path");
      }
      streams.put(path, new Stream(path, channel, filter));
      return this;
    }

    /**
     * Decides for every request whether its stream opens, and which events it shows (see {@link SseAccess}). Called
     * on the HTTP server's executor before anything is sent; a hook that throws refuses the request with 500.
     * Default: every request is granted.
     */
    public Builder authenticate(Function<SseRequest, SseAccess> authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
      return this;
    }

    /**
     * Allows pages of these origins to read the streams across origins (CORS), e.g.
     * {@code allowOrigin("https://app.example.com")}; {@code "*"} allows any. Credentials (cookies) are allowed, so
     * {@code new EventSource(url, {withCredentials: true})} works. Default: same origin only.
     */
    public Builder allowOrigin(String... origins) {
      for (String origin : origins) {
        allowedOrigins.add(Objects.requireNonNull(origin, "origin"));
      }
      return this;
    }

    /**
     * How many of a channel's last events are kept for resuming with {@code Last-Event-ID} (default 1000; 0 keeps
     * none, so every resume starts with the reset notice). The buffer counts the channel's events before any filter.
     */
    public Builder replay(int events) {
      if (events < 0) {
        throw new IllegalArgumentException("replay must not be negative, not " + events);
      }
      this.replay = events;
      return this;
    }

    /**
     * How many events may wait for one client (default 1024). A client that falls further behind is disconnected;
     * its browser reconnects and resumes from the replay buffer, so make this at most the replay size.
     */
    public Builder clientQueue(int events) {
      if (events < 1) {
        throw new IllegalArgumentException("clientQueue must be at least 1, not " + events);
      }
      this.clientQueue = events;
      return this;
    }

    /** How long a stream may stay silent before the bridge writes a comment on it (default 15 s). */
    public Builder heartbeat(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("heartbeat must be positive, not " + interval);
      }
      this.heartbeat = interval;
      return this;
    }

    /**
     * The reconnection delay sent to browsers at the start of every stream (SSE's {@code retry} field; default 2 s;
     * zero sends none, leaving the browser's own, about 3 s).
     */
    public Builder retry(Duration delay) {
      if (delay.isNegative()) {
        throw new IllegalArgumentException("retry must not be negative, not " + delay);
      }
      this.retry = delay;
      return this;
    }

    /** How long {@link SseBridge#close()} waits for the streams' writers (default 5 s). */
    public Builder closeTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("closeTimeout must not be negative, not " + timeout);
      }
      this.closeTimeout = timeout;
      return this;
    }

    /** The listen backlog of a server the bridge starts (default 1024): connections waiting to be accepted. */
    public Builder backlog(int backlog) {
      if (backlog < 1) {
        throw new IllegalArgumentException("backlog must be at least 1, not " + backlog);
      }
      this.backlog = backlog;
      return this;
    }

    /** Starts a server of its own on every interface at this port (0: any free port; see {@link SseBridge#port()}). */
    public SseBridge start(int port) {
      return start(new InetSocketAddress(port));
    }

    /**
     * Starts a server of its own at this address, subscribes to the channels, and serves the streams.
     *
     * @throws UncheckedIOException when the address cannot be bound
     * @throws dev.omnibus.ConfigurationException when a channel is unknown to the bus
     */
    public SseBridge start(InetSocketAddress address) {
      Objects.requireNonNull(address, "address");
      checkStreams();
      HttpServer server;
      try {
        server = HttpServer.create(address, backlog);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot listen for SSE clients at " + address + ": " + e.getMessage(), e);
      }
      AtomicInteger threads = new AtomicInteger();
      ExecutorService executor = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "omnibus-sse-http-" + threads.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      });
      server.setExecutor(executor);
      try {
        SseBridge bridge = wire(server, executor);
        server.start();
        return bridge;
      } catch (RuntimeException e) {
        server.stop(0);
        executor.shutdownNow();
        throw e;
      }
    }

    /**
     * Adds the streams to the application's server, which keeps serving its other paths; {@link SseBridge#close()}
     * removes them again and leaves the server running. Give the server an executor
     * ({@link HttpServer#setExecutor}) when the authentication hook may take time; streams are written by threads of
     * the bridge, never the server's.
     *
     * @throws dev.omnibus.ConfigurationException when a channel is unknown to the bus
     */
    public SseBridge mount(HttpServer server) {
      Objects.requireNonNull(server, "server");
      checkStreams();
      return wire(server, null);
    }

    private void checkStreams() {
      if (streams.isEmpty()) {
        throw new IllegalStateException("No stream: add one with stream(path, channel)");
      }
    }

    private SseBridge wire(HttpServer server, @Nullable ExecutorService executor) {
      Counters counters = new Counters();
      StreamHandler.Settings settings = new StreamHandler.Settings(authenticator, Set.copyOf(allowedOrigins),
          clientQueue, heartbeat.toNanos(), SseFrame.preamble(retry), counters);
      Map<String, ChannelFeed> feeds = new LinkedHashMap<>();
      List<StreamHandler> handlers = new ArrayList<>();
      for (Stream stream : streams.values()) {
        ChannelFeed feed = feeds.computeIfAbsent(stream.channel(), channel -> new ChannelFeed(channel, replay,
            counters));
        handlers.add(new StreamHandler(stream.path(), feed, stream.filter(), settings));
      }
      List<StreamHandler> mounted = new ArrayList<>();
      try {
        for (ChannelFeed feed : feeds.values()) {
          feed.open(bus);
        }
        for (StreamHandler handler : handlers) {
          server.createContext(handler.path(), handler);
          mounted.add(handler);
        }
      } catch (RuntimeException e) {
        for (ChannelFeed feed : feeds.values()) {
          feed.close();
        }
        for (StreamHandler handler : mounted) {
          removeContext(server, handler.path());
        }
        throw e;
      }
      return new SseBridge(List.copyOf(feeds.values()), List.copyOf(handlers), counters, server, executor,
          closeTimeout);
    }
  }
}
