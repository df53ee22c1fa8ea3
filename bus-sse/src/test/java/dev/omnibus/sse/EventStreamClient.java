package dev.omnibus.sse;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscribers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A Server-Sent Events reader for the tests, on the JDK's HttpClient: parses the stream as a browser does (fields,
 * comments, a blank line dispatches) and keeps every event it got, in order. Thread-safe.
 */
final class EventStreamClient implements AutoCloseable {

  /** One dispatched event; {@code id} is the last event id when it was dispatched, as a browser's. */
  record SseEvent(String id, String event, String data) {}

  private final Object lock = new Object();
  private final List<SseEvent> events = new ArrayList<>();
  private final AtomicInteger comments = new AtomicInteger();
  private final CompletableFuture<HttpResponse.ResponseInfo> head = new CompletableFuture<>();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private volatile Flow.@Nullable Subscription subscription;
  private volatile @Nullable String retry;
  // Parser state, touched only by the HttpClient's delivery of lines (one at a time).
  private String lastEventId = "";
  private String eventName = "";
  private @Nullable StringBuilder data;

  private EventStreamClient() {}

  /** Opens a stream; returns at once, the response arriving later ({@link #status()}). */
  static EventStreamClient open(HttpClient http, URI uri, Map<String, String> headers) {
    EventStreamClient client = new EventStreamClient();
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
        .timeout(Duration.ofSeconds(60));
    headers.forEach(request::header);
    http.sendAsync(request.build(), info -> {
      client.head.complete(info);
      return BodySubscribers.fromLineSubscriber(client.new Lines());
    }).whenComplete((response, failure) -> client.ended.complete(null));
    return client;
  }

  static EventStreamClient open(HttpClient http, URI uri) {
    return open(http, uri, Map.of());
  }

  int status() {
    return head.join().statusCode();
  }

  HttpHeaders headers() {
    return head.join().headers();
  }

  List<SseEvent> events() {
    synchronized (lock) {
      return List.copyOf(events);
    }
  }

  int eventCount() {
    synchronized (lock) {
      return events.size();
    }
  }

  List<String> ids() {
    return events().stream().map(SseEvent::id).toList();
  }

  int comments() {
    return comments.get();
  }

  @Nullable String retry() {
    return retry;
  }

  /** Whether the stream has ended (the server closed it, or it failed). */
  boolean ended() {
    return ended.isDone();
  }

  @Override
  public void close() {
    Flow.Subscription current = subscription;
    if (current != null) {
      current.cancel();
    }
  }

  private final class Lines implements Flow.Subscriber<String> {

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      if (line.isEmpty()) {
        dispatch();
        return;
      }
      if (line.startsWith(":")) {
        comments.incrementAndGet();
        return;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "id" -> lastEventId = value;
        case "event" -> eventName = value;
        case "retry" -> retry = value;
        case "data" -> {
          if (data == null) {
            data = new StringBuilder(value);
          } else {
            data.append('\n').append(value);
          }
        }
        default -> { }
      }
    }

    private void dispatch() {
      if (data != null) {
        SseEvent event = new SseEvent(lastEventId, eventName.isEmpty() ? "message" : eventName, data.toString());
        synchronized (lock) {
          events.add(event);
        }
      }
      data = null;
      eventName = "";
    }

    @Override
    public void onError(Throwable throwable) {
      ended.complete(null);
    }

    @Override
    public void onComplete() {
      ended.complete(null);
    }
  }
}
