/** RFC 4180 CSV; cells that a spreadsheet would run as a formula are prefixed with a quote. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: Record<string, unknown>[], columns?: string[]): string {
  const header = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const lines = [header.map(cell).join(',')];
  for (const r of rows) lines.push(header.map((c) => cell(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
