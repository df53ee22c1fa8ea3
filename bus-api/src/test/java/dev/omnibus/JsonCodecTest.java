package dev.omnibus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The JSON payload codec reads with its mapper's reader for the type, made at the first decode. */
class JsonCodecTest {

  record Note(String text) {}

  @Test
  void readsEveryPayloadWithTheReaderMadeAtTheFirst() {
    PayloadCodec<Note> codec = PayloadCodec.json(Note.class);

    assertThat(codec.decode(codec.encode(new Note("a")))).isEqualTo(new Note("a"));
    assertThat(codec.decode(json("{\"text\":\"b\",\"unknown\":1}"))).isEqualTo(new Note("b"));
  }

  @Test
  void aMapperConfiguredAfterTheCodecWasMadeReadsWithThatConfiguration() {
    ObjectMapper mapper = new ObjectMapper();
    PayloadCodec<Note> codec = PayloadCodec.json(Note.class, mapper);
    mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    assertThat(codec.decode(json("{\"text\":\"c\",\"unknown\":1}"))).isEqualTo(new Note("c"));
  }

  @Test
  void aPayloadThatIsNotTheTypesJsonFailsWithWhatWasExpected() {
    PayloadCodec<Note> codec = PayloadCodec.json(Note.class);

    assertThatThrownBy(() -> codec.decode(json("[1, 2]")))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Cannot read JSON as " + Note.class.getName());
    assertThatThrownBy(() -> codec.decode(json("null")))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("JSON payload is null");
  }

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
