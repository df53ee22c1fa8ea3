/** Benchmarks of Omnibus against the raw clients and the CloudEvents SDK; see docs/benchmarks.md. */
@NullMarked
package dev.omnibus.benchmarks.loopback;

import org.jspecify.annotations.NullMarked;
