package dev.omnibus.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.ConfigurationException;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.support.PublishWindow;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The x-omnibus options of an MQTT server: durations with their unit, former spellings, held sends. */
class MqttOptionsTest {

  @Test
  void timeoutsAreDurationsWrittenWithTheirUnit() {
    MqttSettings settings = MqttSettings.from(ServerConfig.of("h", "mqtt", "localhost")
        .withOption("connect-timeout", "2500ms").withOption("close-timeout", "PT1S"));

    assertThat(settings.connectTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(settings.closeTimeout()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void theFormerSecondsSpellingsStillWork() {
    MqttSettings settings = MqttSettings.from(ServerConfig.of("h", "mqtt", "localhost")
        .withOption("connect-timeout-seconds", "3").withOption("close-timeout-seconds", "2"));

    assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(settings.closeTimeout()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void sendsAreHeldAsTheOptionsSay() {
    assertThat(MqttSettings.from(ServerConfig.of("h", "mqtt", "localhost")).held())
        .isEqualTo(PublishWindow.Limits.DEFAULT);
    assertThat(MqttSettings.from(ServerConfig.of("h", "mqtt", "localhost")
        .withOption("send-hold-timeout", "5s").withOption("max-held-sends", "10")).held())
        .isEqualTo(new PublishWindow.Limits(10, Duration.ofSeconds(5)));
  }

  @Test
  void aTimeoutWithoutUnitIsReportedAtItsOption() {
    assertThatThrownBy(() -> MqttSettings.from(ServerConfig.of("h", "mqtt", "localhost")
        .withOption("connect-timeout", "10")))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
            .extracting(ConfigurationException.Problem::path).containsExactly("servers.h.x-omnibus-connect-timeout"))
        .hasMessageContaining("10s");
  }
}
