package dev.omnibus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TransportClosedExceptionTest {

  @Test
  void aBrokerThatDidNotAnswerSaysToCheckItAndSubscribeAgainOnTheOpenBus() {
    TransportClosedException e = TransportClosedException.noAnswer("Subscribing to channel 'orders' on MQTT server "
        + "'edge'", "no SUBACK for 10 s, x-omnibus-connect-timeout-seconds");

    assertThat(e).hasMessage("Subscribing to channel 'orders' on MQTT server 'edge' timed out: the broker did not "
        + "answer (no SUBACK for 10 s, x-omnibus-connect-timeout-seconds). Check that the broker is up and not "
        + "overloaded, then subscribe again: the bus stays open");
    assertThat(e.getMessage()).doesNotContain("build a new EventBus");
  }

  @Test
  void aClosedBusSaysToBuildANewOne() {
    assertThat(TransportClosedException.of("EventBus for server 'edge'"))
        .hasMessage("EventBus for server 'edge' is closed: build a new EventBus to publish or subscribe again");
  }
}
