package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.Interceptor;
import dev.omnibus.RequestTimeoutException;
import dev.omnibus.RetryPolicy;
import dev.omnibus.TransportClosedException;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Request/reply as the kernel does it, beyond what the conformance kit checks on every binding: requests that cannot
 * be answered, responders that do not send error replies, a shared reply channel, replies nobody asked for, and
 * closing with requests in flight.
 */
class RequestReplyTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final EventType<String> QUESTION = EventType.of("dev.omnibus.test.question", String.class)
      .channel("rpc");
  private static final EventType<String> ANSWER = EventType.of("dev.omnibus.test.answer", String.class);

  private final InMemoryBroker broker = InMemoryBroker.create();
  private final List<EventBus> buses = new CopyOnWriteArrayList<>();
  private final List<Interceptor.Publishing> published = new CopyOnWriteArrayList<>();
  private final Interceptor recorder = new Interceptor() {
    @Override
    public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
      published.add(publishing);
      return next.proceed(publishing);
    }
  };

  @AfterEach
  void close() {
    buses.forEach(EventBus::close);
  }

  private EventBus bus(UnaryOperator<EventBus.Builder> more) {
    EventBus bus = more.apply(EventBus.builder().server(broker.server()).channel("rpc", "rpc.questions")
        .intercept(recorder).retry(RetryPolicy.attempts(3).backoff(Duration.ofMillis(1), Duration.ofMillis(1), 1.0))).build();
    buses.add(bus);
    return bus;
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  private static List<CloudEvent> deadLetters(EventBus bus, String group) {
    List<CloudEvent> dead = new CopyOnWriteArrayList<>();
    EventBus reader = EventBus.builder().server(bus.server()).channel("dead", bus.deadLetterAddress("rpc", group))
        .build();
    reader.subscribe("dead", "reader", dead::add);
    return dead;
  }

  private static void awaitSize(List<?> list, int size) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (list.size() < size) {
      assertThat(System.nanoTime()).as("waiting for %d, have %s", size, list).isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }

  @Test
  void aRequestNamingNoReplyAddressGoesToDeadLettersAtOnceWithTheReason() throws Exception {
    EventBus responders = bus(b -> b);
    AtomicInteger calls = new AtomicInteger();
    responders.respond(QUESTION, "responders", ANSWER, request -> "re:" + calls.incrementAndGet());
    List<CloudEvent> dead = deadLetters(responders, "responders");

    await(bus(b -> b).publish(QUESTION, "who answers?"));

    awaitSize(dead, 1);
    assertThat(dead.get(0).getExtension("dlqreason").toString())
        .contains("names no reply address").contains("cannot be answered");
    assertThat(dead.get(0).getExtension("dlqattempts")).hasToString("1");
    assertThat(calls).as("the responder never ran: there was nowhere to send its answer").hasValue(0);
  }

  @Test
  void withoutErrorRepliesAFailingResponderIsRetriedAndDeadLetteredAndTheRequesterTimesOut() throws Exception {
    EventBus responders = bus(b -> b.replyOnFailure(false));
    AtomicInteger attempts = new AtomicInteger();
    responders.respond(QUESTION, "responders", ANSWER, request -> {
      attempts.incrementAndGet();
      throw new IllegalStateException("down");
    });
    List<CloudEvent> dead = deadLetters(responders, "responders");
    EventBus requester = bus(b -> b);

    assertThatThrownBy(() -> await(requester.request(QUESTION, "q", ANSWER, Duration.ofMillis(500))))
        .hasCauseInstanceOf(RequestTimeoutException.class);
    awaitSize(dead, 1);
    assertThat(attempts).hasValue(3);
    assertThat(published).noneMatch(p -> p.kind() == Interceptor.Kind.REPLY);
  }

  @Test
  void repliesGoThroughThePublishChainAsRepliesWithTheCorrelationId() {
    bus(b -> b).respond(QUESTION, "responders", ANSWER, request -> "re:" + request.data());
    EventBus requester = bus(b -> b);

    Event<String> reply = await(requester.request(QUESTION, "q", ANSWER, WAIT));

    Interceptor.Publishing request = published.stream().filter(p -> p.kind() == Interceptor.Kind.EVENT)
        .findFirst().orElseThrow();
    Interceptor.Publishing sent = published.stream().filter(p -> p.kind() == Interceptor.Kind.REPLY)
        .findFirst().orElseThrow();
    assertThat(sent.address()).isEqualTo(request.event().getExtension("replyto"));
    assertThat(sent.event().getExtension("correlationid")).isEqualTo(request.event().getExtension("correlationid"))
        .isEqualTo(reply.extension("correlationid"));
    assertThat(request.channel()).isEqualTo("rpc");
  }

  @Test
  void requestersSharingADeclaredReplyChannelEachGetTheirOwnRepliesAndIgnoreTheOthers() {
    EventType<String> answerOnChannel = ANSWER.channel("rpc-replies");
    UnaryOperator<EventBus.Builder> withReplies = b -> b.channel("rpc-replies", "rpc.replies");
    bus(withReplies).respond(QUESTION, "responders", answerOnChannel, request -> "re:" + request.data());
    EventBus first = bus(withReplies);
    EventBus second = bus(withReplies);

    CompletableFuture<Event<String>> one = first.request(QUESTION, "one", answerOnChannel, WAIT)
        .toCompletableFuture();
    CompletableFuture<Event<String>> two = second.request(QUESTION, "two", answerOnChannel, WAIT)
        .toCompletableFuture();

    assertThat(await(one).data()).isEqualTo("re:one");
    assertThat(await(two).data()).isEqualTo("re:two");
    assertThat(published).filteredOn(p -> p.kind() == Interceptor.Kind.EVENT)
        .allSatisfy(p -> assertThat(p.event().getExtension("replyto")).isEqualTo("rpc.replies"));
    assertThat(first.requestStats().orphan() + second.requestStats().orphan())
        .as("the other requester's reply is not an orphan").isZero();
  }

  @Test
  void aReplyWithoutCorrelationIdIsAnOrphanAndDropped() throws Exception {
    EventType<String> answerOnChannel = ANSWER.channel("rpc-replies");
    EventBus requester = bus(b -> b.channel("rpc-replies", "rpc.replies"));
    CompletableFuture<Event<String>> pending = requester.request(QUESTION, "q", answerOnChannel, WAIT)
        .toCompletableFuture();

    await(bus(b -> b.channel("rpc-replies", "rpc.replies")).publish(answerOnChannel, "unasked"));

    long deadline = System.nanoTime() + WAIT.toNanos();
    while (requester.requestStats().orphan() == 0) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(10);
    }
    assertThat(pending).isNotDone();
  }

  @Test
  void closingTheRequesterFailsWhatWaitsForAReply() {
    EventBus requester = bus(b -> b);
    CompletableFuture<Event<String>> pending = requester.request(QUESTION, "q", ANSWER, Duration.ofMinutes(5))
        .toCompletableFuture();

    requester.close();

    assertThatThrownBy(() -> await(pending)).hasCauseInstanceOf(TransportClosedException.class);
    assertThatThrownBy(() -> await(requester.request(QUESTION, "q", ANSWER, WAIT)))
        .hasCauseInstanceOf(TransportClosedException.class);
  }

  @Test
  void aTimeoutMustBePositive() {
    EventBus requester = bus(b -> b);

    assertThatThrownBy(() -> requester.request(QUESTION, "q", ANSWER, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout must be positive");
  }
}
