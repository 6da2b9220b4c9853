/*
 * The validating JSON byte scanner of the shaped fast path (issue 5), in C for wasm32 + simd128.
 *
 * Why it exists: profiles of `analyze --log-file` showed the JS scanner (src/insights/js-byte-scanner.ts
 * with json-byte-tokens.ts) taking 40-55% of all CPU at ~5 cycles per byte. Here string bodies are
 * skipped 16 bytes at a time with SIMD compares.
 *
 * What it must match, EXACTLY: the JS scanner, which stays the reference implementation (the tests
 * run both against JSON.parse and getField). A line is accepted only when JSON.parse, after UTF-8
 * decoding, accepts it as an object starting at its first byte with only spaces or tabs after it;
 * then slot k holds the span of the raw token getField reads for field k (a string with its quotes,
 * a number, true or false), or -1. Escaped or duplicate keys at a selected level, an array on a
 * selected path and nesting past MAX_SCAN_DEPTH are refused. The selection tables (a trie of key
 * groupings in the resolver's order) are built in JS (json-scan-tables.ts) and copied in once.
 *
 * While it scans, it also notes where the line's time keys' values start (time_value_start), for
 * audit-lines.c, which takes a raw audit log's chunk a line at a time through scan() and intern_shape().
 *
 * After an accepted line, `intern_shape()` finds its shape (every slot's token length or absence,
 * and bytes) in a table kept in this memory, the work of shape-table.ts: a hash of the slots, then
 * a byte-for-byte check of any hit, 16 bytes a step. It runs only when asked: the CloudWatch
 * envelope's scanner, whose message slot is the whole audit event, never interns its lines.
 *
 * No libc: freestanding, no allocation; JS lays out memory from __heap_base and grows it. The line
 * and the key bytes are followed by 16 bytes of padding, for 16-byte loads that start before their end.
 * Build: `npm run build:wasm` (native/build-wasm.ts), which regenerates src/insights/json-scan-wasm.ts.
 */
#include <stdint.h>
#include <wasm_simd128.h>
#include "json-scan.h"

#define MAX_SCAN_DEPTH 64
#define BACKSLASH 92
#define OPEN_OBJECT 123
#define CLOSE_OBJECT 125
#define OPEN_ARRAY 91
#define CLOSE_ARRAY 93

/* The selection tables, set by configure(); the same names and meanings as in js-byte-scanner.ts. */
static int32_t field_count;
static int32_t *node_start;
static int32_t *node_end;
static const uint8_t *has_children;
static const uint8_t *key_bytes;
static const int32_t *key_offset;
static const int32_t *length_base;
static const int32_t *max_key_length;
static const int32_t *length_head;
static const int32_t *same_length_next;
static const int32_t *terminals;
static const int32_t *terminal_offset;
static int32_t *slot_start;
static int32_t *slot_end;
/* The last accepted line and its offset in the caller's buffer, for hash_tokens(). */
static const uint8_t *last_line;
static int32_t last_delta;
static int32_t node_count;

/* Per open container (1 = the line's object): the trie node whose value it is, or -1. */
static int32_t stack_node[MAX_SCAN_DEPTH + 1];
static uint8_t stack_is_array[MAX_SCAN_DEPTH + 1];

/** The depth limit compiled in, checked by the JS wrapper against MAX_SCAN_DEPTH. */
__attribute__((export_name("max_depth"))) int32_t max_depth(void) { return MAX_SCAN_DEPTH; }

/**
 * Takes the tables from a header of 15 words: node count, field count, then the addresses of
 * node_start, node_end, has_children, key_bytes, key_offset, length_base, max_key_length,
 * length_head, same_length_next, terminals, terminal_offset, slot_start, slot_end.
 */
__attribute__((export_name("configure"))) void configure(const int32_t *header) {
  node_count = header[0];
  field_count = header[1];
  node_start = (int32_t *)(uintptr_t)header[2];
  node_end = (int32_t *)(uintptr_t)header[3];
  has_children = (const uint8_t *)(uintptr_t)header[4];
  key_bytes = (const uint8_t *)(uintptr_t)header[5];
  key_offset = (const int32_t *)(uintptr_t)header[6];
  length_base = (const int32_t *)(uintptr_t)header[7];
  max_key_length = (const int32_t *)(uintptr_t)header[8];
  length_head = (const int32_t *)(uintptr_t)header[9];
  same_length_next = (const int32_t *)(uintptr_t)header[10];
  terminals = (const int32_t *)(uintptr_t)header[11];
  terminal_offset = (const int32_t *)(uintptr_t)header[12];
  slot_start = (int32_t *)(uintptr_t)header[13];
  slot_end = (int32_t *)(uintptr_t)header[14];
}

