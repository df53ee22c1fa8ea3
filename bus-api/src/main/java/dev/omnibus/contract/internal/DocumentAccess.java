package dev.omnibus.contract.internal;

import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.asyncapi.internal.ParsedDocument;
import dev.omnibus.asyncapi.internal.ParsedDocuments;

/**
 * Reads the server templates behind an {@link AsyncApiDocument}, which its public API exposes only resolved (variables
 * filled, credentials required): the export needs the templates ({@code {host}:{port}} with its variables).
 */
final class DocumentAccess {

  private DocumentAccess() {}

  static ParsedDocument parsed(AsyncApiDocument document) {
    return ParsedDocuments.of(document);
  }
}
