/*
 * The artifact store through the C API.
 *
 * - A temporary store: add sentry-cli's artifact bundle (tests/data/events) and the
 *   bundles' build directories; the JSON summary; find by debug ID (any case) and by a
 *   URL matching a `~/` upload; a position looked up through the returned map (every
 *   mapback_sourcemap_* query works on it), which outlives the store; adding again
 *   changes nothing; entries, verify, gc.
 * - Hostile inputs: NULL arguments, an empty path, a missing file, a file that is not
 *   a zip, a zip without a manifest, a directory that is not a store, an invalid debug
 *   ID: each a typed error, with outputs untouched.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <stdbool.h>
#include <unistd.h>

#include "check.h"

#define EVENTS "tests/data/events"
#define APP_ID "869a7777-576f-454e-bd77-0b6aa3a52d82"
#define SERVER_ID "5a5d7242-04be-4ed7-9cba-d1094a3ade85"

static mapback_str str_of(const char *text)
{
    mapback_str s = {text, strlen(text)};
    return s;
}

/* Counts occurrences of `needle` in the buffer. */
static int buf_count(const mapback_buf *buf, const char *needle)
{
    size_t n = strlen(needle);
    int count = 0;
    for (size_t i = 0; buf->data != NULL && i + n <= buf->len; i++) {
        count += memcmp(buf->data + i, needle, n) == 0;
    }
    return count;
}

static int write_file(const char *path, const char *content)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return 0;
    }
    fputs(content, f);
    return fclose(f) == 0;
}

static mapback_store *open_store(const char *path, mapback_error *err)
{
    return mapback_store_open((const uint8_t *)path, strlen(path), NULL, err);
}