/* JSON's whitespace is exactly space, tab, LF and CR (RFC 8259 section 2). */
static inline int32_t skip_whitespace(const uint8_t *buf, int32_t i, int32_t end) {
  while (i < end) {
    uint8_t c = buf[i];
    if (c != 32 && c != 10 && c != 13 && c != 9) break;
    i++;
  }
  return i;
}

/*
 * The first byte in [i, end) that is a quote, a backslash or below 0x20, or end. Reads 16 bytes at
 * a time and so up to 15 bytes past end (16 from i == end): the caller leaves that much padding after
 * the line, and whatever it holds is cut off by the comparison with end.
 */
static inline int32_t find_special(const uint8_t *buf, int32_t i, int32_t end) {
  const v128_t quote = wasm_i8x16_splat(QUOTE);
  const v128_t backslash = wasm_i8x16_splat(BACKSLASH);
  const v128_t space = wasm_i8x16_splat(32);
  for (;;) {
    v128_t v = wasm_v128_load(buf + i);
    v128_t hit = wasm_v128_or(wasm_v128_or(wasm_i8x16_eq(v, quote), wasm_i8x16_eq(v, backslash)),
                              wasm_u8x16_lt(v, space));
    uint32_t bits = wasm_i8x16_bitmask(hit);
    if (bits != 0) {
      int32_t at = i + __builtin_ctz(bits);
      return at < end ? at : end;
    }
    i += 16;
    if (i >= end) return end;
  }
}

static inline int is_hex(uint8_t c) {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

static inline int is_digit(uint8_t c) { return c >= 48 && c <= 57; }

/*
 * A string from its opening quote; the index after the closing quote, or -1. Raw bytes below 0x20
 * are invalid; escapes are only \" \\ \/ \b \f \n \r \t and \u with four hex digits (lone surrogates
 * are fine: JSON.parse accepts them). Bytes >= 0x80 pass unchecked (json-byte-scanner.ts says why).
 */
static int32_t skip_string(const uint8_t *buf, int32_t from, int32_t end) {
  int32_t i = from + 1;
  for (;;) {
    i = find_special(buf, i, end);
    if (i >= end) return -1;
    uint8_t c = buf[i];
    if (c == QUOTE) return i + 1;
    if (c != BACKSLASH) return -1;
    if (i + 1 >= end) return -1;
    uint8_t e = buf[i + 1];
    if (e == 'u') {
      if (i + 5 >= end || !is_hex(buf[i + 2]) || !is_hex(buf[i + 3]) || !is_hex(buf[i + 4]) ||
          !is_hex(buf[i + 5]))
        return -1;
      i += 6;
    } else if (e == QUOTE || e == BACKSLASH || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
               e == 'r' || e == 't')
      i += 2;
    else
      return -1;
  }
}

/* `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` (RFC 8259 section 6); after it, or -1. */
static int32_t skip_number(const uint8_t *buf, int32_t from, int32_t end) {
  int32_t i = from;
  if (i < end && buf[i] == '-') i++;
  if (i >= end) return -1;
  uint8_t first = buf[i];
  if (first == '0')
    i++;
  else if (first >= '1' && first <= '9') {
    i++;
    while (i < end && is_digit(buf[i])) i++;
  } else
    return -1;
  if (i < end && buf[i] == '.') {
    i++;
    if (i >= end || !is_digit(buf[i])) return -1;
    while (i < end && is_digit(buf[i])) i++;
  }
  if (i < end && (buf[i] == 'e' || buf[i] == 'E')) {
    i++;
    if (i < end && (buf[i] == '+' || buf[i] == '-')) i++;
    if (i >= end || !is_digit(buf[i])) return -1;
    while (i < end && is_digit(buf[i])) i++;
  }
  return i;
}

/* A number, true, false or null starting at `from` (first byte `c`); the index after it or -1. */
static int32_t skip_scalar(const uint8_t *buf, int32_t from, int32_t end, uint8_t c) {
  if (c == 't')
    return from + 3 < end && buf[from + 1] == 'r' && buf[from + 2] == 'u' && buf[from + 3] == 'e'
               ? from + 4
               : -1;
  if (c == 'f')
    return from + 4 < end && buf[from + 1] == 'a' && buf[from + 2] == 'l' && buf[from + 3] == 's' &&
                   buf[from + 4] == 'e'
               ? from + 5
               : -1;
  if (c == 'n')
    return from + 3 < end && buf[from + 1] == 'u' && buf[from + 2] == 'l' && buf[from + 3] == 'l'
               ? from + 4
               : -1;
  return skip_number(buf, from, end);
}

/*
 * Whether a[0, length) == b[0, length), 16 bytes at a time: no loop whose length depends on the key
 * for keys up to 16 bytes. Reads up to 16 bytes past both: the line and the key bytes are padded.
 */
static inline int same_bytes(const uint8_t *a, const uint8_t *b, int32_t length) {
  int32_t k = 0;
  for (; k + 16 <= length; k += 16)
    if (!wasm_i8x16_all_true(wasm_i8x16_eq(wasm_v128_load(a + k), wasm_v128_load(b + k)))) return 0;
  uint32_t differ = ~(uint32_t)wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(a + k), wasm_v128_load(b + k)));
  return (differ & ((1u << (length - k)) - 1)) == 0;
}

