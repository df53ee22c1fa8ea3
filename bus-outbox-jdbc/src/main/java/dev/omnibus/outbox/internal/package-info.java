/** The SQL of the outbox and inbox tables; not for use outside this module. */
@NullMarked
package dev.omnibus.outbox.internal;

import org.jspecify.annotations.NullMarked;
