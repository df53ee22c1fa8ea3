/**
 * {@code java -jar omnibus-cli.jar}: the export and compatibility check of {@code bus-contracts} from the command
 * line. See docs/contracts.md.
 */
@NullMarked
package dev.omnibus.cli;

import org.jspecify.annotations.NullMarked;