/* The child of `parent` whose key is buf[from, to), or -1. Length first, then the bytes. */
static int32_t find_child(int32_t parent, const uint8_t *buf, int32_t from, int32_t to) {
  int32_t length = to - from;
  if (length > max_key_length[parent]) return -1;
  int32_t id = length_head[length_base[parent] + length];
  while (id != 0) {
    if (same_bytes(key_bytes + key_offset[id], buf + from, length)) return id;
    id = same_length_next[id];
  }
  return -1;
}

/* One step of the tokens hash: a multiply and a fold, 8 bytes at a time. */
static inline uint64_t mix(uint64_t h, uint64_t word) {
  h = (h ^ word) * 0x9e3779b97f4a7c15ull;
  return h ^ (h >> 32);
}

/* An unaligned little-endian load (one i64.load; wasm allows any alignment). */
static inline uint64_t load64(const uint8_t *p) {
  uint64_t word;
  __builtin_memcpy(&word, p, 8);
  return word;
}

/* Hashes buf[at, at + length), 8 bytes at a time; the last load is masked (the line is padded). */
static inline uint64_t mix_bytes(uint64_t h, const uint8_t *buf, int32_t at, int32_t length) {
  int32_t k = 0;
  for (; k + 8 <= length; k += 8) h = mix(h, load64(buf + at + k));
  if (k < length) h = mix(h, load64(buf + at + k) & ((1ull << (8 * (length - k))) - 1));
  return h;
}

/* After the line's object: only spaces and tabs; then each field takes its first leaf candidate. */
static int32_t finish(const uint8_t *buf, int32_t i, int32_t end, int32_t delta) {
  while (i < end && (buf[i] == 32 || buf[i] == 9)) i++;
  if (i != end) return 0;
  for (int32_t k = 0; k < field_count; k++) {
    int32_t s = -1;
    int32_t e = -1;
    for (int32_t t = terminal_offset[k]; t < terminal_offset[k + 1]; t++) {
      int32_t node = terminals[t];
      int32_t at = node_start[node];
      if (at < 0) continue;
      uint8_t c = buf[at];
      /* field-resolver.ts leaf(): objects, arrays and null are not values; the walk goes on. */
      if (c == OPEN_OBJECT || c == OPEN_ARRAY || c == 'n') continue;
      s = at + delta;
      e = node_end[node] + delta;
      break;
    }
    slot_start[k] = s;
    slot_end[k] = e;
  }
  last_line = buf;
  last_delta = delta;
  return 1;
}

/* Slot k's token length in the last accepted line, or -1 when absent. */
static inline int32_t slot_length(int32_t k) {
  int32_t s = slot_start[k];
  return s < 0 ? -1 : slot_end[k] - s;
}

/* A hash of every slot of the line scan() last accepted (its bytes are still where scan() read them). */
static uint32_t hash_tokens(void) {
  uint64_t h = 0x243f6a8885a308d3ull;
  for (int32_t k = 0; k < field_count; k++) {
    int32_t length = slot_length(k);
    h = mix(h, ((uint64_t)(uint32_t)k << 32) | (uint32_t)length);
    if (length > 0) h = mix_bytes(h, last_line, slot_start[k] - last_delta, length);
  }
  return (uint32_t)(h ^ (h >> 29));
}

/*
 * The shape table (shape-table.ts) of a scanner that interns its lines, in this memory so that a hit
 * is verified 16 bytes a step: the same open addressing, linear probing and first-seen ids as the JS
 * table, always verified byte for byte. JS reserves the region once (configure_shapes) with room for
 * `shape_capacity` shapes at a load factor of at most one half, so it never rehashes or grows.
 */
