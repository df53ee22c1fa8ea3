package dev.omnibus.contract.internal;

import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.asyncapi.internal.ParsedDocument;
import java.lang.reflect.Field;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the server templates behind an {@link AsyncApiDocument}, which its public API exposes only resolved (variables
 * filled, credentials required). A stop-gap until {@code AsyncApiDocument} offers them: the export needs the
 * templates ({@code {host}:{port}} with its variables), not one resolved server.
 */
final class DocumentAccess {

  private static final Logger LOG = LoggerFactory.getLogger(DocumentAccess.class);

  private DocumentAccess() {}

  static @Nullable ParsedDocument parsed(AsyncApiDocument document) {
    try {
      Field field = AsyncApiDocument.class.getDeclaredField("parsed");
      field.setAccessible(true);
      return (ParsedDocument) field.get(document);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("Cannot read the servers of {} ({}); the export lists none", document.origin(), e.toString());
      return null;
    }
  }
}
