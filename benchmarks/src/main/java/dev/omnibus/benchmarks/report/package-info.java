/** Benchmarks of Omnibus against the raw clients and the CloudEvents SDK; see docs/benchmarks.md. */
@NullMarked
package dev.omnibus.benchmarks.report;

import org.jspecify.annotations.NullMarked;
