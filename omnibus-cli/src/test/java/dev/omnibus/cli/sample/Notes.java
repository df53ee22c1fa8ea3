package dev.omnibus.cli.sample;

import dev.omnibus.EventType;

/** Event types for the command-line tests, found through their package. */
public final class Notes {

  /** A note someone wrote. */
  public record NoteWritten(String noteId, String text) {}

  public static final EventType<NoteWritten> NOTE_WRITTEN =
      EventType.of("com.example.notes.written.v1", NoteWritten.class).channel("notes");

  private Notes() {}
}
