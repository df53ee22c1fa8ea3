/**
 * How AsyncAPI documents are read: sources and {@code $ref}s, the 2.x and 3.x document shapes, bindings, security
 * schemes and server resolution. Not an API: no other module may import this package.
 */
@NullMarked
package dev.omnibus.asyncapi.internal;

import org.jspecify.annotations.NullMarked;
