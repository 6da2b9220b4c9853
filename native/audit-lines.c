/*
 * The shaped fast path over a whole chunk of a raw audit log (issue 5), in C for wasm32 + simd128.
 *
 * Why it exists: per line, the JS around the scanner (finding the newline, searching the line for its
 * time, copying the line into this memory, two calls into wasm and copying the slots out) cost about
 * as much as the scan itself. Here one call takes every line of a chunk that is already in this
 * memory, as sources/shaped-lines.ts would one at a time: the newline, the time, scan(), intern_shape().
 *
 * What it must match, EXACTLY: the reader's line splitting (line-splitter.ts: a trailing CR dropped,
 * blank lines skipped but counted) and, for each line it takes, audit-line.ts auditTimestampFromBytes
 * and the scanner. Whatever it is not sure about (a line longer than the caller's limit, no time, a
 * time not in the common layout, a refused scan or shape) stops the run at that line's start: the
 * reader then reads the line its ordinary way, and calls again after it.
 */
#include <stdint.h>
#include <wasm_simd128.h>
#include "json-scan.h"

#define NEWLINE 10
#define CARRIAGE_RETURN 13
/* audit-line.ts MAX_TIMESTAMP_CHARS: longer values go the ordinary way. */
#define MAX_TIMESTAMP_CHARS 64

/* The run's output, set by configure_runs(): per line taken, its shape, its bounds and its time. */
static int32_t *run_shape;
static int32_t *run_start;
static int32_t *run_end;
static double *run_time;
static int32_t run_capacity;
/* Set by every scan_audit_lines(): where it stopped, and the newlines it went past. */
static int32_t run_stop;
static int32_t run_lines;
static int32_t run_refused;

/** Takes the output arrays from a header of 5 words: shapes, starts, ends, times (8-aligned), capacity. */
__attribute__((export_name("configure_runs"))) void configure_runs(const int32_t *header) {
  run_shape = (int32_t *)(uintptr_t)header[0];
  run_start = (int32_t *)(uintptr_t)header[1];
  run_end = (int32_t *)(uintptr_t)header[2];
  run_time = (double *)(uintptr_t)header[3];
  run_capacity = header[4];
}

__attribute__((export_name("run_stop"))) int32_t get_run_stop(void) { return run_stop; }
__attribute__((export_name("run_lines"))) int32_t get_run_lines(void) { return run_lines; }
__attribute__((export_name("run_refused"))) int32_t get_run_refused(void) { return run_refused; }

/* The first newline in [i, end), or end. Reads up to 15 bytes past end: the chunk is padded. */
static inline int32_t find_newline(const uint8_t *buf, int32_t i, int32_t end) {
  const v128_t newline = wasm_i8x16_splat(NEWLINE);
  while (i < end) {
    uint32_t bits = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(buf + i), newline));
    if (bits != 0) {
      int32_t at = i + __builtin_ctz(bits);
      return at < end ? at : end;
    }
    i += 16;
  }
  return end;
}

/* `count` decimal digits at p as a number, or -1 (iso-timestamp.ts byteDigits). */
static inline int32_t digits(const uint8_t *p, int32_t count) {
  int32_t value = 0;
  for (int32_t k = 0; k < count; k++) {
    uint32_t d = (uint32_t)p[k] - '0';
    if (d > 9) return -1;
    value = value * 10 + (int32_t)d;
  }
  return value;
}

/* Days from 1970-01-01 to y-m-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
static int64_t days_to_month(int64_t y, int32_t m) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/*
 * iso-timestamp.ts parseIsoTimestampBytes for the layout it reads by position, `YYYY-MM-DDTHH:MM:SS`
 * with an optional `.f+`, then `Z`: 1 and the time in *ms. 0 for anything it would hand to its string
 * parser, and for years below 100 (which Date.UTC reads as 19xx): the ordinary path decides those.
 * Date.UTC adds a day past the month's end into the next month, and a 60th second into the next minute,
 * as this sum does.
 */
