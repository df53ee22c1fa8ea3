package dev.omnibus.rabbitmq.internal;

import dev.omnibus.tck.BindingTckFiles;
import dev.omnibus.tck.Corpus;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The AsyncAPI tck's AMQP binding files, read in place: the AMQP binding's reading of each meets the file's expected
 * outcome ({@link BindingTckFiles}). Skipped without the corpus, failed without it when {@code CI=true}.
 */
class AmqpBindingsTckTest {

  @BeforeAll
  static void needsTheCorpus() {
    Corpus.dir();
  }

  @TestFactory
  Stream<DynamicTest> every_amqp_binding_file_of_the_tck_meets_its_expected_outcome() throws IOException {
    return BindingTckFiles.expectedOutcomes("amqp", AmqpBindings::server, AmqpBindings::channel, AmqpBindings::operation);
  }
}
