package dev.omnibus.asyncapi.internal;

import dev.omnibus.asyncapi.AsyncApiDocument;
import java.util.function.Function;

/**
 * Gives Omnibus's own modules the parsed model behind an {@link AsyncApiDocument} (e.g. server templates for the
 * export) without making it public API: {@code AsyncApiDocument} registers the accessor when its class initializes.
 */
public final class ParsedDocuments {

  private static volatile Function<AsyncApiDocument, ParsedDocument> access = document -> {
    throw new IllegalStateException("AsyncApiDocument is not initialized");
  };

  private ParsedDocuments() {}

  /** Called once, by {@link AsyncApiDocument}'s static initializer. */
  public static void register(Function<AsyncApiDocument, ParsedDocument> accessor) {
    access = accessor;
  }

  /** The parsed model of a document. */
  public static ParsedDocument of(AsyncApiDocument document) {
    return access.apply(document);
  }
}
