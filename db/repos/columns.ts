/**
 * Records and rows by the naming every table here follows: a field `workflowId` is the column
 * `workflow_id`. A repository names the fields it writes or reads as they are, and spells out by
 * hand only the columns that are not (JSON text, numbers, a different name).
 */

const columns = new Map<string, string>();

/** `workflowId` → `workflow_id` (worked out once per field name: every row read asks again). */
export function columnOf(field: string): string {
  let column = columns.get(field);
  if (column === undefined) {
    column = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    columns.set(field, column);
  }
  return column;
}

/** The named fields of a record as a row's columns; a field left undefined is left out, so a patch writes only what it names. */
export function rowOf<T extends object, K extends keyof T & string>(record: T, fields: readonly K[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((f) => record[f] !== undefined).map((f) => [columnOf(f), record[f]]));
}

/** The named text columns of a row as a record's fields (`workflow_id` → `workflowId`). */
export function textOf<K extends string>(row: Record<string, unknown>, fields: readonly K[]): { [F in K]: string } {
  const record = {} as { [F in K]: string };
  for (const f of fields) record[f] = String(row[columnOf(f)]);
  return record;
}
