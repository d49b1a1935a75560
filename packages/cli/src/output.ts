// What the CLI prints: JSON (the API's own objects, for scripts) or an aligned table (for people).
export type OutputFormat = "table" | "json";

export interface Column<T> {
  header: string;
  value: (row: T) => string | null | undefined;
}

export function print<T>(format: OutputFormat, data: T | T[], columns: Column<T>[]): void {
  if (format === "json") {
    process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  const rows = Array.isArray(data) ? data : [data];
  const cells = [columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => c.value(r) ?? "-"))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const lines = cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ").trimEnd());
  process.stdout.write(`${lines.join("\n")}\n`);
}
