/**
 * Metrics for Omnibus: {@link dev.omnibus.micrometer.OmnibusMetrics}, an interceptor recording publishes and
 * handlings as Micrometer meters.
 */
@NullMarked
package dev.omnibus.micrometer;

import org.jspecify.annotations.NullMarked;
