package dev.omnibus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy policy = RetryPolicy.attempts(6)
      .backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0)
      .withJitter(0.5);

  @RepeatedTest(20)
  void eachWaitGrowsExponentiallyUpToTheMaximumMinusAtMostTheJitter() {
    assertThat(policy.backoffAfter(1)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    assertThat(policy.backoffAfter(2)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(policy.backoffAfter(3)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
    assertThat(policy.backoffAfter(5)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
    assertThat(policy.backoffAfter(30)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
  }

  @Test
  void withoutJitterTheWaitIsExact() {
    assertThat(policy.withJitter(0).backoffAfter(2)).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void documentOptionsOverrideTheDefaults() {
    RetryPolicy fromDocument = RetryPolicy.defaults().withOptions(Map.of(
        "retry-max-attempts", "3", "retry-initial-backoff", "250ms", "retry-max-backoff", "PT2S",
        "retry-multiplier", "3", "retry-jitter", "0", "mode", "binary"));

    assertThat(fromDocument).isEqualTo(new RetryPolicy(3, Duration.ofMillis(250), Duration.ofSeconds(2), 3.0, 0.0));
  }

  @Test
  void retriesBlockUnlessAskedNotTo() {
    assertThat(RetryPolicy.defaults().mode()).isEqualTo(RetryPolicy.Mode.BLOCKING);
    assertThat(policy.nonBlocking().isNonBlocking()).isTrue();
    assertThat(policy.nonBlocking().backoff(Duration.ofMillis(1), Duration.ofMillis(2), 1.5).isNonBlocking())
        .as("the mode survives the other settings").isTrue();
    assertThat(policy.nonBlocking().blocking()).isEqualTo(policy);
  }

  @Test
  void theRetryModeIsADocumentOption() {
    assertThat(RetryPolicy.defaults().withOptions(Map.of("retry-mode", "non-blocking")).mode())
        .isEqualTo(RetryPolicy.Mode.NON_BLOCKING);
    assertThat(policy.nonBlocking().withOptions(Map.of("retry-mode", "Blocking")).mode())
        .isEqualTo(RetryPolicy.Mode.BLOCKING);
    assertThatThrownBy(() -> RetryPolicy.defaults().withOptions(Map.of("retry-mode", "later")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x-omnibus-retry-mode")
        .hasMessageContaining("later");
  }

  @Test
  void anUnreadableOptionIsNamed() {
    assertThatThrownBy(() -> RetryPolicy.defaults().withOptions(Map.of("retry-max-attempts", "many")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x-omnibus-retry-max-attempts")
        .hasMessageContaining("many");
  }

  @Test
  void nonsenseIsRefused() {
    assertThatThrownBy(() -> RetryPolicy.attempts(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> policy.withJitter(1.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> policy.backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theDedupeStoreForgetsTheOldestBeyondItsBound() {
    DedupeStore store = DedupeStore.inMemory(2, Duration.ofMinutes(1));
    store.markHandled("a");
    store.markHandled("b");
    store.markHandled("c");
    assertThat(store.wasHandled("a")).isFalse();
    assertThat(store.wasHandled("b")).isTrue();
    assertThat(store.wasHandled("c")).isTrue();
  }
}
