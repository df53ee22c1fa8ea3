package dev.omnibus.sse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How one CloudEvent is written as an SSE event. */
class SseFrameTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void jsonDataWithLineBreaksBecomesSeveralDataLinesThatJoinBackToTheSameJson() throws Exception {
    CloudEvent event = CloudEventBuilder.v1().withId("e-1").withSource(URI.create("/test"))
        .withType("com.example.pretty").withDataContentType("application/json")
        .withData("{\r\n  \"a\": 1,\n  \"b\": \"two\"\r}".getBytes(StandardCharsets.UTF_8)).build();

    String frame = new String(SseFrame.of(event).bytes(), StandardCharsets.UTF_8);

    assertThat(frame).startsWith("id: e-1\nevent: com.example.pretty\ndata: ").endsWith("\n\n");
    List<String> dataLines = frame.lines().filter(line -> line.startsWith("data: ")).toList();
    assertThat(dataLines).hasSize(4);
    String joined = String.join("\n", dataLines.stream().map(line -> line.substring("data: ".length())).toList());
    assertThat(JSON.readTree(joined).get("data")).isEqualTo(JSON.readTree("{\"a\": 1, \"b\": \"two\"}"));
    assertThat(frame).doesNotContain("\r");
  }

  @Test
  void theResetNoticeQuotesTheIdItCouldNotFind() throws Exception {
    String notice = new String(SseFrame.reset("a\"b", 2), StandardCharsets.UTF_8);

    assertThat(notice).startsWith("event: omnibus.reset\ndata: ");
    String data = notice.lines().filter(line -> line.startsWith("data: ")).findFirst().orElseThrow().substring(6);
    assertThat(JSON.readTree(data).get("lastEventId").asText()).isEqualTo("a\"b");
    assertThat(JSON.readTree(data).get("replayed").asInt()).isEqualTo(2);
  }
}