static void test_add_find_lookup(const char *root)
{
    mapback_error err = {0};
    char path[512];
    mapback_str inputs[2] = {str_of(EVENTS "/artifact-bundle.zip"), str_of(EVENTS "/bundles")};
    mapback_buf summary = {NULL, 0};
    mapback_buf entry_json = {NULL, 0};
    mapback_buf report = {NULL, 0};
    mapback_store_options options;
    mapback_store *store;
    mapback_sourcemap *map;
    mapback_token token;
    mapback_str view = {NULL, 0};

    memset(&options, 0, sizeof options); /* zero-initialised: the defaults */
    snprintf(path, sizeof path, "%s/store", root);
    store = mapback_store_open((const uint8_t *)path, strlen(path), &options, &err);
    CHECK(store != NULL && err.code == 0);

    CHECK(mapback_store_add(store, inputs, 2, &summary, &err) && err.code == 0);
    CHECK(buf_count(&summary, "\"entry_id\"") == 6);
    CHECK(buf_has(&summary, "\"debug_id\":\"" APP_ID "\""));
    CHECK(buf_has(&summary, "\"~/assets/app.js\""));
    CHECK(buf_has(&summary, "\"~/node/dist/server.cjs\""));
    CHECK(buf_has(&summary, "\"skipped\":[]"));
    CHECK(buf_count(&summary, "\"already_present\":false") == 6);
    mapback_buf_free(&summary);
    CHECK(summary.data == NULL && summary.len == 0);

    /* Again: nothing new (and a NULL summary is allowed). */
    CHECK(mapback_store_add(store, inputs, 2, &summary, &err));
    CHECK(buf_count(&summary, "\"already_present\":true") == 6);
    mapback_buf_free(&summary);
    CHECK(mapback_store_add(store, inputs, 1, NULL, &err) && err.code == 0);

    /* By debug ID, in upper case; the artifact bundle's entry was added first, the
     * directory's (same script, sentry-cli re-serialised the map) last: it wins. */
    map = mapback_store_find_by_debug_id(store, (const uint8_t *)"869A7777-576F-454E-BD77-0B6AA3A52D82",
                                         36, &entry_json, &err);
    CHECK(map != NULL && err.code == 0);
    CHECK(buf_has(&entry_json, "\"found_by\":{\"debug_id\":\"" APP_ID "\",\"kind\":\"debug_id\"}"));
    CHECK(buf_has(&entry_json, "\"script_bytes\":3027"));
    mapback_buf_free(&entry_json);
    CHECK(mapback_sourcemap_is_cache(map, &err));
    CHECK(mapback_sourcemap_debug_id(map, &view, &err) && str_eq(view, APP_ID));
    /* Chromium's frame at 1:2256 (expectations.json): scenarios.js 14:26, 1-based. */
    CHECK(mapback_sourcemap_lookup(map, 0, 2255, NULL, &token, &err));
    CHECK(token.original_line == 13 && token.original_column == 25);
    CHECK(mapback_sourcemap_source_name(map, token.source_index, &view, &err) &&
          str_eq(view, "../app/src/scenarios.js"));
    CHECK(mapback_sourcemap_verify(map, &err));
    mapback_sourcemap_free(map);

    /* By URL: any scheme and host match a `~/` upload; query and fragment ignored. */
    {
        const char *url = "https://cdn.example.com/assets/app.js?v=3#top";
        map = mapback_store_find_by_url(store, (const uint8_t *)url, strlen(url), &entry_json, &err);
        CHECK(map != NULL && err.code == 0);
        CHECK(buf_has(&entry_json, "\"kind\":\"url\""));
        CHECK(buf_has(&entry_json, "\"key\":\"path:/assets/app.js\""));
        CHECK(buf_has(&entry_json, "\"script_url\":\"~/assets/app.js\""));
        mapback_buf_free(&entry_json);
        CHECK(mapback_sourcemap_lookup(map, 0, 2255, NULL, &token, &err) && token.original_line == 13);
    }

    /* Not found: NULL, no error, the JSON untouched. */
    {
        const char *other = "https://cdn.example.com/assets/none.js";
        CHECK(mapback_store_find_by_url(store, (const uint8_t *)other, strlen(other), &entry_json, &err) ==
                  NULL &&
              err.code == 0 && entry_json.data == NULL);
        CHECK(mapback_store_find_by_debug_id(store, (const uint8_t *)"00000000-0000-4000-8000-000000000000",
                                             36, NULL, &err) == NULL &&
              err.code == 0);
    }

    CHECK(mapback_store_entries_json(store, &report, &err));
    CHECK(buf_count(&report, "\"entry_id\"") == 6 && buf_has(&report, "\"last_used\":"));
    mapback_buf_free(&report);
    CHECK(mapback_store_verify_json(store, &report, &err));
    CHECK(buf_has(&report, "\"ok\":true") && buf_has(&report, "\"entries\":6") &&
          buf_has(&report, "\"problems\":[]"));
    mapback_buf_free(&report);
    CHECK(mapback_store_gc_json(store, &report, &err));
    CHECK(buf_has(&report, "\"temp_files\":0"));
    mapback_buf_free(&report);

    /* The map outlives the store. */
    mapback_store_free(store);
    CHECK(mapback_sourcemap_lookup(map, 0, 2255, NULL, &token, &err) && token.original_column == 25);
    mapback_sourcemap_free(map);

    /* A second handle on the same directory sees the same entries. */
    store = open_store(path, &err);
    map = mapback_store_find_by_debug_id(store, (const uint8_t *)SERVER_ID, 36, NULL, &err);
    CHECK(map != NULL && mapback_sourcemap_token_count(map, &err) > 0);
    mapback_sourcemap_free(map);
    mapback_store_free(store);
    mapback_error_clear(&err);
}

