package dev.omnibus.tck;

import dev.omnibus.DedupeStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.function.Consumer;

/**
 * A dedupe store that a group's processes share, for {@link ChildBus} members: one empty marker file per handled event
 * in a directory, as a shared database table would be in production. It tells each delivery it recognises, by event
 * id, to {@code onDuplicate}. Thread-safe (the file system decides); it forgets nothing, so give each run a directory
 * of its own.
 */
final class DirectoryDedupeStore implements DedupeStore {

  private final Path directory;
  private final Consumer<String> onDuplicate;

  DirectoryDedupeStore(Path directory, Consumer<String> onDuplicate) {
    this.directory = directory;
    this.onDuplicate = onDuplicate;
  }

  @Override
  public boolean wasHandled(String key) {
    boolean handled = Files.exists(markerOf(key));
    if (handled) {
      onDuplicate.accept(key.substring(key.lastIndexOf(' ') + 1)); // the key ends in " <event id>"
    }
    return handled;
  }

  @Override
  public void markHandled(String key) {
    try {
      Files.createFile(markerOf(key));
    } catch (FileAlreadyExistsException e) {
      // handled twice (two members raced): remembered already
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A file name of the key's bytes in URL-safe Base64, which holds any key (sources are URIs). */
  private Path markerOf(String key) {
    return directory.resolve(Base64.getUrlEncoder().withoutPadding()
        .encodeToString(key.getBytes(StandardCharsets.UTF_8)));
  }
}
