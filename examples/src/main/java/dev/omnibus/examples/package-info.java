/** Runnable services of an orders domain over one AsyncAPI document; in-memory by default. */
@NullMarked
package dev.omnibus.examples;

import org.jspecify.annotations.NullMarked;
