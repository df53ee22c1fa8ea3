package dev.omnibus.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Confirm tracking of the publisher channel on a scripted {@link Channel}: which send a confirm completes, and what a
 * lost connection does to the sends awaiting theirs.
 */
class PublisherChannelTest {

  private static final AMQP.BasicProperties PROPERTIES = new AMQP.BasicProperties.Builder().build();

  /** What the scripted channel does on the next basicPublish calls: null = accept. */
  private final List<@Nullable RuntimeException> script = new ArrayList<>();
  private final List<ShutdownListener> shutdownListeners = new ArrayList<>();
  private @Nullable ConfirmListener confirms;
  private boolean open = true;

  private final Channel channel = (Channel) Proxy.newProxyInstance(Channel.class.getClassLoader(),
      new Class<?>[] {Channel.class}, (proxy, method, args) -> switch (method.getName()) {
        case "confirmSelect", "addReturnListener", "close" -> null;
        case "addConfirmListener" -> {
          confirms = (ConfirmListener) args[0];
          yield null;
        }
        case "addShutdownListener" -> {
          shutdownListeners.add((ShutdownListener) args[0]);
          yield null;
        }
        case "basicPublish" -> {
          RuntimeException failure = script.isEmpty() ? null : script.remove(0);
          if (failure != null) {
            throw failure;
          }
          yield null;
        }
        case "isOpen" -> open;
        case "getChannelNumber" -> 1;
        case "toString" -> "scripted channel";
        default -> throw new UnsupportedOperationException(method.getName());
      });

  private static final class FakePending implements PublisherChannel.Pending {
    String outcome = "";

    @Override
    public String exchange() {
      return "x";
    }

    @Override
    public String routingKey() {
      return "k";
    }

    @Override
    public @Nullable String messageId() {
      return null;
    }

    @Override
    public void returned(String reason) {}

    @Override
    public boolean isReturned() {
      return false;
    }

    @Override
    public void confirmed() {
      outcome = "confirmed";
    }

    @Override
    public void failed(String reason, @Nullable Throwable cause) {
      outcome = "failed: " + reason;
    }
  }

  private PublisherChannel publisher() throws Exception {
    return new PublisherChannel(channel, cause -> {});
  }

  private static FakePending publish(PublisherChannel publisher) {
    FakePending pending = new FakePending();
    assertThat(publisher.publish("x", "k", false, PROPERTIES, new byte[0], pending)).isTrue();
    return pending;
  }

  @Test
  void aMultipleAckConfirmsEverySendUpToItsTagAndNoLater() throws Exception {
    PublisherChannel publisher = publisher();
    FakePending one = publish(publisher);
    FakePending two = publish(publisher);
    FakePending three = publish(publisher);

    confirms.handleAck(2, true);

    assertThat(List.of(one.outcome, two.outcome, three.outcome)).containsExactly("confirmed", "confirmed", "");
    assertThat(publisher.outstanding()).isEqualTo(1);
  }

  @Test
  void aPublishRefusedBeforeReachingTheBrokerDoesNotShiftTheConfirmsOfLaterSends() throws Exception {
    PublisherChannel publisher = publisher();
    FakePending first = publish(publisher);
    script.add(null);
    script.add(new IllegalArgumentException("Short string too long; utf-8 encoded length = 300, max = 255."));
    FakePending refused = new FakePending();
    publish(publisher);
    assertThat(publisher.publish("x", "k", false, PROPERTIES, new byte[0], refused)).isTrue();
    FakePending third = publish(publisher);

    // The broker received three messages and numbers them 1, 2, 3: its ack of 3 is the third one handed over.
    confirms.handleAck(1, false);
    confirms.handleAck(3, false);

    assertThat(first.outcome).isEqualTo("confirmed");
    assertThat(refused.outcome).startsWith("failed: Short string too long");
    assertThat(third.outcome).isEqualTo("confirmed");
    assertThat(publisher.outstanding()).as("the second handed over, tag 2, still awaits its confirm").isEqualTo(1);
  }

  @Test
  void aLostConnectionFailsTheUnconfirmedSendsAndNoLaterConfirmCompletesAnything() throws Exception {
    PublisherChannel publisher = publisher();
    FakePending inFlight = publish(publisher);
    ShutdownSignalException lost = new ShutdownSignalException(true, false, null, channel);

    open = false;
    shutdownListeners.forEach(listener -> listener.shutdownCompleted(lost));
    FakePending after = new FakePending();
    boolean handedOver = publisher.publish("x", "k", false, PROPERTIES, new byte[0], after);
    // amqp-client recovers the channel object; its numbering starts again at 1 there.
    confirms.handleAck(1, true);

    assertThat(inFlight.outcome).startsWith("failed: the connection to the broker was lost")
        .contains("may or may not");
    assertThat(handedOver).as("a shut down channel publishes no more").isFalse();
    assertThat(after.outcome).as("left to the caller to hold or fail").isEmpty();
    assertThat(publisher.usable()).isFalse();
  }

  @Test
  void aPublishOnAClosedChannelIsNotHandedOverAndLeavesTheSendToTheCaller() throws Exception {
    PublisherChannel publisher = publisher();
    script.add(new AlreadyClosedException(new ShutdownSignalException(true, false, null, channel)));
    FakePending pending = new FakePending();

    boolean handedOver = publisher.publish("x", "k", false, PROPERTIES, new byte[0], pending);

    assertThat(handedOver).isFalse();
    assertThat(pending.outcome).isEmpty();
    assertThat(publisher.outstanding()).isZero();
    assertThat(publisher.usable()).isFalse();
  }
}
