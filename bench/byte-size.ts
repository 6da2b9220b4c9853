/** Byte sizes on the command line: `1GiB`, `200MB`, `512KiB`, `1.5G`, or a plain number of bytes. */
const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** Parses a byte size; throws a RangeError naming the accepted forms. */
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const factor = match === null ? undefined : UNITS[(match[2] ?? '').toLowerCase()];
  if (match === null || factor === undefined || Number(match[1]) <= 0) {
    throw new RangeError(`"${text}" is not a size; use bytes or a unit, like 200MB, 1GiB or 512KiB`);
  }
  return Math.round(Number(match[1]) * factor);
}
