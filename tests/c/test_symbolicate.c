/*
 * Symbolication through the C ABI: a C fetch callback serving the demo bundle and its
 * map, a directory-backed symbolicator, the JSON result, and error paths.
 */
#include "check.h"

struct files {
    unsigned char *script;
    size_t script_len;
    unsigned char *map;
    size_t map_len;
    int calls;
};

static int ends_with(const uint8_t *url, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(url + len - n, suffix, n) == 0;
}

static int32_t fetch(void *user_data, const uint8_t *url, size_t url_len, mapback_fetched *out)
{
    struct files *files = user_data;
    mapback_error err = {0};
    files->calls++;
    if (ends_with(url, url_len, "/bundle.min.js")) {
        return mapback_fetched_set(out, files->script, files->script_len, &err) ? 1 : -1;
    }
    if (ends_with(url, url_len, "/bundle.min.js.map")) {
        return mapback_fetched_set(out, files->map, files->map_len, &err) ? 1 : -1;
    }
    if (ends_with(url, url_len, "/fails.js")) {
        return -7;
    }
    return 0;
}

static const char *TRACE =
    "Error: coupon expired: SPRING\n"
    "    at l (https://app.example.com/bundle.min.js:1:1036)\n"
    "    at x (https://app.example.com/bundle.min.js:1:1611)\n"
    "    at q (https://app.example.com/fails.js:1:1)\n"
    "    at Array.map (<anonymous>)\n";

static int contains(const mapback_buf *buf, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= buf->len; i++) {
        if (memcmp(buf->data + i, needle, n) == 0) {
            return 1;
        }
    }
    return 0;
}

static void check_callback_symbolicator(void)
{
    struct files files = {0};
    files.script = read_file("examples/demo/bundle.min.js", &files.script_len);
    files.map = read_file(DEMO_MAP, &files.map_len);
    CHECK(files.script != NULL && files.map != NULL);
    mapback_error err = {0};
    mapback_symbolicator *sym = mapback_symbolicator_new(fetch, &files, NULL, &err);
    CHECK(sym != NULL && err.code == 0);
    mapback_buf json = {0};
    CHECK(mapback_symbolicator_symbolicate(sym, (const uint8_t *)TRACE, strlen(TRACE), &json, &err));
    CHECK(json.data != NULL && json.len > 0);
    CHECK(contains(&json, "\"function\":\"applyCoupon\""));
    CHECK(contains(&json, "\"function\":\"priceCart\""));
    CHECK(contains(&json, "\"filename\":\"app/src/pricing.js\""));
    CHECK(contains(&json, "\"lineno\":37"));
    CHECK(contains(&json, "status -7"));
    CHECK(contains(&json, "\"kind\":\"loader_failed\""));
    CHECK(contains(&json, "\"kind\":\"no_location\""));
    mapback_buf_free(&json);
    CHECK(json.data == NULL && json.len == 0);
    /* The script and map were fetched once; a second trace uses the cache. */
    int calls = files.calls;
    CHECK(mapback_symbolicator_symbolicate(sym, (const uint8_t *)TRACE, strlen(TRACE), &json, &err));
    mapback_buf_free(&json);
    CHECK(files.calls == calls + 1); /* only fails.js is asked again: failures are not cached */
    mapback_symbolicator_free(sym);
    free(files.script);
    free(files.map);
}

static void check_directory_symbolicator(void)
{
    mapback_error err = {0};
    mapback_str dirs[1] = {{"examples/demo", 13}};
    mapback_symbolicator_options options = {.context_lines = 2};
    mapback_symbolicator *sym =
        mapback_symbolicator_new_directories(NULL, NULL, 0, dirs, 1, &options, &err);
    CHECK(sym != NULL);
    size_t len = 0;
    unsigned char *trace = read_file("examples/demo/trace-node.txt", &len);
    mapback_buf json = {0};
    CHECK(mapback_symbolicator_symbolicate(sym, trace, len, &json, &err));
    CHECK(contains(&json, "\"function\":\"main\""));
    CHECK(contains(&json, "\"function\":\"checkout\""));
    CHECK(contains(&json, "\"truncated\":false"));
    mapback_buf_free(&json);
    mapback_symbolicator_free(sym);

    /* The limits reach the trace parser and the map decoder. */
    options.max_trace_frames = 1;
    sym = mapback_symbolicator_new_directories(NULL, NULL, 0, dirs, 1, &options, &err);
    CHECK(sym != NULL && mapback_symbolicator_symbolicate(sym, trace, len, &json, &err));
    CHECK(contains(&json, "\"truncated\":true") && !contains(&json, "\"function\":\"checkout\""));
    mapback_buf_free(&json);
    mapback_symbolicator_free(sym);
    options.max_trace_frames = 0;
    options.map_limits.max_mappings = 1;
    sym = mapback_symbolicator_new_directories(NULL, NULL, 0, dirs, 1, &options, &err);
    CHECK(sym != NULL && mapback_symbolicator_symbolicate(sym, trace, len, &json, &err));
    CHECK(contains(&json, "DecodeLimits::max_mappings") && !contains(&json, "\"function\":\"main\""));
    mapback_buf_free(&json);
    mapback_symbolicator_free(sym);
    free(trace);

    mapback_str missing[1] = {{"/nonexistent/dir", 16}};
    CHECK(mapback_symbolicator_new_directories(NULL, NULL, 0, missing, 1, NULL, &err) == NULL);
    CHECK(err.code == MAPBACK_ERROR_IO && err.message != NULL);
    mapback_error_clear(&err);
}

static void check_errors(void)
{
    mapback_error err = {0};
    CHECK(mapback_symbolicator_new(NULL, NULL, NULL, &err) == NULL);
    CHECK(err.code == MAPBACK_ERROR_NULL_POINTER);
    mapback_buf json = {0};
    CHECK(!mapback_symbolicator_symbolicate(NULL, (const uint8_t *)"x", 1, &json, &err));
    CHECK(err.code == MAPBACK_ERROR_NULL_POINTER && json.data == NULL);
    struct files none = {0};
    mapback_symbolicator *sym = mapback_symbolicator_new(fetch, &none, NULL, &err);
    const uint8_t bad_utf8[] = {0xff, 0xfe};
    CHECK(!mapback_symbolicator_symbolicate(sym, bad_utf8, 2, &json, &err));
    CHECK(err.code == MAPBACK_ERROR_INVALID_ARGUMENT);
    CHECK(!mapback_fetched_set(NULL, bad_utf8, 2, &err) && err.code == MAPBACK_ERROR_NULL_POINTER);
    mapback_symbolicator_free(sym);
    mapback_symbolicator_free(NULL);
    mapback_error_clear(&err);
}

int main(void)
{
    check_callback_symbolicator();
    check_directory_symbolicator();
    check_errors();
    return check_summary("test_symbolicate");
}
