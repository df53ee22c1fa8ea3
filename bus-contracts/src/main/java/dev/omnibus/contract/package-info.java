/**
 * The AsyncAPI document as a contract: {@link dev.omnibus.contract.Contracts} exports a document from event types
 * and compares two documents for breaking changes; {@link dev.omnibus.contract.ExportCommand} and
 * {@link dev.omnibus.contract.CompatCommand} do the same from the command line. Payload validation itself is switched
 * on the bus builder ({@code EventBus.builder().validation(...)}).
 */
@NullMarked
package dev.omnibus.contract;

import org.jspecify.annotations.NullMarked;
