package dev.omnibus.tck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The counts of one fault scenario, written to {@code <module>/target/faults/<scenario>.json}.
 *
 * @param scenario the scenario's name
 * @param binding the binding under test
 * @param sent events the scenario tried to publish
 * @param acked publishes the broker confirmed
 * @param delivered distinct confirmed events that reached a handler (or dead letters, for the failing ones)
 * @param duplicates deliveries beyond the first, before dedupe
 * @param duplicatesAfterDedupe deliveries beyond the first that reached a handler with dedupe on
 * @param deadLettered events in the dead letter channel
 * @param lost confirmed events that reached neither a handler nor the dead letters
 */
public record FaultReport(String scenario, String binding, long sent, long acked, long delivered, long duplicates,
    long duplicatesAfterDedupe, long deadLettered, long lost) {

  /** Writes this report as JSON into the directory, as {@code <scenario>.json}; returns the file. */
  public Path write(Path directory) throws IOException {
    Files.createDirectories(directory);
    Path file = directory.resolve(scenario + ".json");
    String json = String.format(Locale.ROOT, "{\"scenario\": \"%s\", \"binding\": \"%s\", \"sent\": %d, "
        + "\"acked\": %d, \"delivered\": %d, \"duplicates\": %d, \"duplicatesAfterDedupe\": %d, "
        + "\"deadLettered\": %d, \"lost\": %d}%n", scenario, binding, sent, acked, delivered, duplicates,
        duplicatesAfterDedupe, deadLettered, lost);
    Files.writeString(file, json);
    return file;
  }
}
