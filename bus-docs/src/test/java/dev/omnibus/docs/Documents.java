package dev.omnibus.docs;

import dev.omnibus.asyncapi.AsyncApiDocument;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** The test documents: the fixtures of this module and the examples' document. */
final class Documents {

  private Documents() {}

  static Path fixture(String name) {
    try {
      return Path.of(Documents.class.getResource("/documents/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static AsyncApiDocument shipping() {
    return AsyncApiDocument.load(fixture("shipping.yaml"));
  }

  /** The document of the examples module, which the examples run against. */
  static Path example() {
    return Path.of(System.getProperty("omnibus.docs.example",
        Path.of("..", "examples", "src", "main", "resources", "asyncapi.yaml").toString()));
  }
}
