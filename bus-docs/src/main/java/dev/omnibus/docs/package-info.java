/**
 * Documentation from an AsyncAPI document: {@link dev.omnibus.docs.AsyncApiDocs} writes one self-contained HTML page
 * and a Markdown file with the servers, channels, operations and messages of a document (example payloads, schemas
 * as tables, bindings in words) and a "Delivery semantics" section saying what Omnibus does on each server.
 */
@NullMarked
package dev.omnibus.docs;

import org.jspecify.annotations.NullMarked;
