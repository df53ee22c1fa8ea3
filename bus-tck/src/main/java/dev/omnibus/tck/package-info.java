/**
 * The binding conformance kit: {@link dev.omnibus.tck.TransportConformanceSuite}, one abstract JUnit 5 suite every
 * binding extends in a {@code *ConformanceTest} class, with scenarios gated by the binding's declared capabilities.
 */
@NullMarked
package dev.omnibus.tck;

import org.jspecify.annotations.NullMarked;
