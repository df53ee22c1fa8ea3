package dev.omnibus.sse;

import dev.omnibus.EventBus;
import dev.omnibus.RawEventHandler;
import dev.omnibus.Subscription;
import io.cloudevents.CloudEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel of the bus as the bridge sees it: one anonymous subscription, the replay buffer of its last events, and
 * the clients streaming it. The bus's handler thread only encodes the event once and offers it to each client's
 * bounded queue; a client whose queue is full is dropped, so the handler never waits for a browser.
 *
 * <p>Thread-safe: the buffer and the client set change under one private lock, so a client attaching gets, with no gap
 * and no duplicate, the buffered events after its last one and then every later event.
 */
final class ChannelFeed implements RawEventHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ChannelFeed.class);

  /** Where a new stream starts: the buffered events to write first, and whether its last event id was unknown. */
  record Resume(List<SseFrame> frames, boolean reset) {}

  private final String channel;
  private final int replayCapacity;
  private final Counters counters;
  private final Object lock = new Object();
  private final ArrayDeque<SseFrame> replay;
  private final Set<ClientStream> clients = new LinkedHashSet<>();
  private @Nullable Subscription subscription;
  private boolean closed;

  ChannelFeed(String channel, int replayCapacity, Counters counters) {
    this.channel = channel;
    this.replayCapacity = replayCapacity;
    this.counters = counters;
    this.replay = new ArrayDeque<>(Math.min(replayCapacity, 4096));
  }

  String channel() {
    return channel;
  }

  /** Subscribes to the channel; events published from now on reach the clients. */
  void open(EventBus bus) {
    subscription = bus.subscribe(channel, null, this);
  }

  @Override
  public void handle(CloudEvent event) {
    SseFrame frame;
    try {
      frame = SseFrame.of(event);
    } catch (RuntimeException e) {
      // Returning acknowledges it: a bridge has no better place to put an event it cannot show.
      LOG.warn("Event {} of channel '{}' cannot be written as an SSE event and is skipped: {}", event.getId(), channel,
          e.getMessage());
      return;
    }
    counters.received.increment();
    List<ClientStream> slow = null;
    synchronized (lock) {
      if (replayCapacity > 0) {
        if (replay.size() == replayCapacity) {
          replay.removeFirst();
        }
        replay.addLast(frame);
      }
      for (ClientStream client : clients) {
        if (!client.offer(frame)) {
          if (slow == null) {
            slow = new ArrayList<>();
          }
          slow.add(client);
        }
      }
      if (slow != null) {
        clients.removeAll(slow);
      }
    }
    if (slow != null) {
      for (ClientStream client : slow) {
        client.drop();
      }
    }
  }

  /**
   * Adds a client, and tells it where to start: with no last event id, at the next event; with one found in the
   * buffer, after it; with one not found (too old, or from before a restart), at the start of the buffer, after a
   * reset notice. Returns {@code null} once the feed is closed.
   */
  @Nullable Resume attach(ClientStream client, @Nullable String lastEventId) {
    synchronized (lock) {
      if (closed) {
        return null;
      }
      clients.add(client);
      if (lastEventId == null) {
        return new Resume(List.of(), false);
      }
      List<SseFrame> after = new ArrayList<>();
      boolean found = false;
      for (Iterator<SseFrame> it = replay.descendingIterator(); it.hasNext(); ) {
        SseFrame frame = it.next();
        if (frame.id().equals(lastEventId)) {
          found = true;
          break;
        }
        after.add(frame);
      }
      Collections.reverse(after);
      return new Resume(after, !found);
    }
  }

  void detach(ClientStream client) {
    synchronized (lock) {
      clients.remove(client);
    }
  }

  /** The clients streaming now. */
  List<ClientStream> clients() {
    synchronized (lock) {
      return new ArrayList<>(clients);
    }
  }

  /** Unsubscribes and refuses new clients; returns the clients still attached, for the bridge to close. */
  List<ClientStream> close() {
    Subscription current;
    List<ClientStream> remaining;
    synchronized (lock) {
      closed = true;
      current = subscription;
      subscription = null;
      remaining = new ArrayList<>(clients);
    }
    if (current != null) {
      current.close();
    }
    return remaining;
  }
}
