import type { Expr } from './ast.js';
import type { CompiledExpr, Getter, Row } from './row.js';
import { makePeriod } from './time-units.js';
import { formatTimestamp, toNumber, toText, type Value, type ValueKind } from './value-format.js';

/**
 * Scalar functions (docs CWL_QuerySyntax-operations-functions.html). Every function treats an absent
 * argument as absent and returns absent rather than throwing; results that are not finite numbers
 * (e.g. sqrt(-1)) are absent too.
 */
export interface FunctionSpec {
  min: number;
  max: number;
  /** Returns the compiled call, or a string saying what is wrong with the arguments. */
  build(args: CompiledExpr[], nodes: Expr[], timestamp: () => CompiledExpr): CompiledExpr | string;
}

const plain = (get: Getter): CompiledExpr => ({ get, kind: 'plain' });
const finite = (n: number): Value => (Number.isFinite(n) ? n : undefined);

/** Reads an expression as text; timestamp-kind numbers read as "YYYY-MM-DD HH:MM:SS.mmm". */
export function textGetter(c: CompiledExpr): (row: Row) => string | undefined {
  const g = c.get;
  if (c.kind === 'timestamp') {
    return (row) => {
      const v = g(row);
      return typeof v === 'number' ? formatTimestamp(v) : toText(v);
    };
  }
  return (row) => toText(g(row));
}

function stringFn(f: (s: string) => Value): FunctionSpec['build'] {
  return ([a]) => {
    const g = textGetter(a as CompiledExpr);
    return plain((row) => {
      const s = g(row);
      return s === undefined ? undefined : f(s);
    });
  };
}

function numberFn(f: (n: number) => number): FunctionSpec['build'] {
  return ([a]) => {
    const g = (a as CompiledExpr).get;
    return plain((row) => {
      const n = toNumber(g(row));
      return n === undefined ? undefined : finite(f(n));
    });
  };
}

function periodFn(which: 'floor' | 'ceil', hasTimestampArg: boolean): FunctionSpec['build'] {
  return (args, nodes, timestamp) => {
    const durationNode = nodes[hasTimestampArg ? 1 : 0];
    if (durationNode?.kind !== 'duration') return 'expected a time period such as 5m, 1h or 1d';
    const period = makePeriod(durationNode.amount, durationNode.unit);
    if (typeof period === 'string') return period;
    const source = hasTimestampArg ? (args[0] as CompiledExpr) : timestamp();
    const g = source.get;
    const round = period[which];
    return {
      kind: 'timestamp',
      get: (row) => {
        const n = toNumber(g(row));
        return n === undefined ? undefined : finite(round(n));
      },
    };
  };
}

function present(v: Value): boolean {
  return v !== undefined;
}

