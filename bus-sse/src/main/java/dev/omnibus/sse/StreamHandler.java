package dev.omnibus.sse;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the event streams of one path: CORS, the authentication hook, then a {@link ClientStream} attached to the
 * channel's feed. Runs on the HTTP server's executor and returns as soon as the stream is handed to its writer.
 * Thread-safe.
 */
final class StreamHandler implements HttpHandler {

  private static final Logger LOG = LoggerFactory.getLogger(StreamHandler.class);

  /** The configuration every stream of a bridge shares. */
  record Settings(Function<SseRequest, SseAccess> authenticator, Set<String> allowedOrigins, int queueCapacity,
      long heartbeatNanos, byte[] preamble, Counters counters) {}

  private final String path;
  private final ChannelFeed feed;
  private final Predicate<CloudEvent> filter;
  private final Settings settings;

  StreamHandler(String path, ChannelFeed feed, Predicate<CloudEvent> filter, Settings settings) {
    this.path = path;
    this.feed = feed;
    this.filter = filter;
    this.settings = settings;
  }

  String path() {
    return path;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      open(exchange);
    } catch (IOException | RuntimeException e) {
      LOG.debug("An SSE request to {} failed", path, e);
      exchange.close();
    }
  }

  private void open(HttpExchange exchange) throws IOException {
    // The server's context matches by prefix; a stream is its exact path.
    if (!exchange.getRequestURI().getPath().equals(path)) {
      respond(exchange, 404, "No event stream at " + exchange.getRequestURI().getPath());
      return;
    }
    allowOrigin(exchange);
    String method = exchange.getRequestMethod();
    if (method.equals("OPTIONS")) {
      Headers headers = exchange.getResponseHeaders();
      headers.set("Access-Control-Allow-Methods", "GET");
      headers.set("Access-Control-Allow-Headers", "Last-Event-ID, Cache-Control, Authorization");
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
      return;
    }
    if (!method.equals("GET")) {
      exchange.getResponseHeaders().set("Allow", "GET, OPTIONS");
      respond(exchange, 405, "An event stream is read with GET");
      return;
    }
    SseRequest request = new SseRequest(exchange);
    SseAccess access;
    try {
      access = Objects.requireNonNull(settings.authenticator().apply(request), "the authentication hook's answer");
    } catch (RuntimeException e) {
      LOG.warn("The SSE authentication hook failed on {}: the request is refused with 500", path, e);
      respond(exchange, 500, "The authentication hook failed");
      return;
    }
    if (!access.isGranted()) {
      settings.counters().refused.increment();
      respond(exchange, access.status().orElse(403), access.message());
      return;
    }
    Predicate<CloudEvent> seen = filter.and(queryFilter(request));
    if (access.filter().isPresent()) {
      seen = seen.and(access.filter().get());
    }
    Headers headers = exchange.getResponseHeaders();
    headers.set("Content-Type", "text/event-stream; charset=utf-8");
    headers.set("Cache-Control", "no-store");
    headers.set("X-Accel-Buffering", "no"); // nginx and alike: pass each event on at once
    String lastEventId = request.lastEventId().orElse(null);
    ClientStream client = new ClientStream(exchange, seen, settings.queueCapacity(), settings.heartbeatNanos(),
        settings.preamble(), settings.counters(), lastEventId);
    exchange.sendResponseHeaders(200, 0);
    ChannelFeed.Resume resume = feed.attach(client, lastEventId);
    if (resume == null) { // the bridge closed meanwhile
      exchange.close();
      return;
    }
    client.start(feed, resume);
  }

  /** The client's own narrowing: {@code ?type=a&type=b&subject=s} keeps events of those types and subjects. */
  private static Predicate<CloudEvent> queryFilter(SseRequest request) {
    List<String> types = request.queryValues("type");
    List<String> subjects = request.queryValues("subject");
    return event -> (types.isEmpty() || types.contains(event.getType()))
        && (subjects.isEmpty() || subjects.contains(event.getSubject()));
  }

  private void allowOrigin(HttpExchange exchange) {
    String origin = exchange.getRequestHeaders().getFirst("Origin");
    Set<String> allowed = settings.allowedOrigins();
    if (origin == null || allowed.isEmpty()) {
      return;
    }
    Headers headers = exchange.getResponseHeaders();
    headers.add("Vary", "Origin");
    if (allowed.contains(origin) || allowed.contains("*")) {
      // The origin itself rather than "*": EventSource's withCredentials requires it.
      headers.set("Access-Control-Allow-Origin", origin);
      headers.set("Access-Control-Allow-Credentials", "true");
    }
  }

  static void respond(HttpExchange exchange, int status, String message) throws IOException {
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
