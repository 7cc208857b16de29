/*
 * Caches through the C API.
 *
 * - The demo map written to a buffer (mapback_sourcemap_to_cache) and to a file
 *   (mapback_sourcemap_write_cache), opened from bytes and by mapping the file, answers
 *   every query like the parsed map; verify, is_cache, mapback_buf_free.
 * - Damage: every byte of two small caches flipped, opened both copied and in place
 *   (mapback_cache_from_bytes_borrowed); whatever still opens must answer every query
 *   without a crash or a memory error (run.sh also runs this program under valgrind).
 *   Every truncation and extension is refused with a typed error; damaged files; paths
 *   that are missing, a directory or an empty file.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, unlink, rmdir */

#include <stdbool.h>
#include <unistd.h>

#include "check.h"

#define TC39_INDEX_MAP TC39_RESOURCES "/index-map-two-concatenated-sources.js.map"
#define HEADER_LEN 64u

static const mapback_lookup_options ALL_OPTIONS[4] = {
    {MAPBACK_BIAS_GREATEST_LOWER_BOUND, true},
    {MAPBACK_BIAS_GREATEST_LOWER_BOUND, false},
    {MAPBACK_BIAS_LEAST_UPPER_BOUND, true},
    {MAPBACK_BIAS_LEAST_UPPER_BOUND, false},
};

/* A small map with every optional field: file, debug ID, sourceRoot, a null source,
 * contents with every line terminator and multi-byte characters, names, ignoreList. */
static const char TINY[] =
    "{\"version\":3,\"file\":\"tiny.js\",\"debugId\":\"85314830-023f-4cf1-a267-535f4e37bb17\","
    "\"sourceRoot\":\"src/\",\"sources\":[\"a.js\",null,\"b.js\"],"
    "\"sourcesContent\":[\"one\\ntwo\\r\\nthree\\rfour\\u2028five\\u2029six \\u00e9 "
    "\\ud83d\\ude00\\n\",null,\"x\"],"
    "\"names\":[\"alpha\",\"\\u03b2eta\"],\"mappings\":\"AAAAA,EAAE,GAAGC;;IACH,CAAC;EEAA,C\","
    "\"ignoreList\":[2]}";

/* ------------------------------------------------------------------------------------ */
/* Comparing a cache with the map it was written from.                                   */

static size_t mismatches = 0;

static void mismatch(const char *what, const char *detail, unsigned long a, unsigned long b)
{
    if (mismatches < 20) {
        printf("  mismatch (%s): %s: %lu vs %lu\n", what, detail, a, b);
    }
    mismatches++;
}

/* Whether two tokens are equal; without names in the cache, its tokens have none. */
static int same_token(const mapback_token *map, const mapback_token *cache, bool names)
{
    return map->token_index == cache->token_index &&
           map->generated_line == cache->generated_line &&
           map->generated_column == cache->generated_column &&
           map->source_index == cache->source_index &&
           map->original_line == cache->original_line &&
           map->original_column == cache->original_column &&
           (names ? map->name_index == cache->name_index : cache->name_index == MAPBACK_NONE);
}

/* Whether two optional strings (found flag + view) are equal. */
static int same_str(bool found_a, mapback_str a, bool found_b, mapback_str b)
{
    if (found_a != found_b) {
        return 0;
    }
    return !found_a || (a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0));
}

typedef bool (*source_getter)(const mapback_sourcemap *, uint32_t, mapback_str *,
                              mapback_error *);