/** The scalar function table, by lower-case name. */
export const SCALAR_FUNCTIONS: Readonly<Record<string, FunctionSpec>> = {
  strlen: { min: 1, max: 1, build: stringFn((s) => s.length) },
  tolower: { min: 1, max: 1, build: stringFn((s) => s.toLowerCase()) },
  toupper: { min: 1, max: 1, build: stringFn((s) => s.toUpperCase()) },
  trim: { min: 1, max: 1, build: stringFn((s) => s.trim()) },
  ltrim: { min: 1, max: 1, build: stringFn((s) => s.trimStart()) },
  rtrim: { min: 1, max: 1, build: stringFn((s) => s.trimEnd()) },
  abs: { min: 1, max: 1, build: numberFn(Math.abs) },
  floor: { min: 1, max: 1, build: numberFn(Math.floor) },
  ceil: { min: 1, max: 1, build: numberFn(Math.ceil) },
  sqrt: { min: 1, max: 1, build: numberFn(Math.sqrt) },
  log: { min: 1, max: 1, build: numberFn(Math.log) },
  pow: {
    min: 2,
    max: 2,
    build: ([a, b]) => {
      const ga = (a as CompiledExpr).get;
      const gb = (b as CompiledExpr).get;
      return plain((row) => {
        const x = toNumber(ga(row));
        const y = toNumber(gb(row));
        return x === undefined || y === undefined ? undefined : finite(x ** y);
      });
    },
  },
  greatest: { min: 1, max: 100, build: (args) => extreme(args, 1) },
  least: { min: 1, max: 100, build: (args) => extreme(args, -1) },
  // strcontains returns 1 or 0 (docs: "Returns 1 if str contains searchValue and 0 otherwise").
  strcontains: {
    min: 2,
    max: 2,
    build: ([a, b]) => {
      const ga = textGetter(a as CompiledExpr);
      const gb = textGetter(b as CompiledExpr);
      return plain((row) => {
        const s = ga(row);
        const t = gb(row);
        return s === undefined || t === undefined ? undefined : s.includes(t) ? 1 : 0;
      });
    },
  },
  // substr(str, start[, length]) with a zero-based start, as in the docs' examples.
  substr: {
    min: 2,
    max: 3,
    build: ([a, b, c]) => {
      const ga = (a as CompiledExpr).get;
      const gb = (b as CompiledExpr).get;
      const gc = c?.get;
      return plain((row) => {
        const s = toText(ga(row));
        const start = toNumber(gb(row));
        if (s === undefined || start === undefined) return undefined;
        const from = Math.max(0, Math.trunc(start));
        if (gc === undefined) return s.slice(from);
        const len = toNumber(gc(row));
        return len === undefined ? undefined : s.slice(from, from + Math.max(0, Math.trunc(len)));
      });
    },
  },
  replace: {
    min: 3,
    max: 3,
    build: ([a, b, c]) => {
      const ga = (a as CompiledExpr).get;
      const gb = (b as CompiledExpr).get;
      const gc = (c as CompiledExpr).get;
      return plain((row) => {
        const s = toText(ga(row));
        const find = toText(gb(row));
        const repl = toText(gc(row));
        if (s === undefined || find === undefined || repl === undefined) return undefined;
        return find === '' ? s : s.split(find).join(repl);
      });
    },
  },
  concat: {
    min: 1,
    max: 100,
    build: (args) => {
      const gs = args.map((a) => a.get);
      return plain((row) => {
        let out = '';
        for (const g of gs) out += toText(g(row)) ?? '';
        return out;
      });
    },
  },
  ispresent: { min: 1, max: 1, build: ([a]) => plain((row) => present((a as CompiledExpr).get(row))) },
  isempty: {
    min: 1,
    max: 1,
    build: ([a]) =>
      plain((row) => {
        const v = (a as CompiledExpr).get(row);
        return v === undefined || v === '';
      }),
  },
  isblank: {
    min: 1,
    max: 1,
    build: ([a]) =>
      plain((row) => {
        const v = (a as CompiledExpr).get(row);
        return v === undefined || (typeof v === 'string' && v.trim() === '');
      }),
  },
  coalesce: {
    min: 1,
    max: 100,
    build: (args) => {
      const gs = args.map((a) => a.get);
      const kind: ValueKind = args.every((a) => a.kind === 'timestamp') ? 'timestamp' : 'plain';
      return {
        kind,
        get: (row) => {
          for (const g of gs) {
            const v = g(row);
            if (v !== undefined) return v;
          }
          return undefined;
        },
      };
    },
  },
  bin: { min: 1, max: 1, build: periodFn('floor', false) },
  datefloor: { min: 2, max: 2, build: periodFn('floor', true) },
  dateceil: { min: 2, max: 2, build: periodFn('ceil', true) },
  frommillis: {
    min: 1,
    max: 1,
    build: ([a]) => {
      const g = (a as CompiledExpr).get;
      return { kind: 'timestamp', get: (row) => toNumber(g(row)) };
    },
  },
  tomillis: { min: 1, max: 1, build: ([a]) => plain((a as CompiledExpr).get) },
};

function extreme(args: CompiledExpr[], sign: 1 | -1): CompiledExpr {
  const gs = args.map((a) => a.get);
  return plain((row) => {
    let best: number | undefined;
    for (const g of gs) {
      const n = toNumber(g(row));
      if (n !== undefined && (best === undefined || (n - best) * sign > 0)) best = n;
    }
    return best;
  });
}
