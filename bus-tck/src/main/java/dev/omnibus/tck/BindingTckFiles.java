package dev.omnibus.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import dev.omnibus.asyncapi.AsyncApiChannel;
import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.asyncapi.AsyncApiOperation;
import dev.omnibus.asyncapi.ServerTemplate;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.support.BindingReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * The AsyncAPI tck's binding files of one protocol ({@code asyncapi-examples/tck/bindings/<protocol>} in the
 * {@link Corpus}), read in place: the loader hands their bindings on as written, and the binding's reading of them must
 * meet each file's expected outcome. A {@code valid} file has no problem even in strict mode, an
 * {@code invalid-extra-properties} file is a warning and a problem in strict mode, any other {@code invalid} file a
 * problem in both modes. Message bindings are not read (Omnibus uses none of their fields): their files only have to
 * load.
 *
 * <p>A binding's test calls {@link Corpus#dir()} in its {@code @BeforeAll}, so that without the corpus the class is
 * reported as skipped, then returns {@link #expectedOutcomes} from a {@code @TestFactory}.
 */
public final class BindingTckFiles {

  /** Reads one kind of binding object (server, channel or operation), recording its problems in the reader. */
  @FunctionalInterface
  public interface Reading {
    /** Reads the protocol's binding among these bindings, if any. */
    void read(Bindings bindings, BindingReader reader);
  }

  private BindingTckFiles() {}

  /**
   * One dynamic test per tck file of the protocol.
   *
   * @param protocol the binding's protocol key, e.g. {@code kafka}
   */
  public static Stream<DynamicTest> expectedOutcomes(String protocol, Reading server, Reading channel,
      Reading operation) throws IOException {
    Path tck = Corpus.dir().resolve("asyncapi-examples/tck/bindings/" + protocol);
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
      List<Problem> lenient = problems(document, false, server, channel, operation);
      List<Problem> strict = problems(document, true, server, channel, operation);
      if (name.startsWith("valid")) {
        assertThat(strict).as("%s is valid", file).isEmpty();
      } else if (name.startsWith("invalid-extra-properties")) {
        assertThat(lenient).as("%s: an unknown field is only a warning by default", file).isEmpty();
        assertThat(strict).as("%s: an unknown field is refused in strict mode", file).isNotEmpty()
            .allSatisfy(problem -> assertThat(problem.message()).contains("is not a field of"));
      } else {
        assertThat(lenient).as("%s is invalid", file).isNotEmpty()
            .allSatisfy(problem -> assertThat(problem.path()).contains(".bindings." + protocol));
      }
    }));
  }

  /** Every problem the binding finds in the document's server, channel and operation bindings. */
  private static List<Problem> problems(AsyncApiDocument document, boolean strict, Reading server, Reading channel,
      Reading operation) {
    BindingReader reader = new BindingReader(strict);
    for (ServerTemplate template : document.serverTemplates().values()) {
      server.read(template.bindings(), reader);
    }
    for (AsyncApiChannel declared : document.channels().values()) {
      channel.read(declared.bindings(), reader);
    }
    for (AsyncApiOperation declared : document.operations()) {
      operation.read(declared.bindings(), reader);
    }
    try {
      reader.throwIfAny();
      return List.of();
    } catch (ConfigurationException e) {
      return new ArrayList<>(e.problems());
    }
  }
}