static int parse_time(const uint8_t *b, int32_t n, double *ms_out) {
  if (n < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' ||
      b[n - 1] != 'Z' || (n != 20 && b[19] != '.'))
    return 0;
  int32_t second = digits(b + 17, 2);
  if (second < 0 || second > 60 || n == 21) return 0;
  int32_t ms = 0;
  for (int32_t k = 0; k < n - 21; k++) {
    uint32_t d = (uint32_t)b[20 + k] - '0';
    if (d > 9) return 0;
    if (k < 3) ms = ms * 10 + (int32_t)d;
  }
  for (int32_t k = n - 21 > 0 ? n - 21 : 0; k < 3; k++) ms *= 10;
  int32_t year = digits(b, 4);
  int32_t month = digits(b + 5, 2);
  int32_t day = digits(b + 8, 2);
  int32_t hour = digits(b + 11, 2);
  int32_t minute = digits(b + 14, 2);
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59)
    return 0;
  int64_t days = days_to_month(year, month) + (day - 1);
  int64_t total = ((days * 24 + hour) * 60 + minute) * 60000 + (int64_t)second * 1000 + ms;
  *ms_out = (double)total;
  return 1;
}

/*
 * The time auditTimestampFromBytes gives the line scan() just accepted (line[0, end)): the first of
 * its three keys present, its value up to the next quote (at most 64 bytes, all ASCII), parsed. 0 when
 * that search or parse would not settle it.
 */
static int audit_time(const uint8_t *line, int32_t end, double *ms_out) {
  for (int32_t which = 0; which < 3; which++) {
    int32_t from = time_value_start[which];
    if (from < 0) continue;
    int32_t stop = from + MAX_TIMESTAMP_CHARS + 1 < end ? from + MAX_TIMESTAMP_CHARS + 1 : end;
    int32_t to = from;
    for (; to < stop; to++) {
      uint8_t c = line[to];
      if (c == QUOTE) break;
      if (c >= 0x80) return 0;
    }
    if (to == stop) return 0;
    return parse_time(line + from, to - from, ms_out);
  }
  return 0;
}

/*
 * Takes the lines of chunk[from, to) one after another, each ended by a newline before `to`: a blank
 * one (spaces and tabs only, once a CR before the newline is dropped) is passed over; any other is
 * taken when its time, scan and shape all settle, and then its shape, bounds (CR dropped) and time go
 * to the output. Stops at the first line it does not take (run_stop = its start), at the first line
 * without a newline before `to`, or when the output is full (run_stop = the next line's start).
 * `max_line`: longer lines (newline excluded, CR included) are the reader's to report. Returns the
 * lines taken; run_lines counts every newline passed, run_refused is 1 when it stopped at a line it
 * did not take.
 */
__attribute__((export_name("scan_audit_lines"))) int32_t scan_audit_lines(const uint8_t *chunk, int32_t from,
                                                                          int32_t to, int32_t max_line) {
  int32_t count = 0;
  int32_t lines = 0;
  int32_t at = from;
  run_refused = 1;
  while (count < run_capacity) {
    int32_t newline = find_newline(chunk, at, to);
    if (newline >= to) {
      run_refused = 0;
      break;
    }
    /* The reader reports a long line before it looks at it (even a blank one). */
    if (newline - at > max_line) break;
    int32_t end = newline;
    if (end > at && chunk[end - 1] == CARRIAGE_RETURN) end--;
    int32_t first = at;
    while (first < end && (chunk[first] == 32 || chunk[first] == 9)) first++;
    if (first == end) {
      lines++;
      at = newline + 1;
      continue;
    }
    const uint8_t *line = chunk + at;
    int32_t length = end - at;
    double time;
    if (!scan(line, length, 0) || !audit_time(line, length, &time)) break;
    int32_t shape = intern_shape();
    if (shape < 0) break;
    run_shape[count] = shape;
    run_start[count] = at;
    run_end[count] = end;
    run_time[count] = time;
    count++;
    lines++;
    at = newline + 1;
  }
  if (count == run_capacity) run_refused = 0;
  run_stop = at;
  run_lines = lines;
  return count;
}
