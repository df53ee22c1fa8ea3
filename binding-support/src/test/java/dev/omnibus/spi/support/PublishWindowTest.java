package dev.omnibus.spi.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.PublishException;
import dev.omnibus.TransportClosedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The publish window without a broker: a scripted dispatcher stands for the client, the connection is a flag, and
 * time is passed in.
 */
class PublishWindowTest {

  private static final Duration HOLD = Duration.ofSeconds(30);

  private final AtomicBoolean connected = new AtomicBoolean(true);
  /** What was handed to the "broker", in order, and not yet settled by the test. */
  private final List<PublishWindow.Send<String>> dispatched = new ArrayList<>();
  private final List<String> published = new ArrayList<>();
  /** Sends the dispatcher reports as not handed over (the connection dropped under them), once each. */
  private final Set<String> dropOnce = new HashSet<>();
  private final List<ExecutorService> executors = new ArrayList<>();

  private PublishWindow.Builder<String> builder() {
    return PublishWindow.<String>builder("prod", send -> {
      if (dropOnce.remove(send.payload())) {
        connected.set(false);
        return false;
      }
      published.add(send.payload());
      dispatched.add(send);
      return true;
    }).window(2).limits(new PublishWindow.Limits(3, HOLD)).connected(connected::get);
  }

  private final PublishWindow<String> window = builder().build();

  /** A window that runs its dispatches at once and counts them. */
  private PublishWindow<String> countingDispatches(AtomicInteger dispatches) {
    return builder().dispatchOn(task -> {
      dispatches.incrementAndGet();
      task.run();
    }).build();
  }

  @AfterEach
  void stopExecutors() {
    executors.forEach(ExecutorService::shutdownNow);
  }

  private void confirmAll() {
    List<PublishWindow.Send<String>> sends = new ArrayList<>(dispatched);
    dispatched.clear();
    sends.forEach(PublishWindow.Send::confirmed);
  }

  private static Throwable failureOf(CompletionStage<Void> stage) {
    return assertThatThrownBy(() -> stage.toCompletableFuture().join())
        .isInstanceOf(CompletionException.class).actual().getCause();
  }

  @Test
  void aSendWithRoomIsDispatchedAtOnceAndCompletesOnlyWhenConfirmed() {
    CompletionStage<Void> stage = window.send("orders", "a");

    assertThat(published).containsExactly("a");
    assertThat(stage.toCompletableFuture()).isNotDone();

    confirmAll();
    assertThat(stage.toCompletableFuture()).isCompleted();
  }

  @Test
  void atMostTheWindowIsUnconfirmedAndTheRestGoesOutInOrderAsConfirmsCome() {
    window.send("orders", "a");
    window.send("orders", "b");
    window.send("orders", "c");
    CompletionStage<Void> d = window.send("orders", "d");

    assertThat(published).containsExactly("a", "b");
    assertThat(window.held()).isEqualTo(2);
    assertThat(d.toCompletableFuture()).isNotDone();

    dispatched.remove(0).confirmed();
    assertThat(published).containsExactly("a", "b", "c");

    confirmAll();
    assertThat(published).containsExactly("a", "b", "c", "d");
    confirmAll();
    assertThat(d.toCompletableFuture()).isCompleted();
  }

  @Test
  void aConfirmWithNothingHeldWakesNoDispatcher() {
    // A dispatch executor is a worker hand-off per call on RabbitMQ: one per burst of confirms finding nothing to send
    // cost as much as the burst's completions.
    AtomicInteger dispatches = new AtomicInteger();
    PublishWindow<String> counted = countingDispatches(dispatches);
    counted.send("orders", "a");
    counted.send("orders", "b");
    assertThat(dispatches).hasValue(2);

    confirmAll();
    assertThat(dispatches).hasValue(2);

    counted.send("orders", "c");
    assertThat(published).containsExactly("a", "b", "c");
  }

  @Test
  void aSendBehindAFullWindowWakesNoDispatcherUntilAConfirmFreesItsPlace() {
    AtomicInteger dispatches = new AtomicInteger();
    PublishWindow<String> counted = countingDispatches(dispatches);
    counted.send("orders", "a");
    counted.send("orders", "b");
    counted.send("orders", "c"); // held: the window is 2
    assertThat(dispatches).hasValue(2);

    dispatched.remove(0).confirmed();

    assertThat(published).containsExactly("a", "b", "c");
    assertThat(dispatches).hasValue(3);
  }

