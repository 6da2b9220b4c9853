/**
 * The selection tables of the JSON byte scanners (json-byte-scanner.ts): which keys to look for, as
 * flat typed arrays that the JS scanner reads directly and the WebAssembly one copies into its memory
 * once. Both scanners must read them the same way (native/json-scan.c mirrors js-byte-scanner.ts).
 */

/** Nesting deeper than this anywhere in a line: unusual, the slow path decides. */
export const MAX_SCAN_DEPTH = 64;
/** Field names with more dotted segments than this are refused (2^(n-1) key groupings each). */
export const MAX_SCAN_SEGMENTS = 8;

/**
 * The keys to look for, as a trie of key paths from the line's object (node 0), flattened. A name
 * `a.b.c` may be the key `a` then `b` then `c`, or `a` then `b.c`, `a.b` then `c`, or `a.b.c` (keys may
 * hold dots), and the resolver tries them depth first, shortest key first, returning the first JSON
 * leaf it finds: field k's candidate end nodes are terminals[terminalOffset[k], terminalOffset[k+1])
 * in that order.
 */
export interface ScanTables {
  readonly nodeCount: number;
  /** Per trie node: 1 when keys are selected inside its value. */
  readonly hasChildren: Uint8Array;
  /** Key bytes of every node, concatenated; node n's key is keyBytes[keyOffset[n], keyOffset[n+1]). */
  readonly keyBytes: Uint8Array;
  readonly keyOffset: Int32Array;
  /** Per parent node: lengthHead[lengthBase[p] + L] is its first child with a key of L bytes (0: none). */
  readonly lengthBase: Int32Array;
  readonly maxKeyLength: Int32Array;
  readonly lengthHead: Int32Array;
  /** The next child of the same parent with a key of the same length (0: none). */
  readonly sameLengthNext: Int32Array;
  readonly terminals: Int32Array;
  readonly terminalOffset: Int32Array;
}

interface Trie {
  keys: Uint8Array[];
  parent: number[];
  children: Map<string, number>[];
  terminals: number[][];
}

/** The tables for `fieldNames` (already checked by createJsonByteScanner). */
export function buildScanTables(fieldNames: readonly string[]): ScanTables {
  const trie = buildTrie(fieldNames);
  const count = trie.keys.length;
  const keyLength = (id: number): number => (trie.keys[id] as Uint8Array).length;
  const hasChildren = new Uint8Array(count);
  const keyOffset = new Int32Array(count + 1);
  let total = 0;
  trie.keys.forEach((key, n) => {
    keyOffset[n] = total;
    total += key.length;
  });
  keyOffset[count] = total;
  const keyBytes = new Uint8Array(total);
  trie.keys.forEach((key, n) => keyBytes.set(key, keyOffset[n]));
  const lengthBase = new Int32Array(count);
  const maxKeyLength = new Int32Array(count).fill(-1);
  const sameLengthNext = new Int32Array(count);
  let heads = 0;
  for (let p = 0; p < count; p++) {
    const kids = [...(trie.children[p] as Map<string, number>).values()];
    hasChildren[p] = kids.length > 0 ? 1 : 0;
    lengthBase[p] = heads;
    for (const id of kids) maxKeyLength[p] = Math.max(maxKeyLength[p] as number, keyLength(id));
    heads += (maxKeyLength[p] as number) + 1;
  }
  const lengthHead = new Int32Array(heads);
  for (let id = count - 1; id >= 1; id--) {
    const at = (lengthBase[trie.parent[id] as number] as number) + keyLength(id);
    sameLengthNext[id] = lengthHead[at] as number;
    lengthHead[at] = id;
  }
  const terminals = Int32Array.from(trie.terminals.flat());
  const terminalOffset = new Int32Array(fieldNames.length + 1);
  trie.terminals.forEach((list, k) => {
    terminalOffset[k + 1] = (terminalOffset[k] as number) + list.length;
  });
  return {
    nodeCount: count,
    hasChildren,
    keyBytes,
    keyOffset,
    lengthBase,
    maxKeyLength,
    lengthHead,
    sameLengthNext,
    terminals,
    terminalOffset,
  };
}

function buildTrie(fieldNames: readonly string[]): Trie {
  const encoder = new TextEncoder();
  const trie: Trie = { keys: [new Uint8Array(0)], parent: [-1], children: [new Map()], terminals: [] };
  const childOf = (node: number, key: string): number => {
    const map = trie.children[node] as Map<string, number>;
    let id = map.get(key);
    if (id === undefined) {
      id = trie.keys.length;
      map.set(key, id);
      trie.keys.push(encoder.encode(key));
      trie.parent.push(node);
      trie.children.push(new Map());
    }
    return id;
  };
  for (const name of fieldNames) {
    const segments = name.split('.');
    const n = segments.length;
    const terminals: number[] = [];
    // The same order as field-resolver.ts compileJsonPath's walk: j = i+1 .. n at each level.
    const walk = (node: number, i: number): void => {
      for (let j = i + 1; j <= n; j++) {
        const id = childOf(node, segments.slice(i, j).join('.'));
        if (j === n) terminals.push(id);
        else walk(id, j);
      }
    };
    walk(0, 0);
    trie.terminals.push(terminals);
  }
  return trie;
}

/**
 * JsonByteScanner.found(k) for both scanners: whether any candidate end node of field k got a value
 * start, reading each node's start at nodeStart[base + node] (-1: not in the line).
 */
export function keyFound(tables: ScanTables, nodeStart: Int32Array, base: number, k: number): boolean {
  const { terminals, terminalOffset } = tables;
  for (let t = terminalOffset[k] as number; t < (terminalOffset[k + 1] as number); t++)
    if ((nodeStart[base + (terminals[t] as number)] as number) >= 0) return true;
  return false;
}
