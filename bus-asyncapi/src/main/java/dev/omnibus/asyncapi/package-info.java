/**
 * Configuration from AsyncAPI: {@link dev.omnibus.asyncapi.AsyncApiDocument} reads a 2.0–2.6 or 3.0–3.1 document
 * (YAML or JSON, with local and sibling-file {@code $ref}s), and resolves one of its servers, chosen with a
 * {@link dev.omnibus.asyncapi.ServerSelection}, into the {@link dev.omnibus.spi.ServerConfig} a transport opens.
 * Its channels, operations and messages are {@link dev.omnibus.asyncapi.AsyncApiChannel},
 * {@link dev.omnibus.asyncapi.AsyncApiOperation} and {@link dev.omnibus.asyncapi.AsyncApiMessage}.
 *
 * <p>Every problem found is reported at once, in one {@link dev.omnibus.ConfigurationException} whose problems
 * each name their document path ({@code servers.production.variables.port}).
 */
@NullMarked
package dev.omnibus.asyncapi;

import org.jspecify.annotations.NullMarked;