  @Test
  void sendsWhileDisconnectedAreHeldThenDispatchedInOrderOnResume() {
    connected.set(false);
    CompletionStage<Void> a = window.send("orders", "a");
    window.send("orders", "b");
    assertThat(published).isEmpty();
    assertThat(a.toCompletableFuture()).isNotDone();

    connected.set(true);
    window.resume();

    assertThat(published).containsExactly("a", "b");
  }

  @Test
  void aSendMadeOnceTheConnectionIsBackGoesOutAfterTheHeldOnes() {
    connected.set(false);
    window.send("orders", "held");
    connected.set(true);

    window.send("orders", "later");

    assertThat(published).containsExactly("held", "later");
  }

  @Test
  void aSendTheDispatcherCouldNotHandOverIsHeldAgainFirstUntilResume() {
    dropOnce.add("a");
    window.send("orders", "a");
    window.send("orders", "b");
    assertThat(published).isEmpty();
    assertThat(window.held()).isEqualTo(2);
    assertThat(window.inFlight()).isZero();

    connected.set(true);
    window.send("orders", "c"); // paused: the window waits for resume(), whatever the flag says
    assertThat(published).isEmpty();

    window.resume();
    assertThat(published).containsExactly("a", "b");
  }

  @Test
  void aSendHeldLongerThanTheHoldFailsNamingTheOptionAndYoungerOnesStay() {
    connected.set(false);
    long start = System.nanoTime();
    CompletionStage<Void> old = window.send("orders", "old");

    assertThat(window.expire(start - 1)).isEqualTo(1);
    assertThat(old.toCompletableFuture()).isNotDone();

    assertThat(window.expire(System.nanoTime() + HOLD.toNanos())).isZero();
    assertThat(failureOf(old)).isInstanceOf(PublishException.class)
        .hasMessageContaining("channel 'orders' on server 'prod'")
        .hasMessageContaining("30000 ms (x-omnibus-send-hold-timeout)")
        .hasMessageContaining("down or recovering");
  }

  @Test
  void aSendHeldBehindAFullWindowExpiresToo() {
    window.send("orders", "a");
    window.send("orders", "b");
    CompletionStage<Void> c = window.send("orders", "c");

    window.expire(System.nanoTime() + HOLD.toNanos());

    assertThat(failureOf(c)).isInstanceOf(PublishException.class)
        .hasMessageContaining("behind 2 sends awaiting the broker's confirmation");
  }

  @Test
  void aSendFindingTheQueueFullFailsAtOnce() {
    connected.set(false);
    window.send("orders", "1");
    window.send("orders", "2");
    window.send("orders", "3");

    CompletionStage<Void> fourth = window.send("orders", "4");

    assertThat(failureOf(fourth)).isInstanceOf(PublishException.class)
        .hasMessageContaining("3 sends are held already").hasMessageContaining("x-omnibus-max-held-sends");
    assertThat(window.held()).isEqualTo(3);
  }

  @Test
  void closeFailsTheHeldSendsAndLaterOnesWithTransportClosed() {
    connected.set(false);
    CompletionStage<Void> held = window.send("orders", "held");

    window.close();
    CompletionStage<Void> after = window.send("orders", "after");

    assertThat(failureOf(held)).isInstanceOf(TransportClosedException.class);
    assertThat(failureOf(after)).isInstanceOf(TransportClosedException.class);
    assertThat(published).isEmpty();
  }

  @Test
  void failInFlightFailsTheDispatchedSendsAndFreesTheWindow() {
    CompletionStage<Void> a = window.send("orders", "a");
    window.send("orders", "b");
    window.send("orders", "c");

    dispatched.clear();
    window.failInFlight("the connection was lost before the broker confirmed the message", null);

    assertThat(failureOf(a)).isInstanceOf(PublishException.class).hasMessageContaining("connection was lost");
    assertThat(published).containsExactly("a", "b", "c");
  }

