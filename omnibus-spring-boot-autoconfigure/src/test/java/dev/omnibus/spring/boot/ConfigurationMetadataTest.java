package dev.omnibus.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigurationMetadataTest {

  @Test
  void theJarDescribesTheOmnibusPropertiesForIdes() throws IOException {
    List<String> documents = new ArrayList<>();
    for (URL url : Collections.list(getClass().getClassLoader()
        .getResources("META-INF/spring-configuration-metadata.json"))) {
      try (InputStream in = url.openStream()) {
        documents.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }

    assertThat(documents).anySatisfy(json -> assertThat(json)
        .contains("\"omnibus.asyncapi\"", "\"omnibus.server\"", "\"omnibus.close-timeout\"", "\"omnibus.in-memory\"",
            "\"omnibus.metrics.enabled\"", "\"omnibus.tracing.enabled\""));
  }
}
