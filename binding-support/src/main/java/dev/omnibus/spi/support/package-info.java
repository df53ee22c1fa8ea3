/**
 * What the broker bindings share, written once: a {@link dev.omnibus.spi.support.SettleOnceDelivery} whose ack and
 * nack take effect once, an {@link dev.omnibus.spi.support.OptionReader} for {@code x-omnibus-*} options with one
 * naming convention, {@link dev.omnibus.spi.support.InFlight} counting for {@code Transport.flush}, a
 * {@link dev.omnibus.spi.support.PublishWindow} that keeps {@code Transport.send} from blocking while the connection is
 * down or the broker is slow to confirm, and {@link dev.omnibus.spi.support.Causes} for the text of a client's failure.
 *
 * <p>For binding authors; an application never sees these types. See {@code docs/implementing-a-binding.md}.
 */
@NullMarked
package dev.omnibus.spi.support;

import org.jspecify.annotations.NullMarked;