  @Test
  void flushWaitsForEverySendAccepted() {
    connected.set(false);
    window.send("orders", "a");
    assertThat(window.flush(Duration.ZERO)).isFalse();

    connected.set(true);
    window.resume();
    assertThat(window.flush(Duration.ZERO)).isFalse();

    confirmAll();
    assertThat(window.flush(Duration.ZERO)).isTrue();
  }

  @Test
  void theFirstSettlementCounts() {
    CompletionStage<Void> stage = window.send("orders", "a");
    PublishWindow.Send<String> send = dispatched.get(0);

    send.confirmed();
    send.failed("too late", null);

    assertThat(stage.toCompletableFuture()).isCompleted();
    assertThat(window.inFlight()).isZero();
  }

  @Test
  void aDispatcherThatThrowsFailsThatSendAndTheNextGoesOn() {
    PublishWindow<String> throwing = PublishWindow.<String>builder("prod", send -> {
      if (send.payload().equals("bad")) {
        throw new IllegalArgumentException("property too long");
      }
      send.confirmed();
      return true;
    }).window(1).build();

    CompletionStage<Void> bad = throwing.send("orders", "bad");
    CompletionStage<Void> good = throwing.send("orders", "good");

    assertThat(failureOf(bad)).isInstanceOf(PublishException.class).hasMessageContaining("property too long");
    assertThat(good.toCompletableFuture()).isCompleted();
  }

  @Test
  void sendReturnsAtOnceWhileTheDispatcherIsBlockedOnTheBroker() throws Exception {
    ExecutorService dispatchThread = Executors.newSingleThreadExecutor();
    executors.add(dispatchThread);
    CountDownLatch brokerBlocked = new CountDownLatch(1);
    CountDownLatch unblock = new CountDownLatch(1);
    PublishWindow<String> blocking = PublishWindow.<String>builder("prod", send -> {
      brokerBlocked.countDown();
      try {
        unblock.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      send.confirmed();
      return true;
    }).window(10).dispatchOn(dispatchThread).build();

    CompletionStage<Void> first = blocking.send("orders", "first");
    assertThat(brokerBlocked.await(1, TimeUnit.MINUTES)).isTrue();
    CompletionStage<Void> second = blocking.send("orders", "second");

    assertThat(first.toCompletableFuture()).isNotDone();
    assertThat(second.toCompletableFuture()).isNotDone();

    unblock.countDown();
    CompletableFuture.allOf(first.toCompletableFuture(), second.toCompletableFuture()).get(1, TimeUnit.MINUTES);
  }

  @Test
  void stagesCompleteOnTheCompletionExecutor() throws Exception {
    ExecutorService completions = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "completions"));
    executors.add(completions);
    PublishWindow<String> window = builder().completeOn(completions).build();
    CompletableFuture<String> thread = window.send("orders", "a")
        .thenApply(ignored -> Thread.currentThread().getName()).toCompletableFuture();

    confirmAll();

    assertThat(thread.get(1, TimeUnit.MINUTES)).isEqualTo("completions");
  }

  @Test
  void aWindowOfZeroHoldsUntilResized() {
    PublishWindow<String> closedWindow = builder().window(0).build();
    closedWindow.send("orders", "a");
    assertThat(published).isEmpty();

    closedWindow.resize(5);

    assertThat(published).containsExactly("a");
  }

  @Test
  void theLimitsAreReadFromTheOptionsWithTheFormerHoldSpelling() {
    OptionReader options = OptionReader.of("servers.prod",
        Map.of("max-held-sends", "50", "recovery-hold-ms", "5000"));

    PublishWindow.Limits limits = PublishWindow.Limits.read(options, "recovery-hold-ms");

    assertThat(limits).isEqualTo(new PublishWindow.Limits(50, Duration.ofSeconds(5)));
    assertThat(options.deprecations()).singleElement().asString().contains("x-omnibus-send-hold-timeout: 5000ms");
  }

  @Test
  void theDefaultLimitsAreAHundredThousandSendsForThirtySeconds() {
    assertThat(PublishWindow.Limits.read(OptionReader.of("servers.prod", Map.of())))
        .isEqualTo(PublishWindow.Limits.DEFAULT)
        .isEqualTo(new PublishWindow.Limits(100_000, Duration.ofSeconds(30)));
  }
}