/* Compares every query of `cache` with `map`; returns the number of differences. */
static size_t compare_maps(const mapback_sourcemap *map, const mapback_sourcemap *cache,
                           bool names, bool contents, const char *what)
{
    static const source_getter getters[3] = {mapback_sourcemap_source_name,
                                             mapback_sourcemap_source_url,
                                             mapback_sourcemap_source_path};
    mapback_error err = {0};
    mapback_token a, b;
    mapback_token many_a[8], many_b[8];
    mapback_str sa = {NULL, 0}, sb = {NULL, 0};
    bool fa, fb;
    size_t before = mismatches;
    size_t tokens = mapback_sourcemap_token_count(map, &err);
    size_t lines = mapback_sourcemap_line_count(map, &err);
    size_t sources = mapback_sourcemap_source_count(map, &err);
    uint32_t i, line, column, s;
    int o;

    if (mapback_sourcemap_token_count(cache, &err) != tokens) {
        mismatch(what, "token count", tokens, mapback_sourcemap_token_count(cache, &err));
    }
    if (mapback_sourcemap_line_count(cache, &err) != lines) {
        mismatch(what, "line count", lines, mapback_sourcemap_line_count(cache, &err));
    }
    if (mapback_sourcemap_source_count(cache, &err) != sources) {
        mismatch(what, "source count", sources, mapback_sourcemap_source_count(cache, &err));
    }
    if (mapback_sourcemap_is_index_map(map, &err) != mapback_sourcemap_is_index_map(cache, &err)) {
        mismatch(what, "is_index_map", 0, 0);
    }

    /* Every token, and the reverse lookups of a third of them. */
    for (i = 0; i < tokens; i++) {
        fa = mapback_sourcemap_token_at(map, i, &a, &err);
        fb = mapback_sourcemap_token_at(cache, i, &b, &err);
        if (!fa || !fb || !same_token(&a, &b, names)) {
            mismatch(what, "token", i, 0);
            continue;
        }
        if (i % 3 != 0 || a.source_index == MAPBACK_NONE) {
            continue;
        }
        for (o = 0; o < 4; o++) {
            mapback_token ga, gb;
            fa = mapback_sourcemap_generated_position(map, a.source_index, a.original_line,
                                                      a.original_column, &ALL_OPTIONS[o], &ga,
                                                      &err);
            fb = mapback_sourcemap_generated_position(cache, a.source_index, a.original_line,
                                                      a.original_column, &ALL_OPTIONS[o], &gb,
                                                      &err);
            if (fa != fb || (fa && !same_token(&ga, &gb, names))) {
                mismatch(what, "generated_position of token", i, (unsigned long)o);
            }
        }
        {
            size_t na = mapback_sourcemap_generated_positions(map, a.source_index, a.original_line,
                                                              MAPBACK_NONE, many_a, 8, &err);
            size_t nb = mapback_sourcemap_generated_positions(
                cache, a.source_index, a.original_line, MAPBACK_NONE, many_b, 8, &err);
            size_t k;
            if (na != nb) {
                mismatch(what, "generated_positions count of token", na, nb);
            }
            for (k = 0; k < na && k < nb && k < 8; k++) {
                if (!same_token(&many_a[k], &many_b[k], names)) {
                    mismatch(what, "generated_positions of token", i, k);
                }
            }
        }
    }

    /* Lookups over a grid, with every option; all tokens at a position. */
    for (line = 0; line <= lines + 1; line++) {
        for (column = 0; column <= 2100; column += 3) {
            for (o = 0; o < 4; o++) {
                size_t na, nb, k;
                fa = mapback_sourcemap_lookup(map, line, column, &ALL_OPTIONS[o], &a, &err);
                fb = mapback_sourcemap_lookup(cache, line, column, &ALL_OPTIONS[o], &b, &err);
                if (fa != fb || (fa && !same_token(&a, &b, names))) {
                    mismatch(what, "lookup at line/column", line, column);
                }
                if (column % 21 != 0) {
                    continue;
                }
                na = mapback_sourcemap_original_positions(map, line, column, &ALL_OPTIONS[o],
                                                          many_a, 8, &err);
                nb = mapback_sourcemap_original_positions(cache, line, column, &ALL_OPTIONS[o],
                                                          many_b, 8, &err);
                if (na != nb) {
                    mismatch(what, "original_positions count at line/column", line, column);
                }
                for (k = 0; k < na && k < nb && k < 8; k++) {
                    if (!same_token(&many_a[k], &many_b[k], names)) {
                        mismatch(what, "original_positions at line/column", line, column);
                    }
                }
            }
        }
        fa = mapback_sourcemap_lookup(map, line, UINT32_MAX, NULL, &a, &err);
        fb = mapback_sourcemap_lookup(cache, line, UINT32_MAX, NULL, &b, &err);
        if (fa != fb || (fa && !same_token(&a, &b, names))) {
            mismatch(what, "lookup at the end of line", line, 0);
        }
    }
    {
        uint32_t ls[8] = {0, 0, 0, 1, 1, 2, 7, UINT32_MAX};
        uint32_t cs[8] = {0, 1035, 1610, 139, 411, 0, 5, UINT32_MAX};
        size_t na = mapback_sourcemap_lookup_many(map, ls, cs, 8, NULL, many_a, &err);
        size_t nb = mapback_sourcemap_lookup_many(cache, ls, cs, 8, NULL, many_b, &err);
        size_t k;
        if (na != nb) {
            mismatch(what, "lookup_many found", na, nb);
        }
        for (k = 0; k < 8; k++) {
            if (many_a[k].token_index != many_b[k].token_index) {
                mismatch(what, "lookup_many slot", k, many_b[k].token_index);
            }
        }
    }

    /* Sources: strings, ignore list, content and every line. */
    for (s = 0; s < sources; s++) {
        int g;
        for (g = 0; g < 3; g++) {
            fa = getters[g](map, s, &sa, &err);
            fb = getters[g](cache, s, &sb, &err);
            if (!same_str(fa, sa, fb, sb)) {
                mismatch(what, "source string (source, getter)", s, (unsigned long)g);
            }
        }
        if (mapback_sourcemap_source_is_ignored(map, s, &err) !=
            mapback_sourcemap_source_is_ignored(cache, s, &err)) {
            mismatch(what, "is_ignored of source", s, 0);
        }
        if (contents) {
            size_t count = mapback_sourcemap_source_line_count(map, s, &err);
            fa = mapback_sourcemap_source_content(map, s, &sa, &err);
            fb = mapback_sourcemap_source_content(cache, s, &sb, &err);
            if (!same_str(fa, sa, fb, sb)) {
                mismatch(what, "content of source", s, 0);
            }
            if (mapback_sourcemap_source_line_count(cache, s, &err) != count) {
                mismatch(what, "line count of source", s,
                         mapback_sourcemap_source_line_count(cache, s, &err));
            }
            for (line = 0; line <= count; line++) {
                fa = mapback_sourcemap_source_line(map, s, line, &sa, &err);
                fb = mapback_sourcemap_source_line(cache, s, line, &sb, &err);
                if (!same_str(fa, sa, fb, sb)) {
                    mismatch(what, "line of source", s, line);
                }
            }
        } else {
            if (mapback_sourcemap_source_content(cache, s, &sb, &err) ||
                mapback_sourcemap_source_line_count(cache, s, &err) != 0) {
                mismatch(what, "content kept without contents", s, 0);
            }
        }
    }

    /* Names, file, debug ID. */
    if (names) {
        size_t count = mapback_sourcemap_name_count(map, &err);
        if (mapback_sourcemap_name_count(cache, &err) != count) {
            mismatch(what, "name count", count, mapback_sourcemap_name_count(cache, &err));
        }
        for (i = 0; i < count; i++) {
            fa = mapback_sourcemap_name(map, i, &sa, &err);
            fb = mapback_sourcemap_name(cache, i, &sb, &err);
            if (!same_str(fa, sa, fb, sb)) {
                mismatch(what, "name", i, 0);
            }
        }
    }
    fa = mapback_sourcemap_file(map, &sa, &err);
    fb = mapback_sourcemap_file(cache, &sb, &err);
    if (!same_str(fa, sa, fb, sb)) {
        mismatch(what, "file", 0, 0);
    }
    fa = mapback_sourcemap_debug_id(map, &sa, &err);
    fb = mapback_sourcemap_debug_id(cache, &sb, &err);
    if (!same_str(fa, sa, fb, sb)) {
        mismatch(what, "debug id", 0, 0);
    }
    mapback_error_clear(&err);
    return mismatches - before;
}

