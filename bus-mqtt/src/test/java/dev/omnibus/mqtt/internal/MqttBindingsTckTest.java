package dev.omnibus.mqtt.internal;

import dev.omnibus.spi.support.BindingReader;
import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import dev.omnibus.asyncapi.AsyncApiChannel;
import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.asyncapi.AsyncApiOperation;
import dev.omnibus.asyncapi.ServerTemplate;
import java.io.IOException;
import java.nio.file.Files;
import dev.omnibus.tck.Corpus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The AsyncAPI tck's MQTT binding files (shared/data/asyncapi-examples/tck/bindings/mqtt), read in place: the
 * loader hands their bindings on as written, and the MQTT binding's reading of them meets each file's expected
 * outcome: a {@code valid} file has no problem even in strict mode, an {@code invalid-extra-properties} file is a
 * warning and a problem in strict mode, any other {@code invalid} file a problem in both modes.
 *
 * <p>Message bindings are not read: Omnibus uses none of their fields and a transport never sees them, so their
 * files only have to load (the loader refused them until issue 13).
 */
class MqttBindingsTckTest {


  @TestFactory
  Stream<DynamicTest> every_mqtt_binding_file_of_the_tck_meets_its_expected_outcome() throws IOException {
    Path tck = Corpus.dir().resolve("asyncapi-examples/tck/bindings/mqtt");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(tck)) {
      files = walk.filter(Files::isRegularFile).filter(file -> file.getFileName().toString().startsWith("valid")
          || file.getFileName().toString().startsWith("invalid")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThan(5);
    return files.stream().map(file -> DynamicTest.dynamicTest(tck.relativize(file).toString(), () -> {
      AsyncApiDocument document = AsyncApiDocument.load(file);
      String name = file.getFileName().toString();
      if (file.toString().contains("Message Bindings Object")) {
        assertThat(document.channels()).isNotEmpty();
        return;
      }
      List<Problem> lenient = problems(document, false);
      List<Problem> strict = problems(document, true);
      if (name.startsWith("valid")) {
        assertThat(strict).as("%s is valid", file).isEmpty();
      } else if (name.startsWith("invalid-extra-properties")) {
        assertThat(lenient).as("%s: an unknown field is only a warning by default", file).isEmpty();
        assertThat(strict).as("%s: an unknown field is refused in strict mode", file).isNotEmpty()
            .allSatisfy(problem -> assertThat(problem.message()).contains("is not a field of"));
      } else {
        assertThat(lenient).as("%s is invalid", file).isNotEmpty()
            .allSatisfy(problem -> assertThat(problem.path()).contains(".bindings.mqtt"));
      }
    }));
  }

  /** Every problem the MQTT binding finds in the document's server, channel and operation bindings. */
  private static List<Problem> problems(AsyncApiDocument document, boolean strict) {
    BindingReader reader = new BindingReader(strict);
    for (ServerTemplate server : document.serverTemplates().values()) {
      MqttBindings.server(server.bindings(), reader);
    }
    for (AsyncApiChannel channel : document.channels().values()) {
      MqttBindings.channel(channel.bindings(), reader);
    }
    for (AsyncApiOperation operation : document.operations()) {
      MqttBindings.operation(operation.bindings(), reader);
    }
    try {
      reader.throwIfAny();
      return List.of();
    } catch (ConfigurationException e) {
      return new ArrayList<>(e.problems());
    }
  }
}
