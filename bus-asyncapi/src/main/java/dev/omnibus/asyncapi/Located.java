package dev.omnibus.asyncapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;

/**
 * A node of a document together with the file it was read from, so that the relative {@code $ref}s inside it
 * resolve against that file.
 *
 * @param node the node
 * @param file the file (a {@code file:}, {@code classpath:} or {@code string:} URI)
 */
record Located(JsonNode node, URI file) {

  Located at(String field) {
    return new Located(node.path(field), file);
  }
}