/* ------------------------------------------------------------------------------------ */
/* Round trips.                                                                          */

static void check_buffers(void)
{
    mapback_error err = {0};
    mapback_sourcemap *map = parse_file(DEMO_MAP, NULL, &err);
    mapback_sourcemap *cache = NULL;
    mapback_sourcemap *bare = NULL;
    mapback_buf buf = {NULL, 0};
    mapback_buf bare_buf = {NULL, 0};
    mapback_buf again = {NULL, 0};
    mapback_cache_options no_extras = {false, false, false};

    CHECK(map != NULL);
    if (map == NULL) {
        return;
    }
    CHECK(mapback_sourcemap_to_cache(map, NULL, &buf, &err) && err.code == 0);
    CHECK(buf.data != NULL && buf.len > HEADER_LEN && memcmp(buf.data, "MAPBACKC", 8) == 0);
    cache = mapback_cache_from_bytes(buf.data, buf.len, &err);
    CHECK(cache != NULL && err.code == 0);
    if (cache != NULL) {
        CHECK(compare_maps(map, cache, true, true, "demo from bytes") == 0);
        CHECK(mapback_sourcemap_verify(cache, &err) && err.code == 0);
        CHECK(mapback_sourcemap_is_cache(cache, &err) && err.code == 0);
        CHECK(mapback_sourcemap_diagnostic_count(cache, &err) == 0 && err.code == 0);
        /* A cache of a cache is the same bytes. */
        CHECK(mapback_sourcemap_to_cache(cache, NULL, &again, &err) && err.code == 0);
        CHECK(again.len == buf.len && memcmp(again.data, buf.data, buf.len) == 0);
        mapback_buf_free(&again);
    }
    CHECK(!mapback_sourcemap_is_cache(map, &err) && err.code == 0);
    CHECK(mapback_sourcemap_verify(map, &err) && err.code == 0);

    /* Without contents and names. */
    CHECK(mapback_sourcemap_to_cache(map, &no_extras, &bare_buf, &err) && err.code == 0);
    CHECK(bare_buf.data != NULL && bare_buf.len < buf.len);
    bare = mapback_cache_from_bytes(bare_buf.data, bare_buf.len, &err);
    CHECK(bare != NULL && err.code == 0);
    if (bare != NULL) {
        CHECK(compare_maps(map, bare, false, false, "demo without contents and names") == 0);
        CHECK(mapback_sourcemap_name_count(bare, &err) == 0 && err.code == 0);
        CHECK(mapback_sourcemap_verify(bare, &err));
    }

    /* The bytes were copied: freeing them leaves the caches usable. */
    mapback_buf_free(&buf);
    CHECK(buf.data == NULL && buf.len == 0);
    mapback_buf_free(&buf); /* a no-op: the first call reset it */
    CHECK(buf.data == NULL && buf.len == 0);
    mapback_buf_free(NULL);
    mapback_buf_free(&bare_buf);
    if (cache != NULL) {
        CHECK(compare_maps(map, cache, true, true, "demo after the buffer was freed") == 0);
    }

    /* NULL arguments are refused, not dereferenced. */
    CHECK(!mapback_sourcemap_to_cache(map, NULL, NULL, &err) &&
          err.code == MAPBACK_ERROR_NULL_POINTER);
    CHECK(!mapback_sourcemap_to_cache(NULL, NULL, &buf, &err) &&
          err.code == MAPBACK_ERROR_NULL_POINTER && buf.data == NULL);
    CHECK(mapback_cache_from_bytes(NULL, 10, &err) == NULL &&
          err.code == MAPBACK_ERROR_NULL_POINTER);
    CHECK(mapback_cache_from_bytes(NULL, 0, &err) == NULL && err.code == MAPBACK_ERROR_NOT_A_CACHE);
    CHECK(!mapback_sourcemap_verify(NULL, &err) && err.code == MAPBACK_ERROR_NULL_POINTER);

    mapback_sourcemap_free(bare);
    mapback_sourcemap_free(cache);
    mapback_sourcemap_free(map);
    mapback_error_clear(&err);
}

