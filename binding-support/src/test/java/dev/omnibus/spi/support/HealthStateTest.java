package dev.omnibus.spi.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.omnibus.Health;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HealthStateTest {

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-30T00:00:00Z"));
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  };

  private void advance(long seconds) {
    now.set(now.get().plusSeconds(seconds));
  }

  @Test
  void startsUp() {
    HealthState health = new HealthState(clock);

    assertThat(health.get()).isEqualTo(Health.Status.up(now.get()));
  }

  @Test
  void aLostConnectionReportsTheTellingCauseAndWhenItBegan() {
    HealthState health = new HealthState(clock);
    advance(5);
    Instant lost = now.get();

    health.lost(Health.State.RECONNECTING, new IOException(new ConnectException("Connection refused")));
    advance(5);
    health.lost(Health.State.RECONNECTING, new IOException("still down"));

    assertThat(health.get().state()).isEqualTo(Health.State.RECONNECTING);
    assertThat(health.get().lastError()).isEqualTo("still down");
    assertThat(health.get().since()).isEqualTo(lost);
  }

  @Test
  void recoveringKeepsTheLastErrorForTheRecord() {
    HealthState health = new HealthState(clock);
    health.lost(Health.State.STALLED, "channel closed by the broker");
    advance(3);

    health.up();

    assertThat(health.get().state()).isEqualTo(Health.State.UP);
    assertThat(health.get().lastError()).isEqualTo("channel closed by the broker");
    assertThat(health.get().since()).isEqualTo(now.get());
  }

  @Test
  void closedIsFinal() {
    HealthState health = new HealthState(clock);
    health.closed();

    health.lost(Health.State.RECONNECTING, "late callback");
    health.up();

    assertThat(health.get().state()).isEqualTo(Health.State.CLOSED);
  }

  @Test
  void lostTakesOnlyAStateOfTrouble() {
    HealthState health = new HealthState(clock);

    assertThatIllegalArgumentException().isThrownBy(() -> health.lost(Health.State.UP, "no"));
    assertThatIllegalArgumentException().isThrownBy(() -> health.lost(Health.State.CLOSED, "no"));
  }
}
