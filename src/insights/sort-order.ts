import { toNumber, toText, type Value } from './value-format.js';

/**
 * The ascending order of `sort`, as docs CWL_QuerySyntax-Sort.html describe it: all non-number values
 * come before all number values; numbers compare by value; other text compares in chunks, digit runs
 * by length then value, other runs by Unicode code unit. Absent values always go last (both directions).
 * Returns <0, 0, >0; the caller negates for desc but keeps absent last.
 */
export function naturalCompare(a: Value, b: Value): number {
  const na = toNumber(a);
  const nb = toNumber(b);
  if (na !== undefined || nb !== undefined) {
    if (na === undefined) return -1;
    if (nb === undefined) return 1;
    return na < nb ? -1 : na > nb ? 1 : 0;
  }
  return chunkCompare(toText(a) ?? '', toText(b) ?? '');
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function chunkCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      let ie = i;
      while (ie < a.length && isDigit(a.charCodeAt(ie))) ie++;
      let je = j;
      while (je < b.length && isDigit(b.charCodeAt(je))) je++;
      const la = ie - i;
      const lb = je - j;
      if (la !== lb) return la - lb;
      for (let k = 0; k < la; k++) {
        const d = a.charCodeAt(i + k) - b.charCodeAt(j + k);
        if (d !== 0) return d;
      }
      i = ie;
      j = je;
      continue;
    }
    if (ca !== cb) return ca - cb;
    i++;
    j++;
  }
  return a.length - i - (b.length - j);
}

/** Compares for one sort key, absent values last whatever the direction. */
export function compareForSort(a: Value, b: Value, descending: boolean): number {
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  const c = naturalCompare(a, b);
  return descending ? -c : c;
}
