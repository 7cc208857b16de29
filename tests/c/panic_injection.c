/*
 * Panic injection from C (`make test-panic`): linked against a library built with the
 * test-only `panic-injection` feature, in which every export panics inside its landing
 * pad while MAPBACK_INJECT_PANIC is set. Each call must report MAPBACK_ERROR_PANIC with
 * a message, return its neutral value and leave its outputs untouched; once the
 * variable is unset, the same objects work again in the same process.
 *
 * Not named test_*.c: tests/c/run.sh links those against the normal library, where
 * nothing panics.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>

#include "check.h"

static int panicked(mapback_error *err)
{
    int ok = err->code == MAPBACK_ERROR_PANIC && err->message != NULL &&
             strstr(err->message, "panic") != NULL;
    mapback_error_clear(err);
    return ok;
}

/* Calls every kind of export: constructor, query, output buffer, builder, cache,
 * symbolicator, text helper, store, symbolicator over the store (events, frames); with
 * `injected`, each must report the panic. */
static void exercise(mapback_sourcemap *map, const unsigned char *json, size_t json_len,
                     const unsigned char *trace, size_t trace_len, mapback_symbolicator *sym,
                     mapback_store *store, const uint8_t *event, size_t event_len, int injected)
{
    mapback_error err = {0};
    mapback_token token;
    mapback_str name = {NULL, 0};
    mapback_buf buf = {NULL, 0};
    uint32_t line = 7, column = 7;
    mapback_str bundle = {"tests/data/events/artifact-bundle.zip", 37};
    const uint8_t *app_id = (const uint8_t *)"869a7777-576f-454e-bd77-0b6aa3a52d82";

    memset(&token, 0xAB, sizeof token);
    if (injected) {
        CHECK(mapback_sourcemap_parse(json, json_len, NULL, &err) == NULL && panicked(&err));
        CHECK(!mapback_sourcemap_lookup(map, 0, 1610, NULL, &token, &err) && panicked(&err));
        CHECK(token.token_index == 0xABABABABu); /* untouched */
        CHECK(mapback_sourcemap_token_count(map, &err) == 0 && panicked(&err));
        CHECK(!mapback_sourcemap_source_name(map, 0, &name, &err) && panicked(&err) &&
              name.data == NULL);
        CHECK(!mapback_sourcemap_to_json(map, NULL, &buf, &err) && panicked(&err) &&
              buf.data == NULL);
        CHECK(!mapback_sourcemap_scopes_json(map, &buf, &err) && panicked(&err) &&
              buf.data == NULL);
        CHECK(!mapback_sourcemap_to_cache(map, NULL, &buf, &err) && panicked(&err) &&
              buf.data == NULL);
        CHECK(!mapback_sourcemap_inspect_html(json, json_len, NULL, 0, NULL, 0, NULL, 0, &buf, &err) &&
              panicked(&err) && buf.data == NULL);
        CHECK(mapback_cache_from_bytes(json, json_len, &err) == NULL && panicked(&err));
        CHECK(mapback_builder_new(&err) == NULL && panicked(&err));
        CHECK(!mapback_text_end_position(json, json_len, &line, &column, &err) &&
              panicked(&err) && line == 7 && column == 7);
        CHECK(!mapback_symbolicator_symbolicate(sym, trace, trace_len, &buf, &err) &&
              panicked(&err) && buf.data == NULL);
        CHECK(mapback_store_open((const uint8_t *)"/tmp", 4, NULL, &err) == NULL && panicked(&err));
        CHECK(!mapback_store_add(store, &bundle, 1, &buf, &err) && panicked(&err) && buf.data == NULL);
        CHECK(mapback_store_find_by_debug_id(store, app_id, 36, &buf, &err) == NULL && panicked(&err) &&
              buf.data == NULL);
        CHECK(!mapback_store_verify_json(store, &buf, &err) && panicked(&err) && buf.data == NULL);
        CHECK(mapback_symbolicator_new_store(store, NULL, &err) == NULL && panicked(&err));
        CHECK(!mapback_symbolicator_symbolicate_event(sym, event, event_len, &buf, &err) &&
              panicked(&err) && buf.data == NULL);
        CHECK(!mapback_symbolicator_symbolicate_frames(sym, (const uint8_t *)"[]", 2, NULL, 0,
                                                       MAPBACK_ENGINE_V8, &buf, &err) &&
              panicked(&err) && buf.data == NULL);
        CHECK(mapback_version() == NULL); /* no error struct: the neutral value only */
        CHECK(mapback_error_code_description(MAPBACK_ERROR_PANIC) == NULL);
        /* A panic with err == NULL is still caught. */
        CHECK(mapback_sourcemap_token_count(map, NULL) == 0);
        return;
    }
    {
        mapback_sourcemap *again = mapback_sourcemap_parse(json, json_len, NULL, &err);
        CHECK(again != NULL && err.code == 0);
        mapback_sourcemap_free(again);
    }
    CHECK(mapback_sourcemap_lookup(map, 0, 1610, NULL, &token, &err) &&
          token.original_line == 7 && token.original_column == 21);
    CHECK(mapback_sourcemap_token_count(map, &err) > 0 && err.code == 0);
    CHECK(mapback_sourcemap_source_name(map, 0, &name, &err) && name.data != NULL);
    CHECK(mapback_sourcemap_to_json(map, NULL, &buf, &err) && buf.data != NULL);
    mapback_buf_free(&buf);
    CHECK(mapback_sourcemap_scopes_json(map, &buf, &err) && buf.data != NULL &&
          strstr((const char *)buf.data, "\"ranges\":[]") != NULL);
    CHECK(mapback_sourcemap_inspect_html(json, json_len, NULL, 0, NULL, 0, NULL, 0, &buf, &err) &&
          buf.data != NULL);
    mapback_buf_free(&buf);
    {
        mapback_builder *builder = mapback_builder_new(&err);
        CHECK(builder != NULL);
        mapback_builder_free(builder);
    }
    CHECK(mapback_text_end_position(json, json_len, &line, &column, &err));
    CHECK(mapback_symbolicator_symbolicate(sym, trace, trace_len, &buf, &err) &&
          buf.data != NULL && strstr((const char *)buf.data, "\"function\":\"main\"") != NULL);
    mapback_buf_free(&buf);
    CHECK(mapback_store_add(store, &bundle, 1, NULL, &err) && err.code == 0);
    {
        mapback_sourcemap *found = mapback_store_find_by_debug_id(store, app_id, 36, NULL, &err);
        CHECK(found != NULL && mapback_sourcemap_lookup(found, 0, 2255, NULL, &token, &err) &&
              token.original_line == 13);
        mapback_sourcemap_free(found);
    }
    CHECK(mapback_store_verify_json(store, &buf, &err) && strstr((const char *)buf.data, "\"ok\":true"));
    mapback_buf_free(&buf);
    {
        mapback_symbolicator *from_store = mapback_symbolicator_new_store(store, NULL, &err);
        CHECK(from_store != NULL && err.code == 0);
        CHECK(mapback_symbolicator_symbolicate_event(from_store, event, event_len, &buf, &err) &&
              strstr((const char *)buf.data, "\"found_by\":\"debug_id\"") != NULL);
        mapback_buf_free(&buf);
        CHECK(mapback_symbolicator_symbolicate_frames(from_store, (const uint8_t *)"[]", 2, NULL, 0,
                                                      MAPBACK_ENGINE_V8, &buf, &err) &&
              buf.len == 2);
        mapback_buf_free(&buf);
        mapback_symbolicator_free(from_store);
    }
    CHECK(mapback_version() != NULL);
}

