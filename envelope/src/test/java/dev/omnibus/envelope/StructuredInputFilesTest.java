package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The module's own structured-mode inputs ({@code src/test/resources/structured}): each {@code valid-} file decodes
 * and survives a round trip in both modes, each {@code invalid-} file is refused with its reasons. These run without
 * the external corpus, which holds the CloudEvents project's own files (see {@link SdkJavaJsonFilesTest}).
 */
class StructuredInputFilesTest {

  private static final EnvelopeCodec KAFKA = EnvelopeCodec.of(HeaderConvention.KAFKA);

  static Path folder() {
    URL url = Objects.requireNonNull(StructuredInputFilesTest.class.getResource("/structured"), "structured/");
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> files(String prefix) {
    try (Stream<Path> files = Files.list(folder())) {
      return files.map(file -> file.getFileName().toString()).filter(name -> name.startsWith(prefix)).sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> validFiles() {
    return files("valid-");
  }

  static List<String> invalidFiles() {
    return files("invalid-");
  }

  private static byte[] read(String name) throws IOException {
    return Files.readAllBytes(folder().resolve(name));
  }

  @Test
  void everyFileSaysItsExpectedOutcomeByItsName() {
    assertThat(files("")).allMatch(name -> name.startsWith("valid-") || name.startsWith("invalid-"));
    assertThat(validFiles()).hasSizeGreaterThanOrEqualTo(10);
    assertThat(invalidFiles()).hasSizeGreaterThanOrEqualTo(10);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validFiles")
  void aValidFileRoundTripsInStructuredMode(String file) throws IOException {
    CloudEvent event = TestData.decodeStructured(read(file));
    CloudEvent again = KAFKA.decode(KAFKA.encode(event, Mode.STRUCTURED));

    assertThat(TestData.canonicalAttributes(again)).isEqualTo(TestData.canonicalAttributes(event));
    assertThat(again.getData() == null ? null : again.getData().toBytes())
        .isEqualTo(event.getData() == null ? null : event.getData().toBytes());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validFiles")
  void aValidFileRoundTripsInBinaryMode(String file) throws IOException {
    CloudEvent event = TestData.decodeStructured(read(file));
    CloudEvent again = KAFKA.decode(KAFKA.encode(event, Mode.BINARY));

    Map<String, String> expected = TestData.canonicalAttributes(event);
    if (event.getData() != null) {
      expected.putIfAbsent("datacontenttype", "application/json"); // the implied type is written out
    }
    assertThat(TestData.canonicalAttributes(again)).isEqualTo(expected);
    assertThat(again.getData() == null ? null : again.getData().toBytes())
        .isEqualTo(event.getData() == null ? null : event.getData().toBytes());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFiles")
  void anInvalidFileIsRefusedWithItsReasons(String file) throws IOException {
    byte[] body = read(file);

    assertThatThrownBy(() -> TestData.decodeStructured(body))
        .isExactlyInstanceOf(MalformedEventException.class)
        .satisfies(e -> assertThat(((MalformedEventException) e).violations()).isNotEmpty());
  }

  @Test
  void aNullSubjectIsTheSameAsNoSubject() throws IOException {
    assertThat(TestData.decodeStructured(read("valid-null-subject.json")))
        .isEqualTo(TestData.decodeStructured(read("valid-minimal.json")));
  }

  @Test
  void base64DataDecodesToItsBytes() throws IOException {
    CloudEvent event = TestData.decodeStructured(read("valid-base64-data.json"));

    assertThat(event.getData().toBytes()).containsExactly(0, 1, 2, 3, 4, 0xFF);
  }

  @Test
  void aJsonStringIsDataNotAJsonDocumentToParseAgain() throws IOException {
    CloudEvent event = TestData.decodeStructured(read("valid-json-string-data.json"));

    assertThat(TestData.dataText(event)).isEqualTo("\"a JSON string, not a document\"");
  }

  @Test
  void jsonDataWithoutAContentTypeIsLabelledApplicationJsonInBinaryMode() throws IOException {
    CloudEvent event = TestData.decodeStructured(read("valid-json-data-without-content-type.json"));

    assertThat(KAFKA.encode(event, Mode.BINARY).contentType()).isEqualTo("application/json");
  }

  @Test
  void typedExtensionsKeepTheirJsonTypes() throws IOException {
    CloudEvent event = TestData.decodeStructured(read("valid-extensions.json"));

    assertThat(event.getExtension("priority")).isEqualTo(5);
    assertThat(event.getExtension("urgent")).isEqualTo(true);
    assertThat(event.getExtension("tenant")).isEqualTo("acme");
  }
}
