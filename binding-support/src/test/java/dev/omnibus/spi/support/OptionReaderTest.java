package dev.omnibus.spi.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.ConfigurationException;
import dev.omnibus.spi.ServerConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading x-omnibus options with one convention: kebab-case keys, durations with their unit. */
class OptionReaderTest {

  private enum Mode { DECLARE, PASSIVE, NONE, DECLARE_ONLY }

  private static OptionReader reader(String... keysAndValues) {
    Map<String, String> options = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      options.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return OptionReader.of("servers.prod", options);
  }

  @Test
  void absentOptionsGiveTheDefaults() {
    OptionReader options = reader();

    assertThat(options.string("exchange", "omnibus")).isEqualTo("omnibus");
    assertThat(options.bool("mandatory", false)).isFalse();
    assertThat(options.integer("prefetch", 250, 1, 65_535)).isEqualTo(250);
    assertThat(options.duration("connect-timeout", Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(10));
    assertThat(options.choice("declare", Mode.DECLARE)).isEqualTo(Mode.DECLARE);
    assertThat(options.problems()).isEmpty();
    assertThat(options.deprecations()).isEmpty();
  }

  @Test
  void aWholeNumberInRangeIsRead() {
    assertThat(reader("prefetch", " 10 ").integer("prefetch", 250, 1, 65_535)).isEqualTo(10);
  }

  @Test
  void aNumberOutOfRangeIsAProblemAtItsPathSayingWhatToWrite() {
    OptionReader options = reader("prefetch", "0");

    assertThat(options.integer("prefetch", 250, 1, 65_535)).isEqualTo(250);

    assertThat(options.problems()).singleElement().satisfies(problem -> {
      assertThat(problem.path()).isEqualTo("servers.prod.x-omnibus-prefetch");
      assertThat(problem.message()).contains("'0'").contains("whole number from 1 to 65535");
    });
  }

  @Test
  void aBooleanIsTrueOrFalseInAnyCase() {
    assertThat(reader("mandatory", "TRUE").bool("mandatory", false)).isTrue();
    assertThat(reader("mandatory", "false").bool("mandatory", true)).isFalse();
  }

  @Test
  void anythingElseIsNotABoolean() {
    OptionReader options = reader("mandatory", "yes");

    options.bool("mandatory", false);

    assertThat(options.problems()).singleElement().satisfies(problem ->
        assertThat(problem.message()).contains("'yes' is not true or false"));
  }

  @ParameterizedTest
  @CsvSource({
      "500ms, PT0.5S",
      "2s, PT2S",
      "1.5s, PT1.5S",
      "5m, PT5M",
      "1h, PT1H",
      "1d, PT24H",
      "PT1S, PT1S",
      "pt0.25s, PT0.25S",
      "' 250 ms ', PT0.25S"})
  void aDurationIsWrittenWithItsUnit(String written, String expected) {
    OptionReader options = reader("confirm-timeout", written);

    assertThat(options.duration("confirm-timeout", Duration.ofSeconds(30))).isEqualTo(Duration.parse(expected));
    assertThat(options.problems()).isEmpty();
  }

  @Test
  void aBareNumberIsRefusedNamingTheUnitsToWrite() {
    OptionReader options = reader("connect-timeout", "5000");

    assertThat(options.duration("connect-timeout", Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(10));

    assertThat(options.problems()).singleElement().satisfies(problem -> {
      assertThat(problem.path()).isEqualTo("servers.prod.x-omnibus-connect-timeout");
      assertThat(problem.message()).contains("'5000' has no unit").contains("5000ms").contains("5000s");
    });
  }

  @Test
  void somethingElseIsNotADuration() {
    OptionReader options = reader("connect-timeout", "ten seconds");

    options.duration("connect-timeout", Duration.ofSeconds(10));

    assertThat(options.problems()).singleElement().satisfies(problem ->
        assertThat(problem.message()).contains("not a duration").contains("500ms, 2s"));
  }

  @Test
  void aDurationMustBeFromOneMillisecondToTwentyFourDays() {
    OptionReader options = reader("a-timeout", "0s", "b-timeout", "25d", "c-timeout", "0.5ms");

    options.duration("a-timeout", Duration.ofSeconds(1));
    options.duration("b-timeout", Duration.ofSeconds(1));
    options.duration("c-timeout", Duration.ofSeconds(1));

    assertThat(options.problems()).extracting(ConfigurationException.Problem::message)
        .allSatisfy(message -> assertThat(message).contains("from 1ms to 24d"));
    assertThat(options.problems()).hasSize(3);
  }

  @Test
  void aFormerMillisecondsSpellingStillWorksAndNamesTheKeyToWrite() {
    OptionReader options = reader("recovery-hold-ms", "5000");

    assertThat(options.duration("send-hold-timeout", Duration.ofSeconds(30), "recovery-hold-ms"))
        .isEqualTo(Duration.ofSeconds(5));

    assertThat(options.problems()).isEmpty();
    assertThat(options.deprecations()).singleElement().asString()
        .contains("servers.prod.x-omnibus-recovery-hold-ms is deprecated")
        .contains("x-omnibus-send-hold-timeout: 5000ms");
  }

  @Test
  void aFormerSecondsSpellingReadsSeconds() {
    OptionReader options = reader("connect-timeout-seconds", "7");

    assertThat(options.duration("connect-timeout", Duration.ofSeconds(10), "connect-timeout-seconds"))
        .isEqualTo(Duration.ofSeconds(7));

    assertThat(options.deprecations()).singleElement().asString().contains("x-omnibus-connect-timeout: 7s");
  }

  @Test
  void theNewSpellingWinsAndTheFormerIsReportedIgnored() {
    OptionReader options = reader("connect-timeout", "2s", "connect-timeout-ms", "9000");

    assertThat(options.duration("connect-timeout", Duration.ofSeconds(10), "connect-timeout-ms"))
        .isEqualTo(Duration.ofSeconds(2));

    assertThat(options.deprecations()).singleElement().asString()
        .contains("x-omnibus-connect-timeout-ms is ignored");
  }

  @Test
  void aWrongFormerValueIsAProblemAtTheFormerKey() {
    OptionReader options = reader("recovery-hold-ms", "0");

    options.duration("send-hold-timeout", Duration.ofSeconds(30), "recovery-hold-ms");

    assertThat(options.problems()).extracting(ConfigurationException.Problem::path)
        .containsExactly("servers.prod.x-omnibus-recovery-hold-ms");
  }

  @Test
  void aChoiceIsAConstantInKebabCaseInAnyCase() {
    assertThat(reader("declare", "Passive").choice("declare", Mode.DECLARE)).isEqualTo(Mode.PASSIVE);
    assertThat(reader("declare", "declare-only").choice("declare", Mode.NONE)).isEqualTo(Mode.DECLARE_ONLY);
  }

  @Test
  void aChoiceMayHaveAliases() {
    assertThat(reader("declare", "false").choice("declare", Mode.DECLARE, Map.of("false", Mode.NONE)))
        .isEqualTo(Mode.NONE);
  }

  @Test
  void anUnknownChoiceListsTheChoices() {
    OptionReader options = reader("declare", "sometimes");

    assertThat(options.choice("declare", Mode.DECLARE)).isEqualTo(Mode.DECLARE);

    assertThat(options.problems()).singleElement().satisfies(problem ->
        assertThat(problem.message()).contains("'sometimes' is not one of declare, passive, none, declare-only"));
  }

  @Test
  void checkReportsEveryProblemTogether() {
    OptionReader options = reader("prefetch", "x", "mandatory", "maybe", "connect-timeout", "10");
    options.integer("prefetch", 250, 1, 65_535);
    options.bool("mandatory", false);
    options.duration("connect-timeout", Duration.ofSeconds(10));

    assertThatThrownBy(options::check).isInstanceOfSatisfying(ConfigurationException.class, e ->
        assertThat(e.problems()).extracting(ConfigurationException.Problem::path).containsExactly(
            "servers.prod.x-omnibus-prefetch", "servers.prod.x-omnibus-mandatory",
            "servers.prod.x-omnibus-connect-timeout"));
  }

  @Test
  void checkPassesWithoutProblems() {
    OptionReader options = reader("prefetch", "5");
    options.integer("prefetch", 250, 1, 65_535);

    options.check();

    assertThat(options.problems()).isEmpty();
  }

  @Test
  void aServersOptionsAreReportedUnderTheServer() {
    OptionReader options = OptionReader.of(ServerConfig.of("edge", "mqtt", "localhost").withOption("prefetch", "-"));

    options.integer("prefetch", 1, 1, 2);

    assertThat(options.problems()).extracting(ConfigurationException.Problem::path)
        .containsExactly("servers.edge.x-omnibus-prefetch");
  }

  @Test
  void keysThatBreakTheConventionAreTheBindingsMistake() {
    OptionReader options = reader();

    assertThatThrownBy(() -> options.integer("confirmWindow", 1, 1, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> options.duration("connect-timeout-ms", Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-timeout or -interval");
    assertThatThrownBy(() -> options.duration("connect-timeout", Duration.ofSeconds(1), "connect-time"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-ms or -seconds");
  }
}