int main(void)
{
    mapback_error err = {0};
    size_t json_len = 0, trace_len = 0, event_len = 0;
    unsigned char *json = read_file(DEMO_MAP, &json_len);
    unsigned char *event = read_file("tests/data/events/events/browser/thrown.json", &event_len);
    unsigned char *trace = read_file("examples/demo/trace-node.txt", &trace_len);
    mapback_str dirs[1] = {{"examples/demo", 13}};
    mapback_sourcemap *map;
    mapback_symbolicator *sym;
    char store_dir[] = "/tmp/mapback-panic-store-XXXXXX";
    char command[64];
    mapback_store *store;

    CHECK(json != NULL && trace != NULL && event != NULL);
    map = mapback_sourcemap_parse(json, json_len, NULL, &err);
    sym = mapback_symbolicator_new_directories(NULL, NULL, 0, dirs, 1, NULL, &err);
    CHECK(mkdtemp(store_dir) != NULL);
    store = mapback_store_open((const uint8_t *)store_dir, strlen(store_dir), NULL, &err);
    CHECK(map != NULL && sym != NULL && store != NULL);

    for (int round = 0; round < 3; round++) {
        CHECK(setenv("MAPBACK_INJECT_PANIC", "1", 1) == 0);
        exercise(map, json, json_len, trace, trace_len, sym, store, event, event_len, 1);
        CHECK(unsetenv("MAPBACK_INJECT_PANIC") == 0);
        exercise(map, json, json_len, trace, trace_len, sym, store, event, event_len, 0);
    }

    mapback_store_free(store);
    snprintf(command, sizeof command, "rm -rf '%s'", store_dir);
    CHECK(system(command) == 0);
    mapback_symbolicator_free(sym);
    mapback_sourcemap_free(map);
    free(json);
    free(trace);
    free(event);
    return check_summary("panic_injection");
}
