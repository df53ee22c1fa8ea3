/** An orders service on Spring Boot and Omnibus: HTTP in, events out, a listener that charges orders. */
@NullMarked
package dev.omnibus.examples.boot;

import org.jspecify.annotations.NullMarked;
