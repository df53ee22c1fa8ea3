package dev.omnibus.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;

/** What a group member's CONNACK makes the binding warn about (no broker: the properties as paho hands them over). */
class GroupSessionWarningsTest {

  @Test
  void aConnackWithoutLimitsGivesNoWarning() {
    assertThat(Paho5Connection.groupSessionWarnings("edge", "svc-g-1-0", 86_400, new MqttProperties())).isEmpty();
  }

  @Test
  void aBrokerWithoutSharedSubscriptionsIsAWarningSayingGroupsWillBeRefused() {
    MqttProperties connack = new MqttProperties();
    connack.setSharedSubscriptionAvailable(false);

    assertThat(Paho5Connection.groupSessionWarnings("edge", "svc-g-1-0", 86_400, connack))
        .singleElement().asString()
        .contains("'edge'", "no shared subscriptions", "consumer groups", "Enable shared subscriptions");
  }

  @Test
  void aSessionExpiryShorterThanAskedIsAWarningWithBothNumbers() {
    MqttProperties connack = new MqttProperties();
    connack.setSessionExpiryInterval(60L);

    assertThat(Paho5Connection.groupSessionWarnings("edge", "svc-g-1-0", 86_400, connack))
        .singleElement().asString()
        .contains("'svc-g-1-0'", "60 s", "86400 s", "sessionExpiryInterval", "Raise the broker's session expiry");
  }

  @Test
  void aSessionExpiryAsLongAsAskedIsNoWarning() {
    MqttProperties connack = new MqttProperties();
    connack.setSessionExpiryInterval(86_400L);

    assertThat(Paho5Connection.groupSessionWarnings("edge", "svc-g-1-0", 86_400, connack)).isEmpty();
  }
}
