package dev.omnibus.asyncapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.omnibus.ConfigurationException;
import dev.omnibus.spi.binding.AmqpOperationBinding;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Fields a binding's schema does not define (Springwolf output, the AsyncAPI rpc examples' AMQP {@code replyTo}) are
 * a warning naming their path; {@code x-omnibus-strict-bindings: true} makes them a problem. A wrong type for a
 * field Omnibus uses is a problem either way.
 */
class AsyncApiBindingToleranceTest {

  private static String document(String top, String operationBinding, String messageBinding) {
    return """
        asyncapi: 2.6.0
        info: {title: t, version: '1'}
        %s
        channels:
          rpc_queue:
            subscribe:
              bindings: {amqp: %s}
              message:
                payload: {type: string}
                bindings: {amqp: %s}
        """.formatted(top, operationBinding, messageBinding);
  }

  private static String loggedWhile(Runnable action) {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(originalErr);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void an_unknown_binding_field_is_a_warning_naming_its_path() {
    String text = document("", "{priority: 5, bindingVersion: 0.3.0}",
        "{replyTo: {type: string}, bindingVersion: 0.3.0}");
    AsyncApiDocument[] loaded = new AsyncApiDocument[1];
    String log = loggedWhile(() -> loaded[0] = AsyncApiDocument.parse(text, "rpc.yaml"));
    assertThat(loaded[0].operations().get(0).bindings().get("amqp", AmqpOperationBinding.class).orElseThrow()
        .priority()).isEqualTo(5);
    assertThat(log).contains("WARN", "channels.rpc_queue.subscribe.message.bindings.amqp.replyTo", "rpc.yaml",
        "x-omnibus-strict-bindings");
  }

  @Test
  void strict_mode_refuses_an_unknown_binding_field_with_its_path() {
    String text = document("x-omnibus-strict-bindings: true", "{bindingVersion: 0.3.0}",
        "{replyTo: {type: string}, bindingVersion: 0.3.0}");
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> AsyncApiDocument.parse(text, "rpc.yaml"));
    assertThat(e.problems()).singleElement().satisfies(problem -> {
      assertThat(problem.path()).isEqualTo("channels.rpc_queue.subscribe.message.bindings.amqp.replyTo");
      assertThat(problem.message()).contains("is not a field of the AMQP message binding 0.3.0");
    });
  }

  @Test
  void a_wrong_type_for_a_field_omnibus_uses_is_still_refused() {
    String text = document("", "{priority: high, bindingVersion: 0.3.0}", "{bindingVersion: 0.3.0}");
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> AsyncApiDocument.parse(text, "rpc.yaml"));
    assertThat(e.problems()).singleElement().satisfies(problem ->
        assertThat(problem.path()).isEqualTo("channels.rpc_queue.subscribe.bindings.amqp.priority"));
  }
}