static int32_t *shape_bucket;
static uint32_t shape_bucket_mask;
static uint32_t *shape_hash;
static uint32_t *shape_offset;
static int32_t *shape_lengths;
static uint8_t *shape_arena;
static uint32_t shape_arena_capacity;
static uint32_t shape_arena_used;
static int32_t shape_count;
static int32_t shape_capacity;
static uint32_t shape_hash_mask;

/**
 * Takes an empty table from a header of 9 words: the buckets (zeroed, a power of two of them), their
 * count - 1, the per-shape hash, arena offset and token lengths (field_count per shape), the arena
 * (followed by 16 bytes of padding) and its size, the most shapes, and the mask ANDed into every hash.
 */
__attribute__((export_name("configure_shapes"))) void configure_shapes(const int32_t *header) {
  shape_bucket = (int32_t *)(uintptr_t)header[0];
  shape_bucket_mask = (uint32_t)header[1];
  shape_hash = (uint32_t *)(uintptr_t)header[2];
  shape_offset = (uint32_t *)(uintptr_t)header[3];
  shape_lengths = (int32_t *)(uintptr_t)header[4];
  shape_arena = (uint8_t *)(uintptr_t)header[5];
  shape_arena_capacity = (uint32_t)header[6];
  shape_capacity = header[7];
  shape_hash_mask = (uint32_t)header[8];
  shape_count = 0;
  shape_arena_used = 0;
}

