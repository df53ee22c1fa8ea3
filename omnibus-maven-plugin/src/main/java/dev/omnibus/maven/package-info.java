/**
 * The Omnibus Maven plugin: {@code omnibus:export} writes the AsyncAPI document of a project's event types and
 * {@code omnibus:check} fails the build on a breaking change between two documents. See docs/contracts.md.
 */
@NullMarked
package dev.omnibus.maven;

import org.jspecify.annotations.NullMarked;
