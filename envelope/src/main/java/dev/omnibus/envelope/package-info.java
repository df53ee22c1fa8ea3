/**
 * The CloudEvents envelope: validation of events against the CloudEvents 1.0 specification, and the mapping of an
 * event to and from a protocol-neutral {@link dev.omnibus.envelope.WireMessage} in binary or structured mode, with one
 * {@link dev.omnibus.envelope.HeaderConvention} per protocol.
 */
@NullMarked
package dev.omnibus.envelope;

import org.jspecify.annotations.NullMarked;
