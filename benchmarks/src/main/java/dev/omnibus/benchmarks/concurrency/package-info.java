/** The concurrency section: a slow handler at concurrency 1 against 16, per binding, with order per key checked. */
@NullMarked
package dev.omnibus.benchmarks.concurrency;

import org.jspecify.annotations.NullMarked;
