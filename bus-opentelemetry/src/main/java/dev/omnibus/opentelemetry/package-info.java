/**
 * Tracing for Omnibus: {@link dev.omnibus.opentelemetry.OmnibusTracing}, an interceptor making OpenTelemetry spans
 * of publishes and handlings, the context carried in the CloudEvents distributed-tracing extension.
 */
@NullMarked
package dev.omnibus.opentelemetry;

import org.jspecify.annotations.NullMarked;
