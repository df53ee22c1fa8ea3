/** Implementation of the in-memory broker; no other module may use it. */
@NullMarked
package dev.omnibus.memory.internal;

import org.jspecify.annotations.NullMarked;
