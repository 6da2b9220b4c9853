/*
 * What native/audit-lines.c uses of the scanner in native/json-scan.c (one WebAssembly module).
 */
#ifndef JSON_SCAN_H
#define JSON_SCAN_H
#include <stdint.h>

/* The byte of a JSON string's quotes, which both files look for. */
#define QUOTE 34

/* Scans buf[0, end) as one line (16 bytes of padding after it); 1 when accepted (json-scan.c). */
int32_t scan(const uint8_t *buf, int32_t end, int32_t delta);

/* The shape id of the line scan() last accepted, or -1 (json-scan.c). */
int32_t intern_shape(void);

/*
 * After scan() accepted a line: where the value of its last `"stageTimestamp":"`,
 * `"requestReceivedTimestamp":"` and `"timestamp":"` starts (in that order), or -1 (json-scan.c).
 */
extern int32_t time_value_start[3];

#endif
