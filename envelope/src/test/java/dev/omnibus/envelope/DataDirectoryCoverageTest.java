package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file under the shared {@code cloudevents/} data is used by a test of this module with its expected outcome:
 * a file added there without a test here fails, and so does an entry here whose file is gone.
 */
class DataDirectoryCoverageTest {

  @BeforeAll
  static void corpus() {
    Corpus.dir();
  }

  /** Which test reads each file (the sdk-java files are checked one by one by {@link SdkJavaJsonFilesTest}). */
  private static final Map<String, Class<?>> USED_BY = Map.ofEntries(
      Map.entry("README.md", DataDirectoryCoverageTest.class),
      Map.entry("json-format-vectors.json", JsonFormatVectorsTest.class),
      Map.entry("conformance/features_kafka-protocol-binding.feature", ConformanceFeaturesTest.class),
      Map.entry("conformance/features_http-protocol-binding.feature", ConformanceFeaturesTest.class),
      Map.entry("conformance/yaml_v1.yaml", ConformanceYamlTest.class),
      Map.entry("conformance/yaml_v1.0_v1_minimum.yaml", ConformanceYamlTest.class),
      Map.entry("spec/cloudevents.schema.json", SpecFilesTest.class),
      Map.entry("spec/asyncapi-trait-cloudevents-headers-kafka-binary.yaml", SpecFilesTest.class));

  private static final String SDK_JAVA_DIR = "sdk-java-json-v1/";

  static List<String> files() {
    return TestData.filesUnder(".").stream().map(f -> f.startsWith("./") ? f.substring(2) : f).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void eachFileIsUsedByATest(String file) {
    if (file.startsWith(SDK_JAVA_DIR)) {
      assertThat(SdkJavaJsonFilesTest.files()).contains(file.substring(SDK_JAVA_DIR.length()));
    } else {
      assertThat(USED_BY).as("no test uses %s: add one and register it in USED_BY", file).containsKey(file);
    }
  }

  @Test
  void everyRegisteredFileExists() {
    assertThat(files()).containsAll(USED_BY.keySet());
  }

  @Test
  void everyFileTheReadmeNamesIsInTheDirectory() {
    String readme = TestData.text("README.md");
    List<String> names = files().stream().map(f -> f.substring(f.lastIndexOf('/') + 1)).toList();
    Matcher quoted = Pattern.compile("`([A-Za-z0-9_.\\-]+\\.(json|yaml|feature))`").matcher(readme);
    int found = 0;
    while (quoted.find()) {
      String name = quoted.group(1);
      found++;
      assertThat(names).as("file named by the README").contains(name);
    }
    assertThat(found).isGreaterThan(20);
  }
}
