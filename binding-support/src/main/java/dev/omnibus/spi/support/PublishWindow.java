package dev.omnibus.spi.support;

import dev.omnibus.PublishException;
import dev.omnibus.TransportClosedException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Flow control for publishing that never blocks the sender: {@code Transport.send} hands its message to
 * {@link #send} and returns the stage at once.
 *
 * <p>At most {@link Builder#window(int) window} sends are handed to the broker and unconfirmed at once (the broker's
 * Receive Maximum, a publisher-confirm window); the others are <em>held</em>, in send order, in a bounded queue: while
 * the window is full, and while the connection is down or recovering, so that nothing sent during a broker restart
 * is refused or lost. They go out in order as confirmations free the window and once the connection is back
 * ({@link #resume()}). A send held longer than the {@link Limits#hold() hold} fails with a {@link PublishException}
 * ({@link #expire(long)}), so none waits forever for a connection that does not come back; a send that finds
 * {@link Limits#maxHeld()} sends held already fails at once, as does every send after {@link #close()}.
 *
 * <p>The binding's part is the {@link Dispatcher}, which hands one send to the broker and later settles it with
 * {@link Send#confirmed()} or {@link Send#failed}. It runs on the {@link Builder#dispatchOn(Executor) dispatch
 * executor}, one send at a time, in send order: the caller's thread by default, for a client whose publish does not
 * block (paho); a worker of the binding's for one that may (amqp-client writes to the socket and declares exchanges).
 *
 * <pre>{@code
 * PublishWindow<Outgoing> window = PublishWindow.builder(serverName, this::dispatch)
 *     .window(settings.confirmWindow())
 *     .limits(PublishWindow.Limits.read(options))
 *     .connected(() -> connection.isOpen())
 *     .dispatchOn(workers)
 *     .completeOn(workers)
 *     .closedFailure(() -> TransportClosedException.of("The transport for server '" + serverName + "'"))
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe: send, resume, expire, close and the settlements of sends come from any thread.
 *
 * @param <T> what the binding needs to publish one send (a topic and a message, a route and properties)
 */
public final class PublishWindow<T> {

  /** The option bounding how long a send may be held: {@code x-omnibus-send-hold-timeout}. */
  public static final String HOLD_OPTION = "send-hold-timeout";

  /** The option bounding how many sends may be held at once: {@code x-omnibus-max-held-sends}. */
  public static final String MAX_HELD_OPTION = "max-held-sends";

  /** Hands sends to the broker: the binding's part of the window. */
  @FunctionalInterface
  public interface Dispatcher<T> {
    /**
     * Hands one send to the broker, which later confirms it ({@link Send#confirmed()}) or not ({@link Send#failed});
     * a send that fails at once is settled here. Called on the dispatch executor, one send at a time, in send order.
     *
     * @return false, without settling the send, only when it did not reach the broker because the connection is down:
     *     it is then held again, first in line, and the window dispatches nothing more until {@link #resume()}
     */
    boolean dispatch(Send<T> send);
  }

  /**
   * How long and how many sends may be held.
   *
   * @param maxHeld how many sends may be held at once; one more fails at once
   * @param hold how long a send may be held before it fails
   */
  public record Limits(int maxHeld, Duration hold) {

    /**
     * The defaults: 100,000 sends (a sender publishing in a loop without awaiting its stages is not refused before the
     * broker can take them), 30 seconds (a broker restart).
     */
    public static final Limits DEFAULT = new Limits(100_000, Duration.ofSeconds(30));

    /** Checks the values. */
    public Limits {
      if (maxHeld < 1) {
        throw new IllegalArgumentException("maxHeld must be 1 or more, was " + maxHeld);
      }
      if (hold.isNegative() || hold.isZero()) {
        throw new IllegalArgumentException("hold must be positive, was " + hold);
      }
    }

    /**
     * Reads {@code x-omnibus-max-held-sends} (1 to 10,000,000) and {@code x-omnibus-send-hold-timeout}, defaulting to
     * {@link #DEFAULT}; problems go to the reader.
     *
     * @param formerHoldKeys former spellings of the hold timeout that the binding still reads (see
     *     {@link OptionReader#duration})
     */
    public static Limits read(OptionReader options, String... formerHoldKeys) {
      int maxHeld = options.integer(MAX_HELD_OPTION, DEFAULT.maxHeld(), 1, 10_000_000);
      Duration hold = options.duration(HOLD_OPTION, DEFAULT.hold(), formerHoldKeys);
      return new Limits(maxHeld, hold);
    }
  }

  /**
   * One send, from {@link PublishWindow#send} until the broker confirmed it or it failed. The binding settles it once
   * it dispatched it; the first settlement counts, later ones are ignored. Thread-safe.
   *
   * @param <T> what the binding publishes
   */
  public static final class Send<T> {
    private final PublishWindow<T> window;
    private final String channel;
    private final T payload;
    private final long sentNanos;
    private final CompletableFuture<Void> result = new CompletableFuture<>();
    private final AtomicBoolean settled = new AtomicBoolean();
    private final AtomicBoolean holdsPermit = new AtomicBoolean();

    private Send(PublishWindow<T> window, String channel, T payload, long sentNanos) {
      this.window = window;
      this.channel = channel;
      this.payload = payload;
      this.sentNanos = sentNanos;
    }

    /** The channel (or address) the send is for, as its {@link PublishException}s name it. */
    public String channel() {
      return channel;
    }

    /** What the binding publishes. */
    public T payload() {
      return payload;
    }

    /** The broker confirmed the message: the sender's stage completes. */
    public void confirmed() {
      settle(null);
    }

    /** The send failed with the binding's own exception (a {@link PublishException}, a closed transport). */
    public void failed(RuntimeException failure) {
      settle(failure);
    }

    /**
     * The send failed: the sender's stage fails with a {@link PublishException} naming the channel, the server and the
     * reason.
     */
    public void failed(String reason, @Nullable Throwable cause) {
      settle(cause == null
          ? PublishException.of(channel, window.server, reason)
          : PublishException.of(channel, window.server, reason, cause));
    }

    /** Whether the send was confirmed or failed. */
    public boolean isSettled() {
      return settled.get();
    }

    private void settle(@Nullable RuntimeException failure) {
      if (settled.compareAndSet(false, true)) {
        window.settled(this, failure);
      }
    }
  }

  private final String server;
  private final Dispatcher<T> dispatcher;
  private final BooleanSupplier connected;
  private final Executor dispatchExecutor;
  private final Executor completions;
  private final Limits limits;
  private final Supplier<RuntimeException> closedFailure;
  private final Object lock = new Object();
  private final ArrayDeque<Send<T>> queue = new ArrayDeque<>(); // guarded by lock
  private int window; // guarded by lock
  private int available; // guarded by lock
  private boolean paused; // guarded by lock: a dispatch found the connection down; resume() lifts it
  private boolean closed; // guarded by lock
  private final Set<Send<T>> inFlight = ConcurrentHashMap.newKeySet();
  private final InFlight accepted = new InFlight();
  private final AtomicInteger wip = new AtomicInteger();

  private PublishWindow(Builder<T> builder) {
    this.server = builder.server;
    this.dispatcher = builder.dispatcher;
    this.connected = builder.connected;
    this.dispatchExecutor = builder.dispatchExecutor;
    this.completions = builder.completions;
    this.limits = builder.limits;
    this.closedFailure = builder.closedFailure;
    this.window = builder.window;
    this.available = builder.window;
  }

  /**
   * A window for the given server that hands sends to the dispatcher.
   *
   * @param server the server's name in the document, for the messages of {@link PublishException}s
   */
  public static <T> Builder<T> builder(String server, Dispatcher<T> dispatcher) {
    return new Builder<>(server, dispatcher);
  }

  /**
   * Accepts a send and returns its stage at once: it is dispatched now if the connection is up, the window has room
   * and nothing is held before it, else held in order. Never blocks on the broker (unless the dispatch executor is the
   * caller's thread and the dispatcher blocks).
   *
   * @param channel the channel (or address) for the messages of the send's {@link PublishException}
   * @param payload what the dispatcher publishes
   * @return completes when the broker confirmed the message; fails with a {@link PublishException} (or the closed
   *     failure once closed)
   */
  public CompletionStage<Void> send(String channel, T payload) {
    Send<T> send = new Send<>(this, channel, payload, System.nanoTime());
    accepted.begin();
    RuntimeException refused = null;
    boolean room = false;
    synchronized (lock) {
      if (closed) {
        refused = closedFailure.get();
      } else if (queue.size() >= limits.maxHeld()) {
        refused = PublishException.of(channel, server, limits.maxHeld() + " sends are held already ("
            + waitingFor() + "); publish more slowly, or raise x-omnibus-" + MAX_HELD_OPTION);
      } else {
        queue.addLast(send);
        // Behind a full window (or a pause) the send waits for the settlement (or resume()) that frees its place,
        // which drains then: a drain now would only wake a dispatch worker to find no room.
        room = available > 0 && !paused;
      }
    }
    if (refused != null) {
      send.failed(refused);
    } else if (room) {
      drain();
    }
    return send.result;
  }

  /**
   * Sets how many sends may be unconfirmed at once (a window of 0 holds every send), e.g. once the broker said its
   * Receive Maximum; sends already out count against the new size.
   */
  public void resize(int size) {
    if (size < 0) {
      throw new IllegalArgumentException("the window must be 0 or more, was " + size);
    }
    synchronized (lock) {
      available += size - window;
      window = size;
    }
    drain();
  }

  /**
   * The connection is back (or may be): dispatches the held sends in order. Call after a reconnect or a recovery, and
   * now and then in case one went unnoticed.
   */
  public void resume() {
    synchronized (lock) {
      paused = false;
    }
    drain();
  }

  /**
   * Fails the sends held since longer than the hold, oldest first, with a {@link PublishException} naming
   * {@code x-omnibus-send-hold-timeout}; returns how many are still held. Call periodically (every second or so);
   * the time is passed in so that tests need not wait.
   *
   * @param nowNanos the current {@link System#nanoTime()}
   */
  public int expire(long nowNanos) {
    List<Send<T>> expired = new ArrayList<>();
    int left;
    String waitingFor;
    synchronized (lock) {
      // Held in send order; a send held again after a dispatch that found the connection down is older still.
      for (Send<T> head; (head = queue.peekFirst()) != null && nowNanos - head.sentNanos >= limits.hold().toNanos(); ) {
        expired.add(queue.pollFirst());
      }
      left = queue.size();
      waitingFor = waitingFor();
    }
    String reason = "held for " + limits.hold().toMillis() + " ms (x-omnibus-" + HOLD_OPTION + ") " + waitingFor;
    expired.forEach(send -> send.failed(reason, null));
    return left;
  }

  /**
   * Fails every dispatched send not yet confirmed, e.g. when the connection was lost and their confirmations cannot
   * come: the broker may or may not have them, so their senders publish again.
   */
  public void failInFlight(String reason, @Nullable Throwable cause) {
    for (Send<T> send : List.copyOf(inFlight)) {
      send.failed(reason, cause);
    }
  }

  /**
   * Waits until every send accepted so far is confirmed or failed, at most the timeout; returns whether all were. For
   * {@code Transport.flush}.
   */
  public boolean flush(Duration timeout) {
    return accepted.await(timeout);
  }

  /**
   * Refuses further sends and fails the held ones with the closed failure. Sends already dispatched are left to the
   * binding, which may still settle them (or {@link #failInFlight fail} them). Idempotent.
   */
  public void close() {
    List<Send<T>> held;
    synchronized (lock) {
      closed = true;
      held = new ArrayList<>(queue);
      queue.clear();
    }
    held.forEach(send -> send.failed(closedFailure.get()));
  }

  /** How many sends are held now. */
  public int held() {
    synchronized (lock) {
      return queue.size();
    }
  }

  /** How many sends are dispatched and not yet settled. */
  public int inFlight() {
    return inFlight.size();
  }

  // Guarded by lock.
  private String waitingFor() {
    return paused || !connected.getAsBoolean()
        ? "while the connection to the broker was down or recovering"
        : "behind " + window + " sends awaiting the broker's confirmation: the broker is slow or overloaded";
  }

  private void settled(Send<T> send, @Nullable RuntimeException failure) {
    boolean released = send.holdsPermit.compareAndSet(true, false);
    // Whether the freed place lets a held send go. Usually none is held (the window has room), and a drain then
    // would only wake a dispatch worker to find nothing to do, once per burst of confirms. A send accepted after
    // this look drains on its own.
    boolean held = false;
    if (released) {
      inFlight.remove(send);
      synchronized (lock) {
        available++;
        held = !queue.isEmpty();
      }
    }
    accepted.end();
    Runnable completion = failure == null
        ? () -> send.result.complete(null)
        : () -> send.result.completeExceptionally(failure);
    try {
      completions.execute(completion);
    } catch (RejectedExecutionException e) {
      completion.run();
    }
    if (held) {
      drain();
    }
  }

  // Queue-drain: one thread at a time moves sends into the window; a drain() while another runs makes that one loop
  // again. No recursion, however many settlements happen while draining.
  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    try {
      dispatchExecutor.execute(this::drainLoop);
    } catch (RejectedExecutionException e) {
      // The binding is closing: close() fails what is held.
      wip.set(0);
    }
  }

  private void drainLoop() {
    int missed = 1;
    do {
      while (true) {
        Send<T> next;
        synchronized (lock) {
          if (closed || paused || available <= 0 || queue.isEmpty() || !connected.getAsBoolean()) {
            break;
          }
          next = queue.pollFirst();
          available--;
          next.holdsPermit.set(true);
          inFlight.add(next);
        }
        boolean handed;
        try {
          handed = dispatcher.dispatch(next);
        } catch (RuntimeException e) {
          next.failed(Causes.message(e), e);
          handed = true;
        }
        if (!handed) {
          holdAgain(next);
          break;
        }
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void holdAgain(Send<T> send) {
    if (!send.holdsPermit.compareAndSet(true, false)) {
      return; // settled meanwhile after all
    }
    inFlight.remove(send);
    boolean closedNow;
    synchronized (lock) {
      available++;
      closedNow = closed;
      if (!closedNow) {
        queue.addFirst(send);
        paused = true;
      }
    }
    if (closedNow) {
      send.failed(closedFailure.get());
    }
  }

  /**
   * Builds a {@link PublishWindow}. Not thread-safe.
   *
   * @param <T> what the binding publishes
   */
  public static final class Builder<T> {
    private final String server;
    private final Dispatcher<T> dispatcher;
    private int window;
    private Limits limits = Limits.DEFAULT;
    private BooleanSupplier connected = () -> true;
    private Executor dispatchExecutor = Runnable::run;
    private Executor completions = Runnable::run;
    private Supplier<RuntimeException> closedFailure;

    private Builder(String server, Dispatcher<T> dispatcher) {
      this.server = server;
      this.dispatcher = dispatcher;
      this.closedFailure = () -> TransportClosedException.of("The transport for server '" + server + "'");
    }

    /** How many sends may be unconfirmed at once; 0 (the default) until {@link PublishWindow#resize}. */
    public Builder<T> window(int size) {
      if (size < 0) {
        throw new IllegalArgumentException("the window must be 0 or more, was " + size);
      }
      this.window = size;
      return this;
    }

    /** How many sends may be held, and for how long; {@link Limits#DEFAULT} by default. */
    public Builder<T> limits(Limits limits) {
      this.limits = limits;
      return this;
    }

    /** Whether the connection is up: sends are dispatched only then. Always, by default. */
    public Builder<T> connected(BooleanSupplier connected) {
      this.connected = connected;
      return this;
    }

    /** Where the dispatcher runs; the thread that sends or settles, by default. */
    public Builder<T> dispatchOn(Executor executor) {
      this.dispatchExecutor = executor;
      return this;
    }

    /** Where the senders' stages complete; the thread that settles, by default. */
    public Builder<T> completeOn(Executor executor) {
      this.completions = executor;
      return this;
    }

    /** The failure of a send after {@link PublishWindow#close()}; a {@link TransportClosedException} by default. */
    public Builder<T> closedFailure(Supplier<RuntimeException> failure) {
      this.closedFailure = failure;
      return this;
    }

    /** The window. */
    public PublishWindow<T> build() {
      return new PublishWindow<>(this);
    }
  }
}
