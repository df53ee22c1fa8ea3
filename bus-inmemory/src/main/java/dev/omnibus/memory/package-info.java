/**
 * The in-memory binding, protocol {@code memory}: a broker inside the JVM with the semantics of the real ones, and the
 * test double applications assert against ({@link dev.omnibus.memory.InMemoryBroker}).
 */
@NullMarked
package dev.omnibus.memory;

import org.jspecify.annotations.NullMarked;
