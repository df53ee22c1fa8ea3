/**
 * The test kit: {@link dev.omnibus.test.OmnibusExtension} gives each JUnit 5 test a fresh in-memory broker and bus,
 * {@link dev.omnibus.test.BusRecorder} records what the bus published, consumed, failed and dead-lettered,
 * {@link dev.omnibus.test.OmnibusAssertions} asserts on it with AssertJ, and {@link dev.omnibus.test.TestClock} lets
 * retries wait without real time passing.
 */
@NullMarked
package dev.omnibus.test;

import org.jspecify.annotations.NullMarked;