/* Writes `len` bytes to `path`; returns whether it worked. */
static int write_file(const char *path, const unsigned char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok;
    if (f == NULL) {
        return 0;
    }
    ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

static mapback_sourcemap *open_path(const char *path, mapback_error *err)
{
    return mapback_cache_open((const uint8_t *)path, strlen(path), err);
}

static void check_files(const char *dir)
{
    mapback_error err = {0};
    mapback_sourcemap *map = parse_file(DEMO_MAP, NULL, &err);
    mapback_sourcemap *cache = NULL;
    mapback_sourcemap *reopened = NULL;
    mapback_sourcemap *other = NULL;
    char path[512];
    char missing[512];
    char empty[512];

    CHECK(map != NULL);
    if (map == NULL) {
        return;
    }
    snprintf(path, sizeof path, "%s/demo.mbc", dir);
    snprintf(missing, sizeof missing, "%s/missing/demo.mbc", dir);
    snprintf(empty, sizeof empty, "%s/empty.mbc", dir);

    CHECK(mapback_sourcemap_write_cache(map, (const uint8_t *)path, strlen(path), NULL, &err) &&
          err.code == 0);
    cache = open_path(path, &err);
    CHECK(cache != NULL && err.code == 0);
    if (cache != NULL) {
        CHECK(compare_maps(map, cache, true, true, "demo mapped from a file") == 0);
        CHECK(mapback_sourcemap_verify(cache, &err) && err.code == 0);
        CHECK(mapback_sourcemap_is_cache(cache, &err));
    }

    /* Rewriting the file while it is mapped: atomic, the open cache is unaffected. */
    other = parse_text("{\"version\":3,\"sources\":[\"x.js\"],\"names\":[],\"mappings\":\"AAAA\"}",
                       NULL, &err);
    CHECK(other != NULL);
    CHECK(mapback_sourcemap_write_cache(other, (const uint8_t *)path, strlen(path), NULL, &err));
    reopened = open_path(path, &err);
    CHECK(reopened != NULL && mapback_sourcemap_source_count(reopened, &err) == 1);
    if (cache != NULL) {
        CHECK(compare_maps(map, cache, true, true, "demo mapped before a rewrite") == 0);
        CHECK(mapback_sourcemap_verify(cache, &err));
    }
    mapback_sourcemap_free(reopened);
    mapback_sourcemap_free(cache);

    /* Paths that are not cache files. */
    CHECK(open_path(missing, &err) == NULL && err.code == MAPBACK_ERROR_IO && err.message != NULL);
    CHECK(open_path(dir, &err) == NULL && err.code == MAPBACK_ERROR_IO && err.message != NULL);
    CHECK(write_file(empty, (const unsigned char *)"", 0));
    CHECK(open_path(empty, &err) == NULL && err.code == MAPBACK_ERROR_NOT_A_CACHE);
    CHECK(mapback_cache_open(NULL, 0, &err) == NULL && err.code != 0);
    CHECK(mapback_cache_open(NULL, 5, &err) == NULL && err.code == MAPBACK_ERROR_NULL_POINTER);
    CHECK(!mapback_sourcemap_write_cache(map, (const uint8_t *)missing, strlen(missing), NULL,
                                         &err) &&
          err.code == MAPBACK_ERROR_IO);

    unlink(path);
    unlink(empty);
    mapback_sourcemap_free(other);
    mapback_sourcemap_free(map);
    mapback_error_clear(&err);
}

/* ------------------------------------------------------------------------------------ */
/* Damage.                                                                               */

/* Calls that returned MAPBACK_ERROR_PANIC, and other unexpected results. */
static size_t panics = 0;
static size_t unexpected = 0;

static void note(const mapback_error *err)
{
    if (err->code == MAPBACK_ERROR_PANIC) {
        if (panics < 10) {
            printf("  PANIC: %s\n", err->message != NULL ? err->message : "(no message)");
        }
        panics++;
    } else if (err->code != 0 && err->code != MAPBACK_ERROR_INDEX_OUT_OF_RANGE) {
        if (unexpected < 10) {
            printf("  unexpected error %d: %s\n", err->code,
                   err->message != NULL ? err->message : "(no message)");
        }
        unexpected++;
    }
}

/* Reads every byte of a view (valgrind checks that they are addressable and defined). */
static unsigned long touch(bool found, mapback_str s)
{
    unsigned long sum = 0;
    size_t i;
    if (!found) {
        return 0;
    }
    if (s.data == NULL) {
        unexpected++;
        return 0;
    }
    for (i = 0; i < s.len; i++) {
        sum += (unsigned char)s.data[i];
    }
    return sum;
}

/* Runs every query on a (possibly damaged) cache; returns a checksum of the answers. */
static unsigned long sweep(const mapback_sourcemap *map)
{
    static const uint32_t columns[8] = {0, 1, 5, 13, 62, 100, 1000, UINT32_MAX};
    mapback_error err = {0};
    mapback_token t, many[4];
    mapback_str s = {NULL, 0};
    unsigned long sum = 0;
    size_t tokens = mapback_sourcemap_token_count(map, &err);
    size_t lines = mapback_sourcemap_line_count(map, &err);
    size_t sources = mapback_sourcemap_source_count(map, &err);
    size_t names = mapback_sourcemap_name_count(map, &err);
    uint32_t i, line, src;
    int c, o;

    note(&err);
    for (i = 0; i <= tokens && i < 100000; i++) {
        if (mapback_sourcemap_token_at(map, i, &t, &err)) {
            sum += t.generated_column + t.original_line + t.name_index;
            if (t.source_index != MAPBACK_NONE) {
                for (o = 0; o < 4; o++) {
                    mapback_token g;
                    if (mapback_sourcemap_generated_position(map, t.source_index, t.original_line,
                                                             t.original_column, &ALL_OPTIONS[o],
                                                             &g, &err)) {
                        sum += g.token_index;
                    }
                    note(&err);
                }
                sum += mapback_sourcemap_generated_positions(map, t.source_index, t.original_line,
                                                             MAPBACK_NONE, many, 4, &err);
                note(&err);
            }
        }
        note(&err);
    }
    for (line = 0; line <= lines + 1 && line < 64; line++) {
        for (c = 0; c < 8; c++) {
            for (o = 0; o < 4; o++) {
                if (mapback_sourcemap_lookup(map, line, columns[c], &ALL_OPTIONS[o], &t, &err)) {
                    sum += t.token_index;
                }
                note(&err);
                sum += mapback_sourcemap_original_positions(map, line, columns[c], &ALL_OPTIONS[o],
                                                            many, 4, &err);
                note(&err);
            }
        }
    }
    for (o = 0; o < 4; o++) {
        if (mapback_sourcemap_lookup(map, UINT32_MAX, UINT32_MAX, &ALL_OPTIONS[o], &t, &err)) {
            sum += t.token_index;
        }
        note(&err);
        if (mapback_sourcemap_generated_position(map, UINT32_MAX, 0, 0, &ALL_OPTIONS[o], &t, &err)) {
            sum += t.token_index;
        }
        note(&err);
    }
    for (src = 0; src < sources && src < 4096; src++) {
        size_t count;
        sum += touch(mapback_sourcemap_source_name(map, src, &s, &err), s);
        note(&err);
        sum += touch(mapback_sourcemap_source_url(map, src, &s, &err), s);
        note(&err);
        sum += touch(mapback_sourcemap_source_path(map, src, &s, &err), s);
        note(&err);
        sum += touch(mapback_sourcemap_source_content(map, src, &s, &err), s);
        note(&err);
        sum += mapback_sourcemap_source_is_ignored(map, src, &err);
        note(&err);
        count = mapback_sourcemap_source_line_count(map, src, &err);
        note(&err);
        for (line = 0; line <= count && line < 4096; line++) {
            sum += touch(mapback_sourcemap_source_line(map, src, line, &s, &err), s);
            note(&err);
        }
        sum += touch(mapback_sourcemap_source_line(map, src, UINT32_MAX, &s, &err), s);
        note(&err);
    }
    for (i = 0; i < names && i < 4096; i++) {
        sum += touch(mapback_sourcemap_name(map, i, &s, &err), s);
        note(&err);
    }
    sum += touch(mapback_sourcemap_file(map, &s, &err), s);
    note(&err);
    sum += touch(mapback_sourcemap_debug_id(map, &s, &err), s);
    note(&err);
    sum += mapback_sourcemap_is_index_map(map, &err);
    sum += mapback_sourcemap_heap_size(map, &err) > 0;
    note(&err);
    mapback_error_clear(&err);
    return sum;
}

/* Whether `code` is one of the errors opening a cache may report. */
static int is_open_error(int32_t code)
{
    return code == MAPBACK_ERROR_NOT_A_CACHE || code == MAPBACK_ERROR_UNSUPPORTED_CACHE_VERSION ||
           code == MAPBACK_ERROR_CORRUPT_CACHE || code == MAPBACK_ERROR_TRUNCATED_CACHE;
}

/* Flips every byte of `cache` in turn (xor 0xFF) and opens the result twice: copied
 * (mapback_cache_from_bytes) and in place (mapback_cache_from_bytes_borrowed, reading a
 * malloc'd buffer of exactly `len` bytes, so that valgrind sees any read outside it). A
 * refusal must be typed; a cache that opens must answer every query, and fail verify()
 * with a checksum mismatch. */
static void check_flips(const char *name, const unsigned char *cache, size_t len)
{
    mapback_error err = {0};
    unsigned char *copy = malloc(len);
    size_t at, opened = 0, refused = 0, bad_errors = 0, bad_verify = 0;
    size_t panics_before = panics, unexpected_before = unexpected;
    unsigned long sum = 0;
    int borrowed;

    CHECK(copy != NULL);
    if (copy == NULL) {
        return;
    }
    for (at = 0; at < len; at++) {
        for (borrowed = 0; borrowed < 2; borrowed++) {
            mapback_sourcemap *map;
            memcpy(copy, cache, len);
            copy[at] ^= 0xFF;
            map = borrowed ? mapback_cache_from_bytes_borrowed(copy, len, &err)
                           : mapback_cache_from_bytes(copy, len, &err);
            if (map == NULL) {
                refused++;
                if (!is_open_error(err.code)) {
                    if (bad_errors < 10) {
                        printf("  %s: byte %zu flipped: error %d\n", name, at, err.code);
                    }
                    bad_errors++;
                }
                continue;
            }
            opened++;
            if (!borrowed) {
                /* The cache copied the bytes: the caller's copy no longer matters. */
                memset(copy, 0xEE, len);
            }
            sum += sweep(map);
            if (mapback_sourcemap_verify(map, &err) ||
                err.code != MAPBACK_ERROR_CACHE_CHECKSUM_MISMATCH) {
                if (bad_verify < 10) {
                    printf("  %s: byte %zu flipped: verify gave %d\n", name, at, err.code);
                }
                bad_verify++;
            }
            mapback_sourcemap_free(map);
        }
    }
    printf("%s: %zu bytes flipped one at a time, opened copied and in place: %zu refused, "
           "%zu opened (checksum %lu)\n",
           name, len, refused, opened, sum);
    CHECK(bad_errors == 0);
    CHECK(bad_verify == 0);
    CHECK(panics == panics_before);
    CHECK(unexpected == unexpected_before);
    CHECK(opened > 0 && refused > 0);
    free(copy);
    mapback_error_clear(&err);
}

/* Every truncation and extensions by 1 to 16 bytes, copied and in place (each in a
 * malloc'd buffer of exactly that length): refused with NOT_A_CACHE below the 64-byte
 * header, TRUNCATED_CACHE otherwise. */
static void check_lengths(const char *name, const unsigned char *cache, size_t len)
{
    mapback_error err = {0};
    size_t n, wrong = 0;
    int borrowed;

    for (n = 0; n <= len + 16; n++) {
        int32_t expected = n < HEADER_LEN ? MAPBACK_ERROR_NOT_A_CACHE
                                          : MAPBACK_ERROR_TRUNCATED_CACHE;
        unsigned char *exact = malloc(n > 0 ? n : 1);
        if (n == len || exact == NULL) {
            free(exact);
            continue;
        }
        memcpy(exact, cache, n < len ? n : len);
        if (n > len) {
            memset(exact + len, 0xAB, n - len);
        }
        for (borrowed = 0; borrowed < 2; borrowed++) {
            mapback_sourcemap *map = borrowed ? mapback_cache_from_bytes_borrowed(exact, n, &err)
                                              : mapback_cache_from_bytes(exact, n, &err);
            if (map != NULL || err.code != expected || err.message == NULL) {
                if (wrong < 10) {
                    printf("  %s: %zu of %zu bytes%s: %s, error %d\n", name, n, len,
                           borrowed ? " in place" : "", map != NULL ? "opened" : "refused",
                           err.code);
                }
                wrong++;
                mapback_sourcemap_free(map);
            }
        }
        free(exact);
    }
    printf("%s: %zu truncations and 16 extensions\n", name, len);
    CHECK(wrong == 0);
    mapback_error_clear(&err);
}

/* Damaged cache files opened by mapping them. */
static void check_damaged_files(const char *dir, const unsigned char *cache, size_t len)
{
    mapback_error err = {0};
    mapback_sourcemap *map;
    unsigned char *copy = malloc(len);
    char path[512];

    CHECK(copy != NULL);
    if (copy == NULL) {
        return;
    }
    snprintf(path, sizeof path, "%s/damaged.mbc", dir);

    CHECK(write_file(path, cache, len - 1));
    CHECK(open_path(path, &err) == NULL && err.code == MAPBACK_ERROR_TRUNCATED_CACHE);
    CHECK(write_file(path, cache, HEADER_LEN - 1));
    CHECK(open_path(path, &err) == NULL && err.code == MAPBACK_ERROR_NOT_A_CACHE);

    memcpy(copy, cache, len);
    copy[40] ^= 0x01; /* token count: covered by the header checksum */
    CHECK(write_file(path, copy, len));
    CHECK(open_path(path, &err) == NULL && err.code == MAPBACK_ERROR_CORRUPT_CACHE);

    memcpy(copy, cache, len);
    copy[8] ^= 0x02; /* format version */
    CHECK(write_file(path, copy, len));
    CHECK(open_path(path, &err) == NULL && err.code == MAPBACK_ERROR_UNSUPPORTED_CACHE_VERSION);

    memcpy(copy, cache, len);
    copy[len - 3] ^= 0x80; /* in the section table, which ends the file */
    CHECK(write_file(path, copy, len));
    CHECK(open_path(path, &err) == NULL && err.code == MAPBACK_ERROR_CORRUPT_CACHE);

    memcpy(copy, cache, len);
    copy[HEADER_LEN + 1] ^= 0x10; /* in the first section's body */
    CHECK(write_file(path, copy, len));
    map = open_path(path, &err);
    CHECK(map != NULL && err.code == 0);
    if (map != NULL) {
        size_t panics_before = panics;
        sweep(map);
        CHECK(panics == panics_before);
        CHECK(!mapback_sourcemap_verify(map, &err) &&
              err.code == MAPBACK_ERROR_CACHE_CHECKSUM_MISMATCH && err.message != NULL);
        mapback_sourcemap_free(map);
    }
    unlink(path);
    free(copy);
    mapback_error_clear(&err);
}

/* The cache of `map` (full options) in a malloc'd buffer, or NULL. */
static unsigned char *cache_of(const mapback_sourcemap *map, size_t *len)
{
    mapback_error err = {0};
    mapback_buf buf = {NULL, 0};
    unsigned char *copy = NULL;
    if (map != NULL && mapback_sourcemap_to_cache(map, NULL, &buf, &err)) {
        copy = malloc(buf.len);
        if (copy != NULL) {
            memcpy(copy, buf.data, buf.len);
            *len = buf.len;
        }
    }
    mapback_buf_free(&buf);
    mapback_error_clear(&err);
    return copy;
}

static void check_damage(const char *dir)
{
    mapback_error err = {0};
    mapback_sourcemap *tiny = parse_text(TINY, NULL, &err);
    mapback_sourcemap *index = parse_file(TC39_INDEX_MAP, NULL, &err);
    size_t len = 0;
    unsigned char *cache;

    CHECK(tiny != NULL);
    cache = cache_of(tiny, &len);
    CHECK(cache != NULL);
    if (cache != NULL) {
        check_flips("tiny map cache", cache, len);
        check_lengths("tiny map cache", cache, len);
        check_damaged_files(dir, cache, len);
        free(cache);
    }

    if (index == NULL) {
        printf("note: %s is absent: its cache is NOT tested\n", TC39_INDEX_MAP);
    } else {
        cache = cache_of(index, &len);
        CHECK(cache != NULL);
        if (cache != NULL) {
            check_flips("tc39 index map cache", cache, len);
            check_lengths("tc39 index map cache", cache, len);
            free(cache);
        }
    }
    mapback_sourcemap_free(index);
    mapback_sourcemap_free(tiny);
    mapback_error_clear(&err);
}

int main(void)
{
    char dir[] = "/tmp/mapback-test-cache-XXXXXX";

    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    check_buffers();
    check_files(dir);
    check_damage(dir);
    CHECK(rmdir(dir) == 0); /* every file was removed: no temporary file left behind */
    return check_summary("test_cache");
}
