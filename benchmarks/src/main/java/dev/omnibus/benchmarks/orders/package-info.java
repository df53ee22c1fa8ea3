/** The order events every benchmark publishes, shared by the JMH benchmarks and the loopback runner. */
@NullMarked
package dev.omnibus.benchmarks.orders;

import org.jspecify.annotations.NullMarked;
