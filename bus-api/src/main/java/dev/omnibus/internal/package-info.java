/** Implementation of the bus; no other module may use it. */
@NullMarked
package dev.omnibus.internal;

import org.jspecify.annotations.NullMarked;