static void test_hostile_inputs(const char *root)
{
    mapback_error err = {0};
    char path[512], file[600];
    mapback_buf buf = {NULL, 0};
    mapback_store *store;
    mapback_str input;

    snprintf(path, sizeof path, "%s/hostile", root);
    store = open_store(path, &err);
    CHECK(store != NULL);

    /* NULL handles and arguments. */
    CHECK(mapback_store_open(NULL, 3, NULL, &err) == NULL && err.code == MAPBACK_ERROR_NULL_POINTER);
    CHECK(mapback_store_open((const uint8_t *)"", 0, NULL, &err) == NULL &&
          err.code == MAPBACK_ERROR_INVALID_ARGUMENT);
    CHECK(!mapback_store_add(NULL, NULL, 0, NULL, &err) && err.code == MAPBACK_ERROR_NULL_POINTER &&
          strstr(err.message, "store") != NULL);
    CHECK(!mapback_store_add(store, NULL, 1, &buf, &err) && err.code == MAPBACK_ERROR_NULL_POINTER &&
          buf.data == NULL);
    CHECK(mapback_store_find_by_debug_id(NULL, (const uint8_t *)APP_ID, 36, NULL, &err) == NULL &&
          err.code == MAPBACK_ERROR_NULL_POINTER);
    CHECK(mapback_store_find_by_url(store, NULL, 5, NULL, &err) == NULL &&
          err.code == MAPBACK_ERROR_NULL_POINTER);
    CHECK(!mapback_store_entries_json(store, NULL, &err) && err.code == MAPBACK_ERROR_NULL_POINTER);
    CHECK(!mapback_store_verify_json(NULL, &buf, &err) && err.code == MAPBACK_ERROR_NULL_POINTER);
    CHECK(!mapback_store_gc_json(store, NULL, &err) && err.code == MAPBACK_ERROR_NULL_POINTER);
    mapback_store_free(NULL);

    /* A debug ID that is not a UUID; an empty path among the inputs. */
    CHECK(mapback_store_find_by_debug_id(store, (const uint8_t *)"nope", 4, &buf, &err) == NULL &&
          err.code == MAPBACK_ERROR_INVALID_DEBUG_ID && buf.data == NULL);
    input = str_of("");
    CHECK(!mapback_store_add(store, &input, 1, &buf, &err) && err.code == MAPBACK_ERROR_INVALID_ARGUMENT);

    /* A missing file; a file that is not a zip; a zip without a manifest. */
    input = str_of(EVENTS "/no-such-bundle.zip");
    CHECK(!mapback_store_add(store, &input, 1, &buf, &err) && err.code == MAPBACK_ERROR_IO && buf.data == NULL);
    snprintf(file, sizeof file, "%s/fake.zip", root);
    CHECK(write_file(file, "this is not a zip archive"));
    input = str_of(file);
    CHECK(!mapback_store_add(store, &input, 1, &buf, &err) && err.code == MAPBACK_ERROR_INVALID_ARCHIVE &&
          buf.data == NULL);
    /* A valid zip without manifest.json: an empty archive (the 22-byte
     * end-of-central-directory record alone). */
    {
        static const unsigned char empty_zip[22] = {0x50, 0x4b, 0x05, 0x06};
        FILE *f;
        snprintf(file, sizeof file, "%s/empty.zip", root);
        f = fopen(file, "wb");
        CHECK(f != NULL && fwrite(empty_zip, 1, sizeof empty_zip, f) == sizeof empty_zip);
        if (f != NULL) {
            fclose(f);
        }
        input = str_of(file);
        CHECK(!mapback_store_add(store, &input, 1, &buf, &err) &&
              err.code == MAPBACK_ERROR_INVALID_MANIFEST);
    }
    /* Nothing was stored by any of them. */
    CHECK(mapback_store_entries_json(store, &buf, &err) && buf_has(&buf, "{\"entries\":[]}"));
    mapback_buf_free(&buf);
    mapback_store_free(store);

    /* A directory holding something else (the files above) is not a store. */
    CHECK(open_store(root, &err) == NULL && err.code == MAPBACK_ERROR_NOT_A_STORE &&
          strstr(err.message, "format") != NULL);
    mapback_error_clear(&err);
}

int main(void)
{
    char root[] = "/tmp/mapback-c-store-XXXXXX";
    char command[600];

    if (mkdtemp(root) == NULL) {
        printf("cannot create a temporary directory\n");
        return 1;
    }
    test_add_find_lookup(root);
    test_hostile_inputs(root);
    snprintf(command, sizeof command, "rm -rf '%s'", root);
    CHECK(system(command) == 0);
    return check_summary("test_store");
}
