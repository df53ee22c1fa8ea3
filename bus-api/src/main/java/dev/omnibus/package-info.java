/**
 * The Omnibus API: {@link dev.omnibus.EventBus}, {@link dev.omnibus.EventType}, {@link dev.omnibus.Event} and the
 * exception hierarchy rooted at {@link dev.omnibus.EventBusException}.
 */
@NullMarked
package dev.omnibus;

import org.jspecify.annotations.NullMarked;
