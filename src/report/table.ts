// Terminal tables (cli-table3) with a compact style shared by every command.
import Table from 'cli-table3';

/** Renders rows under a header as a boxed terminal table; numbers are right-aligned. */
export function renderTable(head: string[], rows: (string | number)[][]): string {
  const table = new Table({
    head,
    style: { head: [], border: [], compact: true },
    colAligns: head.map((_, i) => (rows.every((r) => typeof r[i] === 'number' || /^[\d.,%x+\-\s]+[a-zA-Z%]*$/.test(String(r[i]))) ? 'right' : 'left')),
  });
  for (const r of rows) table.push(r.map(String));
  return table.toString();
}
