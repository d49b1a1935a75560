// A start time in the reader's own zone (datetime-local), shown converted to UTC, which is what the API gets.
import { useState } from "preact/hooks";
import { localInputToUtc, timeZone, toLocalInput, utcTime } from "../time";

export interface BookFormProps {
  legend: string;
  submitLabel: string;
  initial: number;
  withNote?: boolean;
  /** Resolves with a problem in words, or null when done. */
  onSubmit(startAtUtc: string, note: string): Promise<string | null>;
}

export function BookForm({ legend, submitLabel, initial, withNote = true, onSubmit }: BookFormProps) {
  const [value, setValue] = useState(toLocalInput(initial));
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const utc = localInputToUtc(value);
  const id = legend.replace(/\W+/g, "-").toLowerCase();
  return (
    <form
      class="book-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!utc) return setProblem("Enter a date and time.");
        setBusy(true);
        setProblem(await onSubmit(utc, note));
        setBusy(false);
      }}
    >
      <fieldset>
        <legend>{legend}</legend>
        <label for={`${id}-start`}>Start ({timeZone()})</label>
        <input id={`${id}-start`} type="datetime-local" name="startAt" value={value} required onInput={(e) => setValue(e.currentTarget.value)} />
        <p class="utc" aria-live="polite">{utc ? `= ${utcTime(utc)}` : ""}</p>
        {withNote && (
          <>
            <label for={`${id}-note`}>Note (optional)</label>
            <input id={`${id}-note`} type="text" name="note" maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          </>
        )}
        <button type="submit" disabled={busy}>{busy ? "Working…" : submitLabel}</button>
        {problem && <p role="alert" class="error">{problem}</p>}
      </fieldset>
    </form>
  );
}

/** A sensible first suggestion: in an hour, or when the window opens, on a quarter hour. */
export function suggestedStart(windowStart: string | null | undefined): number {
  const soon = Date.now() + 60 * 60_000;
  const t = Math.max(soon, windowStart ? Date.parse(windowStart) + 15 * 60_000 : 0);
  return Math.ceil(t / (15 * 60_000)) * 15 * 60_000;
}
