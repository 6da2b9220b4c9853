/** Byte helpers shared by the JSON byte scanner tests (json-byte-scanner, wasm-byte-scanner). */

/** Whether JSON.parse, after UTF-8 decoding, reads `bytes` as an object: what a scanner may accept. */
export function parsesAsObject(bytes: Uint8Array): boolean {
  try {
    const v: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** Text (as UTF-8) and raw byte parts, concatenated. */
export const bytes = (...parts: (string | number[] | Uint8Array)[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
