package dev.omnibus.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** The one rule for what a test needs of the machine: skipped with what to do, failed with CI=true. */
class BrokersTest {

  private static final String REMEDY = "Install and start it: " + Brokers.INSTALL + " && sudo service x start";

  /** A port nothing listens on: one that was free a moment ago. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void anUnreachableBrokerSkipsTheTestSayingHowToInstallAndStartIt() throws IOException {
    int port = closedPort();

    Throwable skipped = catchThrowable(() -> Brokers.assumeReachable("RabbitMQ", "127.0.0.1", port, REMEDY, false));

    assertThat(skipped).isInstanceOf(TestAbortedException.class)
        .hasMessage("RabbitMQ is not reachable at 127.0.0.1:" + port + ", so its tests are skipped. Install and start"
            + " it: sudo apt-get install -y rabbitmq-server mosquitto && sudo service x start");
  }

  @Test
  void anUnreachableBrokerFailsTheTestOnCi() throws IOException {
    int port = closedPort();

    Throwable failed = catchThrowable(() -> Brokers.assumeReachable("Mosquitto", "127.0.0.1", port, REMEDY, true));

    assertThat(failed).isInstanceOf(AssertionError.class)
        .hasMessage("Mosquitto is not reachable at 127.0.0.1:" + port + ": CI=true requires it. " + REMEDY);
  }

  @Test
  void aReachableBrokerLetsTheTestRun() throws IOException {
    try (ServerSocket broker = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatCode(() -> Brokers.assumeReachable("Broker", "127.0.0.1", broker.getLocalPort(), REMEDY, true))
          .doesNotThrowAnyException();
    }
  }

  @Test
  void aMissingToolSkipsTheTestNamingItsPackage() {
    Throwable skipped = catchThrowable(() -> Brokers.requireTool("omnibus-no-such-tool", "mosquitto-clients", false));

    assertThat(skipped).isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("omnibus-no-such-tool is not installed")
        .hasMessageEndingWith("sudo apt-get install -y mosquitto-clients");
  }

  @Test
  void aMissingToolFailsTheTestOnCi() {
    assertThat(catchThrowable(() -> Brokers.requireTool("omnibus-no-such-tool", "mosquitto-clients", true)))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void anInstalledToolIsFoundOnThePath() {
    assertThat(Brokers.requireTool("sh", "dash", true)).endsWith("/sh");
  }
}
