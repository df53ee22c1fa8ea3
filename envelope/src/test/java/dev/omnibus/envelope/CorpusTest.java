package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/** Tests over the external corpus skip without it, fail without it on CI, and read it where it is. */
class CorpusTest {

  @Test
  void anExistingFolderIsTheCorpus(@TempDir Path dir) {
    assertThat(Corpus.locate(dir.toString(), true)).isEqualTo(dir.toAbsolutePath().normalize());
  }

  @Test
  void withoutTheFolderTheTestIsSkippedSayingHowToGiveIt(@TempDir Path dir) {
    Throwable skipped = catchThrowable(() -> Corpus.locate(dir.resolve("absent").toString(), false));

    assertThat(skipped).isInstanceOf(TestAbortedException.class)
        .hasMessageContaining(dir.resolve("absent").toString()).hasMessageContaining("-Domnibus.corpus=<dir>");
  }

  @Test
  void withoutTheFolderOnCiTheTestFails(@TempDir Path dir) {
    Throwable failed = catchThrowable(() -> Corpus.locate(dir.resolve("absent").toString(), true));

    assertThat(failed).isInstanceOf(AssertionError.class).hasMessageContaining("CI=true requires the corpus");
  }

  @Test
  void withoutTheSettingTheTestIsSkipped() {
    assertThat(catchThrowable(() -> Corpus.locate(null, false))).isInstanceOf(TestAbortedException.class);
  }
}
