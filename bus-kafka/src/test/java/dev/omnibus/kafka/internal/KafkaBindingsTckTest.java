package dev.omnibus.kafka.internal;

import dev.omnibus.tck.BindingTckFiles;
import dev.omnibus.tck.Corpus;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The AsyncAPI tck's Kafka binding files, read in place: the Kafka binding's reading of each meets the file's expected
 * outcome ({@link BindingTckFiles}). Skipped without the corpus, failed without it when {@code CI=true}.
 */
class KafkaBindingsTckTest {

  @BeforeAll
  static void needsTheCorpus() {
    Corpus.dir();
  }

  @TestFactory
  Stream<DynamicTest> every_kafka_binding_file_of_the_tck_meets_its_expected_outcome() throws IOException {
    return BindingTckFiles.expectedOutcomes("kafka", KafkaBindings::server, KafkaBindings::channel, KafkaBindings::operation);
  }
}
