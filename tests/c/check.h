/*
 * Tiny test helpers shared by the C tests of the mapback C API (tests/c/test_*.c).
 *
 * Every check prints one line ("ok" or "FAIL" with its location) and counts failures;
 * a program ends with `return check_summary();`, which exits non-zero if any failed.
 * The programs run from the repository root (tests/c/run.sh changes to it), so
 * fixture paths are relative to it.
 */
#ifndef MAPBACK_TEST_CHECK_H
#define MAPBACK_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapback.h"

#define DEMO_MAP "examples/demo/bundle.min.js.map"
#define TC39_RESOURCES "../shared/conformance/tc39-source-map-tests/resources"

static int check_failures = 0;
static int check_count = 0;

#define CHECK(cond) check_report((cond) ? 1 : 0, #cond, __FILE__, __LINE__)

static inline int check_report(int ok, const char *expr, const char *file, int line)
{
    check_count++;
    if (ok) {
        printf("ok    %s\n", expr);
    } else {
        check_failures++;
        printf("FAIL  %s  (%s:%d)\n", expr, file, line);
    }
    fflush(stdout);
    return ok;
}

static inline int check_summary(const char *program)
{
    printf("%s: %d checks, %d failed\n", program, check_count, check_failures);
    return check_failures == 0 ? 0 : 1;
}

/* Whether a borrowed, non-NUL-terminated view equals the C string `expected`. */
static inline int str_eq(mapback_str s, const char *expected)
{
    size_t n = strlen(expected);
    return s.data != NULL && s.len == n && memcmp(s.data, expected, n) == 0;
}

/* Whether a library-written buffer (JSON, not NUL-terminated) contains `needle`. */
static inline int buf_has(const mapback_buf *buf, const char *needle)
{
    size_t n = strlen(needle);
    if (buf->data == NULL || buf->len < n) {
        return 0;
    }
    for (size_t i = 0; i + n <= buf->len; i++) {
        if (memcmp(buf->data + i, needle, n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Reads a whole file into a malloc'd buffer (NUL-terminated for convenience, but the
 * API receives only `*len` bytes). Returns NULL if the file cannot be read. */
static inline unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long size;
    if (f == NULL) {
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)size + 1);
        if (buf != NULL && fread(buf, 1, (size_t)size, f) == (size_t)size) {
            buf[size] = '\0';
            *len = (size_t)size;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

/* Parses a map held in a C string literal. */
static inline mapback_sourcemap *parse_text(const char *json, const mapback_parse_options *options,
                                            mapback_error *err)
{
    return mapback_sourcemap_parse((const uint8_t *)json, strlen(json), options, err);
}

/* Reads and parses a map file; NULL if the file is missing or does not parse. */
static inline mapback_sourcemap *parse_file(const char *path, const mapback_parse_options *options,
                                            mapback_error *err)
{
    size_t len = 0;
    unsigned char *data = read_file(path, &len);
    mapback_sourcemap *map;
    if (data == NULL) {
        printf("cannot read %s (run from the repository root)\n", path);
        return NULL;
    }
    map = mapback_sourcemap_parse(data, len, options, err);
    free(data); /* the library copies what it needs */
    return map;
}

#endif /* MAPBACK_TEST_CHECK_H */
