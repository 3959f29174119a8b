/**
 * The field registry, generic over the kind of row it describes (a process
 * of an interval; other row kinds, such as cgroups, get a registry of their
 * own built from the same Field type). One entry per field says everything
 * the outputs would otherwise repeat: how it prints, how it sorts, how it
 * folds into a summed row, its --json key and its Prometheus metric.
 *
 * How to add a field (a process column, say):
 *  1. parse it in src/procfs/, carry it in the sample (src/sample.ts, set by
 *     src/reader/sampler.ts) and, when it is not a plain copy of the sample,
 *     compute it in the model (src/model/process.ts, one property of ProcInterval);
 *  2. add ONE entry to the row kind's registry (src/columns/process.ts):
 *     name, width, `key` (the row property) or `get`, `format`, and as needed
 *     `fold` (per-user/per-program rows; `foldOf` when what folds is not
 *     the sort value), `json` (the --json key; the JSON
 *     lists fields in registry order) and `metric` (Prometheus);
 *  3. name it in a view (src/columns/views.ts) to show it; a name the registry
 *     lacks does not compile.
 * The screen, --text, --sort/O, --json, the aggregate views and the
 * exposition all read the entry; none of them names the field again.
 */

export type SortValue = number | string | undefined;

/**
 * How a field's values fold into one row of an aggregate view (atop's u and p):
 * 'sum' adds them (unknown counts as 0), 'sumKnown' adds the known ones and
 * stays unknown when all are, 'max' keeps the largest known, 'first' the first
 * row's value. Fields without a fold keep the blank row's value.
 */
export type Fold = 'sum' | 'sumKnown' | 'max' | 'first';

/** A field exported to Prometheus: one gauge (or counter) family, one series per exported row. */
export interface Metric<Row = unknown> {
  /** The family name after the row kind's prefix (memtop_process_), in base units; a counter's without `_total`. */
  name: string;
  help: string;
  /** OpenMetrics # UNIT; the name then ends in `_<unit>`. */
  unit?: string;
  /** Exported per second of the interval (value / elapsed), and only when the interval has rates. */
  perSecond?: boolean;
  /**
   * A counter: the kernel's running total for the row (the value exported, as
   * `<name>_total`), where the field itself is that total's change over the
   * interval. Prometheus' rate() then works on it; no per-second gauge is made.
   */
  total?(r: Row): number | undefined;
}

export interface Field<Row, Name extends string = string> {
  /** Upper-case name as typed for --sort and O, and shown as header. */
  name: Name;
  width: number;
  /** Left-aligned fields (commands, users) pad on the right. */
  left?: boolean;
  /** The row property the value is (and that `fold` writes on a summed row). */
  key?: keyof Row & string;
  /** How the value folds into a summed row; needs `key`. */
  fold?: Fold;
  /**
   * What a row adds to the fold when that is not its `get` (the sort value):
   * LEAK sorts suspects first by rate but folds into a count of suspects.
   */
  foldOf?(r: Row): number | undefined;
  /** Key in the JSON output, when the field is part of the JSON schema. */
  json?: string;
  /** The JSON value when it differs from `get` (units, rounding). */
  toJson?(r: Row): unknown;
  /** Whether the row carries the field in JSON at all (absent rather than null otherwise). */
  jsonWhen?(r: Row): boolean;
  metric?: Metric<Row>;
  /** The value sorting, folding and the exposition use (descending; undefined sorts last). */
  get(r: Row): SortValue;
  /**
   * The value the sort uses when it is not `get` (RGROW and TRATE rank what grew
   * above what was born; atop's order, `--sort-atop`, sorts on `get`).
   */
  rank?(r: Row): SortValue;
  /** The cell's text, exactly `width` characters. */
  format(r: Row): string;
}

/** A field whose value is the row property `key`: its getter comes from the key. */
export function keyed<Row, K extends keyof Row & string>(key: K): { key: K; get: (r: Row) => SortValue } {
  return { key, get: (r) => r[key] as SortValue };
}

/**
 * Folds `rows` into `into` (a blank row of the same kind) along every field
 * with a `fold`, each field's value (its `get`) written to its `key`.
 */
export function foldRows<Row>(fields: readonly Field<Row>[], into: Row, rows: readonly Row[]): Row {
  const out = into as Record<string, unknown>;
  for (const f of fields) {
    if (!f.fold || !f.key) continue;
    const k = f.key;
    const value = f.foldOf ?? f.get;
    let acc = out[k] as number | undefined;
    for (let i = 0; i < rows.length; i++) {
      const v = value(rows[i]!);
      switch (f.fold) {
        case 'sum':
          acc = (acc ?? 0) + ((v as number | undefined) ?? 0);
          break;
        case 'sumKnown':
          if (v !== undefined) acc = (acc ?? 0) + (v as number);
          break;
        case 'max':
          if (v !== undefined && (acc === undefined || (v as number) > acc)) acc = v as number;
          break;
        case 'first':
          if (i === 0) acc = v as number | undefined;
          break;
      }
    }
    out[k] = acc;
  }
  return into;
}

/** The fields of the JSON schema, in registry order. */
export function jsonFields<Row>(fields: readonly Field<Row>[]): Field<Row>[] {
  return fields.filter((f) => f.json !== undefined);
}

/** One row as a JSON object: each JSON field's value, null where unknown, absent where `jsonWhen` says so. */
export function rowJson<Row>(fields: readonly Field<Row>[], r: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.jsonWhen && !f.jsonWhen(r)) continue;
    out[f.json!] = (f.toJson ? f.toJson(r) : f.get(r)) ?? null;
  }
  return out;
}

/** The name of one spec item 'NAME:prio' (or 'NAME'). */
type ItemName<I extends string> = I extends `${infer N}:${string}` ? N : I;

/** The names of a spec 'A:10 B:9 ...' that are not among `Names` (never when all are). */
export type UnknownIn<S extends string, Names extends string> = S extends `${infer I} ${infer Rest}`
  ? (ItemName<I> extends Names ? never : ItemName<I>) | UnknownIn<Rest, Names>
  : ItemName<S> extends Names ? never : ItemName<S>;

/** 'A:10 B:9 C': names with their priorities (0 when not given), as views and line layouts write them. */
export function parseSpec<Name extends string>(s: string): { name: Name; prio: number }[] {
  return s.split(/\s+/).filter(Boolean).map((item) => {
    const [name, prio] = item.split(':');
    return { name: name as Name, prio: Number(prio ?? 0) };
  });
}

/**
 * The fields that fit in `width` characters with one space between each,
 * as atop's getspacings(): the lowest priority goes first, leftmost first
 * among equals; the survivors keep their order.
 */
export function fitByPriority<F extends { width: number }>(fields: readonly { prio: number; col: F }[], width: number): F[] {
  const cols = fields.slice();
  const total = () => cols.reduce((n, c) => n + c.col.width, 0) + cols.length - 1;
  while (cols.length > 1 && total() > width) {
    let lowest = 0;
    for (let i = 1; i < cols.length; i++) if (cols[i]!.prio < cols[lowest]!.prio) lowest = i;
    cols.splice(lowest, 1);
  }
  return cols.map((c) => c.col);
}
