package dev.omnibus.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.omnibus.contract.Contracts.Change;
import dev.omnibus.contract.Contracts.Change.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report the plugin and the command line write: JSON for machines, text for people. */
class CompatibilityReportTest {

  private static final Change NARROWED = new Change("channels.c.messages.m.payload.properties.a.maxLength",
      Kind.NARROWED, true, false, "maxLength 20 added (payloads valid before may now be refused)");
  private static final Change REMOVED = new Change("channels.c.messages.m.payload.properties.b", Kind.REMOVED,
      false, true, "property 'b' removed (consumers may read it)");
  private static final Change ADDED = new Change("channels.c.messages.n", Kind.ADDED, false, false,
      "message added");

  @Test
  void theJsonListsEveryChangeWithItsKindAndWhomItBreaks() throws IOException {
    JsonNode json = new ObjectMapper().readTree(
        new CompatibilityReport("v1.yaml", "v2.yaml", List.of(NARROWED, REMOVED, ADDED)).json());

    assertThat(json.get("formatVersion").asInt()).isEqualTo(1);
    assertThat(json.get("old").asText()).isEqualTo("v1.yaml");
    assertThat(json.get("new").asText()).isEqualTo("v2.yaml");
    assertThat(json.get("breaking").asBoolean()).isTrue();
    assertThat(json.get("counts").toString()).isEqualTo(
        "{\"changes\":3,\"breaking\":2,\"breakingForProducers\":1,\"breakingForConsumers\":1}");
    assertThat(json.get("changes").get(1).toString()).isEqualTo("{\"path\":"
        + "\"channels.c.messages.m.payload.properties.b\",\"kind\":\"removed\",\"breaking\":true,"
        + "\"breakingForProducers\":false,\"breakingForConsumers\":true,"
        + "\"description\":\"property 'b' removed (consumers may read it)\"}");
  }

  @Test
  void theTextHasOneLinePerChangeThenTheCounts() {
    assertThat(new CompatibilityReport("v1.yaml", "v2.yaml", List.of(NARROWED, REMOVED, ADDED)).text())
        .isEqualTo("""
            Compatibility of v2.yaml with v1.yaml
            BREAKING (producers)  channels.c.messages.m.payload.properties.a.maxLength: maxLength 20 added \
            (payloads valid before may now be refused)
            BREAKING (consumers)  channels.c.messages.m.payload.properties.b: property 'b' removed (consumers may \
            read it)
            ok                    channels.c.messages.n: message added
            3 changes, 2 breaking (1 for producers, 1 for consumers).
            """);
  }

  @Test
  void aReportWithoutBreakingChangesIsNotBreaking() {
    CompatibilityReport report = new CompatibilityReport("v1.yaml", "v2.yaml", List.of(ADDED));

    assertThat(report.breaking()).isFalse();
    assertThat(report.summary()).isEqualTo("1 change, 0 breaking.");
  }

  @Test
  void comparingTwoFilesNamesThemByTheirPaths(@TempDir Path dir) throws IOException {
    Path copy = Files.copy(Orders.DOCUMENT, dir.resolve("copy.yaml"));

    CompatibilityReport report = CompatibilityReport.compare(Orders.DOCUMENT, copy);

    assertThat(report.older()).isEqualTo(Orders.DOCUMENT.toString());
    assertThat(report.newer()).isEqualTo(copy.toString());
    assertThat(report.changes()).isEmpty();
    assertThat(report.summary()).isEqualTo("No changes.");
  }
}
