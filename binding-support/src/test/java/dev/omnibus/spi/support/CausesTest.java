package dev.omnibus.spi.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

/** The words of a client's failure. */
class CausesTest {

  @Test
  void theRootCauseIsTheInnermost() {
    ConnectException root = new ConnectException("Connection refused");

    assertThat(Causes.root(new IllegalStateException("outer", new IOException(root)))).isSameAs(root);
  }

  @Test
  void aFailureWithoutCauseIsItsOwnRoot() {
    IOException failure = new IOException("alone");

    assertThat(Causes.root(failure)).isSameAs(failure);
  }

  @Test
  void theMessageIsTheRootCausesWhenItHasOne() {
    Throwable failure = new IllegalStateException("Unable to connect to server",
        new IOException(new ConnectException("Connection refused")));

    assertThat(Causes.message(failure)).isEqualTo("Connection refused");
  }

  @Test
  void aRootCauseWithoutMessageGivesTheInnermostMessageAboveIt() {
    Throwable failure = new IllegalStateException("outer",
        new IOException("the broker closed the connection", new SocketTimeoutException()));

    assertThat(Causes.message(failure)).isEqualTo("the broker closed the connection");
  }

  @Test
  void noMessageAnywhereGivesTheRootCausesClassName() {
    Throwable failure = new RuntimeException(null, new SocketTimeoutException());

    assertThat(Causes.message(failure)).isEqualTo("SocketTimeoutException");
  }

  @Test
  void aBlankMessageDoesNotCount() {
    Throwable failure = new IOException("the connection was reset", new IOException("  "));

    assertThat(Causes.message(failure)).isEqualTo("the connection was reset");
  }

  @Test
  void aCauseCycleEnds() {
    IOException first = new IOException("first");
    IOException second = new IOException("second", first);
    first.initCause(second);

    assertThat(Causes.message(first)).isIn("first", "second");
    assertThat(Causes.root(first)).isIn(first, second);
  }
}
