package dev.omnibus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.ConfigurationException;
import dev.omnibus.rabbitmq.internal.QueuePolicy;
import dev.omnibus.rabbitmq.internal.RabbitMqSettings;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.support.PublishWindow;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The x-omnibus options of a RabbitMQ server: durations with their unit, former spellings, held sends, the nodes of a
 * cluster, the queue type.
 */
class RabbitMqOptionsTest {

  @Test
  void sendsAreHeldThirtySecondsUnlessTheServerSaysOtherwise() {
    assertThat(RabbitMqSettings.from(ServerConfig.of("p", "amqp", "h")).held())
        .isEqualTo(PublishWindow.Limits.DEFAULT);
    assertThat(RabbitMqSettings.from(ServerConfig.of("p", "amqp", "h").withOption("send-hold-timeout", "5s")
        .withOption("max-held-sends", "100")).held())
        .isEqualTo(new PublishWindow.Limits(100, Duration.ofSeconds(5)));
  }

  @Test
  void timeoutsAreDurationsWithTheirUnitAndTheMillisecondSpellingsStillWork() {
    RabbitMqSettings settings = RabbitMqSettings.from(ServerConfig.of("p", "amqp", "h")
        .withOption("confirm-timeout", "2s").withOption("connect-timeout-ms", "1500"));

    assertThat(settings.confirmTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void aTimeoutWithoutUnitIsReportedSayingWhatToWrite() {
    assertThatThrownBy(() -> RabbitMqSettings.from(ServerConfig.of("p", "amqp", "h")
        .withOption("connect-timeout", "1500")))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
            .extracting(ConfigurationException.Problem::path).containsExactly("servers.p.x-omnibus-connect-timeout"))
        .hasMessageContaining("1500ms");
  }

  @Test
  void theServersHostComesFirstAndFurtherClusterNodesFollowWithTheServersPortByDefault() {
    RabbitMqSettings settings = RabbitMqSettings.from(ServerConfig.of("p", "amqp", "rabbit-1:5700")
        .withOption("addresses", "rabbit-2, rabbit-3:5701,rabbit-1:5700"));

    assertThat(settings.addresses()).containsExactly("rabbit-1:5700", "rabbit-2:5700", "rabbit-3:5701");
    assertThat(RabbitMqSettings.from(ServerConfig.of("p", "amqp", "h")).addresses()).containsExactly("h:5672");
  }

  @Test
  void anAddressThatIsNotHostAndPortIsReported() {
    assertThatThrownBy(() -> RabbitMqSettings.from(ServerConfig.of("p", "amqp", "h")
        .withOption("addresses", "rabbit-2:amqp")))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
            .extracting(ConfigurationException.Problem::path).containsExactly("servers.p.x-omnibus-addresses"))
        .hasMessageContaining("rabbit-2:amqp");
  }

  @Test
  void queuesAreClassicUnlessTheServerSaysQuorumWithItsDeliveryLimit() {
    assertThat(RabbitMqSettings.from(ServerConfig.of("p", "amqp", "h")).queues()).isEqualTo(QueuePolicy.DEFAULT);
    assertThat(RabbitMqSettings.from(ServerConfig.of("p", "amqp", "h").withOption("queue-type", "Quorum")
        .withOption("delivery-limit", "7")).queues()).isEqualTo(new QueuePolicy(QueuePolicy.Type.QUORUM, 7));
  }
}
