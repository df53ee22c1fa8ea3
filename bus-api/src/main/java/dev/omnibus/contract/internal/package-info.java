/** Payload validation against AsyncAPI schemas; no other module may use it. */
@NullMarked
package dev.omnibus.contract.internal;

import org.jspecify.annotations.NullMarked;