/* murmur3's finaliser, as shape-table.ts avalanche(). */
static inline uint32_t avalanche(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

/* Whether shape `id` has the last accepted line's tokens: the same lengths (or absences), then bytes. */
static int same_shape(int32_t id) {
  const int32_t *lengths = shape_lengths + id * field_count;
  for (int32_t k = 0; k < field_count; k++)
    if (lengths[k] != slot_length(k)) return 0;
  const uint8_t *at = shape_arena + shape_offset[id];
  for (int32_t k = 0; k < field_count; k++) {
    int32_t length = lengths[k];
    if (length <= 0) continue;
    if (!same_bytes(at, last_line + slot_start[k] - last_delta, length)) return 0;
    at += length;
  }
  return 1;
}

/**
 * The shape id (0, 1, 2, ... in first-seen order) of the line scan() last accepted, or -1 for a new
 * shape when the table holds shape_capacity shapes or the arena has no room for its tokens.
 */
__attribute__((export_name("intern_shape"))) int32_t intern_shape(void) {
  uint32_t h = hash_tokens() & shape_hash_mask;
  uint32_t b = avalanche(h ^ 0x5bd1e995u) & shape_bucket_mask;
  for (;;) {
    int32_t entry = shape_bucket[b];
    if (entry == 0) break;
    int32_t id = entry - 1;
    if (shape_hash[id] == h && same_shape(id)) return id;
    b = (b + 1) & shape_bucket_mask;
  }
  if (shape_count >= shape_capacity) return -1;
  uint32_t total = 0;
  for (int32_t k = 0; k < field_count; k++) {
    int32_t length = slot_length(k);
    if (length > 0) total += (uint32_t)length;
  }
  if (total > shape_arena_capacity - shape_arena_used) return -1;
  int32_t id = shape_count;
  int32_t *lengths = shape_lengths + id * field_count;
  uint8_t *at = shape_arena + shape_arena_used;
  for (int32_t k = 0; k < field_count; k++) {
    int32_t length = slot_length(k);
    lengths[k] = length;
    if (length <= 0) continue;
    __builtin_memcpy(at, last_line + slot_start[k] - last_delta, (uint32_t)length);
    at += length;
  }
  shape_offset[id] = shape_arena_used;
  shape_arena_used += total;
  shape_hash[id] = h;
  shape_bucket[b] = id + 1;
  shape_count = id + 1;
  return id;
}

/*
 * Where the value of the last `"<name>":"` in the line starts, per name of TIME_KEYS (json-scan.h), or -1:
 * what audit-line.ts auditTimestampFromBytes finds by a backward search for those bytes. In a valid
 * line the bytes `"name":"` can only be a key (raw, unescaped) whose colon and value's opening quote
 * follow it at once, at any depth, so noting every such key in document order finds the same last one.
 */
int32_t time_value_start[3];

static inline int same_literal(const uint8_t *a, const char *b, int32_t length) {
  for (int32_t k = 0; k < length; k++)
    if (a[k] != (uint8_t)b[k]) return 0;
  return 1;
}

/* A key buf[from, to) (raw bytes between its quotes, `to` the closing quote) seen by scan(). */
static inline void note_time_key(const uint8_t *buf, int32_t from, int32_t to, int32_t end) {
  int32_t length = to - from;
  int32_t which;
  if (length == 14) which = 0;
  else if (length == 24) which = 1;
  else if (length == 9) which = 2;
  else return;
  if (to + 2 >= end || buf[to + 1] != ':' || buf[to + 2] != QUOTE) return;
  static const char *const names[3] = {"stageTimestamp", "requestReceivedTimestamp", "timestamp"};
  if (same_literal(buf + from, names[which], length)) time_value_start[which] = to + 3;
}

/**
 * Scans buf[0, end) (one line, no newline, 16 bytes of padding after it) as js-byte-scanner.ts scan()
 * does; 1 when accepted, and then the slots hold the token spans plus `delta` (the line's offset in
 * the caller's buffer), else 0.
 */
__attribute__((export_name("scan"))) int32_t scan(const uint8_t *buf, int32_t end, int32_t delta) {
  for (int32_t n = 0; n < node_count; n++) node_start[n] = -1;
  time_value_start[0] = time_value_start[1] = time_value_start[2] = -1;
  if (end <= 0 || buf[0] != OPEN_OBJECT) return 0;
  int32_t depth = 1;
  stack_node[1] = 0;
  stack_is_array[1] = 0;
  node_start[0] = 0;
  /* The trie node whose children are looked for in the current object, or -1. */
  int32_t level = 0;
  int in_array = 0;
  int just_opened = 1;
  int32_t i = 1;
  for (;;) {
    i = skip_whitespace(buf, i, end);
    if (i >= end) return 0;
    uint8_t c = buf[i];
    if (!just_opened || c != (in_array ? CLOSE_ARRAY : CLOSE_OBJECT)) {
      /* A member or element: its key (objects), then its value. */
      int32_t node = -1;
      if (!in_array) {
        if (c != QUOTE) return 0;
        if (level >= 0) {
          int32_t key_start = i + 1;
          /* A selected level's keys must be plain: an escape could decode to a selected key. */
          i = find_special(buf, key_start, end);
          if (i >= end || buf[i] != QUOTE) return 0;
          node = find_child(level, buf, key_start, i);
          /* JSON.parse keeps the last of duplicate keys; rather than follow, refuse. */
          if (node >= 0 && node_start[node] != -1) return 0;
          note_time_key(buf, key_start, i, end);
          i++;
        } else {
          int32_t key_start = i + 1;
          i = skip_string(buf, i, end);
          if (i < 0) return 0;
          note_time_key(buf, key_start, i - 1, end);
        }
        i = skip_whitespace(buf, i, end);
        if (i >= end || buf[i] != ':') return 0;
        i = skip_whitespace(buf, i + 1, end);
        if (i >= end) return 0;
        c = buf[i];
      }
      if (c == OPEN_OBJECT || c == OPEN_ARRAY) {
        if (depth == MAX_SCAN_DEPTH) return 0;
        int is_array = c == OPEN_ARRAY;
        if (node >= 0) {
          /* The resolver would walk into an array by index (`sourceIPs.0`, even `.length`): refuse. */
          if (is_array && has_children[node] == 1) return 0;
          node_start[node] = i;
        }
        depth++;
        stack_node[depth] = node;
        stack_is_array[depth] = (uint8_t)is_array;
        in_array = is_array;
        level = !is_array && node >= 0 && has_children[node] == 1 ? node : -1;
        just_opened = 1;
        i++;
        continue;
      }
      int32_t value_end = c == QUOTE ? skip_string(buf, i, end) : skip_scalar(buf, i, end, c);
      if (value_end < 0) return 0;
      if (node >= 0) {
        node_start[node] = i;
        node_end[node] = value_end;
      }
      i = skip_whitespace(buf, value_end, end);
    }
    /* After a value (or right after an opening bracket): a comma, or closing brackets. */
    for (;;) {
      if (i >= end) return 0;
      c = buf[i];
      if (c == ',') break;
      if (c != (in_array ? CLOSE_ARRAY : CLOSE_OBJECT)) return 0;
      int32_t closed = stack_node[depth];
      if (closed >= 0) node_end[closed] = i + 1;
      depth--;
      i++;
      if (depth == 0) return finish(buf, i, end, delta);
      in_array = stack_is_array[depth] == 1;
      int32_t owner = stack_node[depth];
      level = !in_array && owner >= 0 && has_children[owner] == 1 ? owner : -1;
      i = skip_whitespace(buf, i, end);
    }
    just_opened = 0;
    i++;
  }
}
