package dev.omnibus.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Holding sends while the publishing connection is down or recovering, without a broker: time is passed in. */
class HeldSendsTest {

  private final AtomicBoolean connected = new AtomicBoolean(true);
  private final List<String> published = new ArrayList<>();
  /** Sends the dispatcher reports as not handed over (the connection dropped under them), once each. */
  private final Set<String> dropOnce = new HashSet<>();
  private final HeldSends<FakeSend> held = new HeldSends<>(connected::get, send -> {
    if (dropOnce.remove(send.name)) {
      connected.set(false);
      return false;
    }
    published.add(send.name);
    return true;
  });

  private static final class FakeSend implements HeldSends.Send {
    final String name;
    final long sentNanos;
    String failure = "";

    FakeSend(String name, long sentNanos) {
      this.name = name;
      this.sentNanos = sentNanos;
    }

    @Override
    public long sentNanos() {
      return sentNanos;
    }

    @Override
    public void holdExpired(String reason) {
      failure = "expired: " + reason;
    }

    @Override
    public void transportClosed() {
      failure = "closed";
    }
  }

  private FakeSend send(String name) {
    return send(name, 0);
  }

  private FakeSend send(String name, long sentNanos) {
    FakeSend send = new FakeSend(name, sentNanos);
    held.send(send);
    return send;
  }

  @Test
  void aSendWhileConnectedIsPublishedAtOnce() {
    send("a");

    assertThat(published).containsExactly("a");
    assertThat(held.held()).isZero();
  }

  @Test
  void sendsWhileDisconnectedAreHeldThenPublishedInOrderOnResume() {
    connected.set(false);
    send("a");
    send("b");
    assertThat(published).isEmpty();
    assertThat(held.held()).isEqualTo(2);

    connected.set(true);
    held.resume();

    assertThat(published).containsExactly("a", "b");
    assertThat(held.held()).isZero();
  }

  @Test
  void aSendMadeOnceTheConnectionIsBackDoesNotOvertakeTheHeldOnes() {
    connected.set(false);
    send("a");
    connected.set(true);
    send("b");
    assertThat(published).as("b waits behind a until resume()").isEmpty();

    held.resume();

    assertThat(published).containsExactly("a", "b");
  }

  @Test
  void aSendTheConnectionDroppedUnderIsHeldAgainAtTheHead() {
    dropOnce.add("a");
    send("a");
    send("b");
    assertThat(published).isEmpty();

    connected.set(true);
    held.resume();

    assertThat(published).containsExactly("a", "b");
  }

  @Test
  void resumeStopsWhereTheConnectionDropsAgainAndTheNextResumeGoesOnInOrder() {
    connected.set(false);
    send("a");
    send("b");
    send("c");
    dropOnce.add("b");

    connected.set(true);
    held.resume();
    assertThat(published).containsExactly("a");
    assertThat(held.held()).isEqualTo(2);

    connected.set(true);
    held.resume();
    assertThat(published).containsExactly("a", "b", "c");
  }

  @Test
  void sendsHeldLongerThanTheHoldFailOldestFirstAndTheYoungerStayHeld() {
    connected.set(false);
    FakeSend old = send("old", 0);
    FakeSend young = send("young", Duration.ofSeconds(20).toNanos());

    int left = held.expire(Duration.ofSeconds(30), Duration.ofSeconds(30).toNanos());

    assertThat(old.failure).startsWith("expired: ").contains("30000 ms");
    assertThat(young.failure).isEmpty();
    assertThat(left).isEqualTo(1);
    connected.set(true);
    held.resume();
    assertThat(published).containsExactly("young");
  }

  @Test
  void nothingExpiresWhileNothingIsHeldTooLong() {
    connected.set(false);
    FakeSend a = send("a", 0);

    assertThat(held.expire(Duration.ofSeconds(30), Duration.ofSeconds(29).toNanos())).isEqualTo(1);
    assertThat(a.failure).isEmpty();
  }

  @Test
  void closeFailsTheHeldSendsAndEverySendAfterIt() {
    connected.set(false);
    FakeSend a = send("a");
    FakeSend b = send("b");

    held.close();
    FakeSend late = send("late");
    connected.set(true);
    held.resume();

    assertThat(List.of(a.failure, b.failure, late.failure)).containsOnly("closed");
    assertThat(published).isEmpty();
    assertThat(held.held()).isZero();
  }
}
