/**
 * Server-Sent Events for Omnibus: {@link dev.omnibus.sse.SseBridge} exposes channels of an
 * {@link dev.omnibus.EventBus} to browsers as {@code text/event-stream}, one SSE event per CloudEvent.
 */
@NullMarked
package dev.omnibus.sse;

import org.jspecify.annotations.NullMarked;
