/**
 * The transport SPI: what a broker binding implements. It is byte level: it knows destinations (resolved channel
 * addresses), {@link dev.omnibus.envelope.WireMessage}s and acknowledgements, and nothing of Java payload types.
 * Typed marshalling, validation, retries, dead letters and dedupe live above it, once, in {@code bus-api}.
 *
 * <p>A binding provides a {@link dev.omnibus.spi.TransportProvider}, registered for {@link java.util.ServiceLoader} in
 * {@code META-INF/services/dev.omnibus.spi.TransportProvider}, and proves itself by running the {@code bus-tck} suite.
 */
@NullMarked
package dev.omnibus.spi;

import org.jspecify.annotations.NullMarked;
