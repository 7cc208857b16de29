/*
 * Structured symbolication through the C ABI, over an artifact store.
 *
 * - A temporary store holding sentry-cli's artifact bundle (tests/data/events); a
 *   symbolicator made from it, then the store handle freed first (the symbolicator
 *   keeps the store open; valgrind checks nothing is used after free).
 * - A real @sentry/node event symbolicated whole: the crashing frame's original file,
 *   line, column and function (tests/data/events/expectations.json), found by debug
 *   ID, the frames as sent kept as raw_stacktrace.
 * - One SDK frame and its debug image through mapback_symbolicator_symbolicate_frames.
 * - NULL and hostile inputs: each a typed error, with the output untouched.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include "check.h"

#define EVENTS "tests/data/events"

/* Whether the call failed with `code`, clearing the error. */
static int failed_with(mapback_error *err, int32_t code)
{
    int ok = err->code == code && err->message != NULL;
    if (!ok) {
        fprintf(stderr, "expected code %d, got %d: %s\n", code, err->code,
                err->message ? err->message : "(no message)");
    }
    mapback_error_clear(err);
    return ok;
}

static mapback_symbolicator *symbolicator_over_a_new_store(char *dir)
{
    mapback_error err = {0};
    mapback_str bundle = {EVENTS "/artifact-bundle.zip", strlen(EVENTS "/artifact-bundle.zip")};
    mapback_store *store = mapback_store_open((const uint8_t *)dir, strlen(dir), NULL, &err);
    CHECK(store != NULL && err.code == 0);
    CHECK(mapback_store_add(store, &bundle, 1, NULL, &err) && err.code == 0);
    mapback_symbolicator *sym = mapback_symbolicator_new_store(store, NULL, &err);
    CHECK(sym != NULL && err.code == 0);
    /* Documented as safe: the symbolicator holds the store on its own. */
    mapback_store_free(store);
    return sym;
}

static void check_event(mapback_symbolicator *sym)
{
    mapback_error err = {0};
    mapback_buf out = {0};
    size_t len = 0;
    unsigned char *event = read_file(EVENTS "/events/node/thrown.json", &len);
    CHECK(event != NULL);
    CHECK(mapback_symbolicator_symbolicate_event(sym, event, len, &out, &err) && err.code == 0);
    /* Keys come sorted: the crashing frame (expectations.json), found by debug ID. */
    CHECK(buf_has(&out, "\"abs_path\":\"/tmp/mapback-events/app/src/checkout.js\",\"colno\":11,"));
    CHECK(buf_has(&out, "\"filename\":\"../app/src/checkout.js\",\"function\":\"discountFor\""));
    CHECK(buf_has(&out, "\"lineno\":18,"));
    CHECK(buf_has(&out, "\"found_by\":\"debug_id\""));
    CHECK(buf_has(&out, "\"raw_stacktrace\":{"));
    CHECK(!buf_has(&out, "\"errors\""));
    mapback_buf_free(&out);
    free(event);
}

static void check_frames(mapback_symbolicator *sym)
{
    mapback_error err = {0};
    mapback_buf out = {0};
    const char *frames = "[{\"filename\":\"/tmp/mapback-events/dist/server.cjs\",\"function\":\"?\","
                         "\"lineno\":1,\"colno\":1469,\"in_app\":true}]";
    const char *images = "[{\"type\":\"sourcemap\",\"code_file\":\"/tmp/mapback-events/dist/server.cjs\","
                         "\"debug_id\":\"5A5D7242-04BE-4ED7-9CBA-D1094A3ADE85\"},{\"type\":\"elf\"}]";
    CHECK(mapback_symbolicator_symbolicate_frames(sym, (const uint8_t *)frames, strlen(frames),
                                                  (const uint8_t *)images, strlen(images),
                                                  MAPBACK_ENGINE_V8, &out, &err) &&
          err.code == 0);
    CHECK(out.len > 2 && out.data[0] == '[');
    CHECK(buf_has(&out, "\"filename\":\"../app/src/checkout.js\",\"found_by\":\"debug_id\","
                        "\"function\":\"discountFor\""));
    CHECK(buf_has(&out, "\"lineno\":18,"));
    CHECK(buf_has(&out, "\"colno\":11,"));
    CHECK(buf_has(&out, "\"unmapped_reason\":null"));
    mapback_buf_free(&out);

    /* Without images, the frame's path is not a `~/` URL match: unmapped, and why. */
    CHECK(mapback_symbolicator_symbolicate_frames(sym, (const uint8_t *)frames, strlen(frames), NULL,
                                                  0, MAPBACK_ENGINE_UNKNOWN, &out, &err));
    CHECK(buf_has(&out, "\"unmapped_reason\":{\"kind\":\"not_found\""));
    CHECK(buf_has(&out, "\"found_by\":null"));
    mapback_buf_free(&out);
}

static void check_hostile_inputs(mapback_symbolicator *sym)
{
    mapback_error err = {0};
    mapback_buf out = {0};
    const uint8_t *empty_list = (const uint8_t *)"[]";
    struct {
        const char *json;
        int32_t code;
    } events[] = {
        {"", MAPBACK_ERROR_INVALID_JSON},
        {"{\"exception\": ", MAPBACK_ERROR_INVALID_JSON},
        {"\xff\xfe", MAPBACK_ERROR_INVALID_JSON},
        {"[1,2,3]", MAPBACK_ERROR_INVALID_ARGUMENT},
        {"\"event\"", MAPBACK_ERROR_INVALID_ARGUMENT},
    };
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
        CHECK(!mapback_symbolicator_symbolicate_event(sym, (const uint8_t *)events[i].json,
                                                      strlen(events[i].json), &out, &err));
        CHECK(failed_with(&err, events[i].code) && out.data == NULL);
    }
    /* An event nested deeper than the JSON reader allows. */
    {
        char deep[2001];
        memset(deep, '[', 2000);
        deep[2000] = '\0';
        CHECK(!mapback_symbolicator_symbolicate_event(sym, (const uint8_t *)deep, 2000, &out, &err));
        CHECK(failed_with(&err, MAPBACK_ERROR_INVALID_JSON) && out.data == NULL);
    }
    /* Over the 16 MiB event limit. */
    {
        size_t big = (16u << 20) + 1;
        uint8_t *huge = malloc(big);
        CHECK(huge != NULL);
        memset(huge, ' ', big);
        CHECK(!mapback_symbolicator_symbolicate_event(sym, huge, big, &out, &err));
        CHECK(failed_with(&err, MAPBACK_ERROR_INPUT_TOO_LARGE) && out.data == NULL);
        free(huge);
    }
    struct {
        const char *frames;
        const char *images;
        uint32_t engine;
        int32_t code;
    } calls[] = {
        {"[", NULL, MAPBACK_ENGINE_V8, MAPBACK_ERROR_INVALID_JSON},
        {"{}", NULL, MAPBACK_ENGINE_V8, MAPBACK_ERROR_INVALID_ARGUMENT},
        {"[7]", NULL, MAPBACK_ENGINE_V8, MAPBACK_ERROR_INVALID_ARGUMENT},
        {"[{\"colno\":-1}]", NULL, MAPBACK_ENGINE_V8, MAPBACK_ERROR_INVALID_ARGUMENT},
        {"[{\"lineno\":\"1\"}]", NULL, MAPBACK_ENGINE_V8, MAPBACK_ERROR_INVALID_ARGUMENT},
        {"[]", "[{\"type\":\"sourcemap\",\"code_file\":\"a.js\",\"debug_id\":\"nope\"}]",
         MAPBACK_ENGINE_V8, MAPBACK_ERROR_INVALID_ARGUMENT},
        {"[]", "{}", MAPBACK_ENGINE_V8, MAPBACK_ERROR_INVALID_ARGUMENT},
        {"[]", NULL, 99, MAPBACK_ERROR_INVALID_ARGUMENT},
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        const char *images = calls[i].images;
        CHECK(!mapback_symbolicator_symbolicate_frames(
            sym, (const uint8_t *)calls[i].frames, strlen(calls[i].frames), (const uint8_t *)images,
            images ? strlen(images) : 0, calls[i].engine, &out, &err));
        CHECK(failed_with(&err, calls[i].code) && out.data == NULL);
    }
    /* NULL arguments. */
    CHECK(mapback_symbolicator_new_store(NULL, NULL, &err) == NULL);
    CHECK(failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_symbolicator_symbolicate_event(NULL, empty_list, 2, &out, &err));
    CHECK(failed_with(&err, MAPBACK_ERROR_NULL_POINTER) && out.data == NULL);
    CHECK(!mapback_symbolicator_symbolicate_event(sym, NULL, 2, &out, &err));
    CHECK(failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_symbolicator_symbolicate_event(sym, empty_list, 2, NULL, &err));
    CHECK(failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_symbolicator_symbolicate_frames(NULL, empty_list, 2, NULL, 0, 0, &out, &err));
    CHECK(failed_with(&err, MAPBACK_ERROR_NULL_POINTER) && out.data == NULL);
    CHECK(!mapback_symbolicator_symbolicate_frames(sym, NULL, 2, NULL, 0, 0, &out, &err));
    CHECK(failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_symbolicator_symbolicate_frames(sym, empty_list, 2, NULL, 0, 0, NULL, &err));
    CHECK(failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    /* err may be NULL. */
    CHECK(!mapback_symbolicator_symbolicate_event(sym, empty_list, 2, &out, NULL) && out.data == NULL);
}

/* The event limits of mapback_symbolicator_options: a byte bound refuses the event, a
 * frame bound leaves the outer frames as sent and says so. */
static void check_event_limits(const char *dir)
{
    mapback_error err = {0};
    mapback_buf out = {0};
    size_t len = 0;
    unsigned char *event = read_file(EVENTS "/events/node/thrown.json", &len);
    CHECK(event != NULL && len > 64);
    mapback_store *store = mapback_store_open((const uint8_t *)dir, strlen(dir), NULL, &err);
    CHECK(store != NULL && err.code == 0);

    mapback_symbolicator_options small = {.max_event_bytes = 64};
    mapback_symbolicator *sym = mapback_symbolicator_new_store(store, &small, &err);
    CHECK(sym != NULL && err.code == 0);
    CHECK(!mapback_symbolicator_symbolicate_event(sym, event, len, &out, &err));
    CHECK(failed_with(&err, MAPBACK_ERROR_INPUT_TOO_LARGE) && out.data == NULL);
    mapback_symbolicator_free(sym);

    mapback_symbolicator_options one_frame = {.max_event_frames = 1};
    sym = mapback_symbolicator_new_store(store, &one_frame, &err);
    CHECK(sym != NULL && err.code == 0);
    CHECK(mapback_symbolicator_symbolicate_event(sym, event, len, &out, &err) && err.code == 0);
    CHECK(buf_has(&out, "\"type\":\"js_too_many_frames\""));
    CHECK(buf_has(&out, "\"limit\":1"));
    /* The crashing frame, the innermost, is the one symbolicated. */
    CHECK(buf_has(&out, "\"function\":\"discountFor\""));
    mapback_buf_free(&out);
    mapback_symbolicator_free(sym);

    mapback_symbolicator_options few_values = {.max_event_values = 3};
    sym = mapback_symbolicator_new_store(store, &few_values, &err);
    CHECK(sym != NULL && err.code == 0);
    CHECK(!mapback_symbolicator_symbolicate_event(sym, event, len, &out, &err));
    CHECK(failed_with(&err, MAPBACK_ERROR_INPUT_TOO_LARGE));
    mapback_symbolicator_free(sym);
    mapback_store_free(store);
    free(event);
}

int main(void)
{
    char dir[] = "/tmp/mapback-c-event-store-XXXXXX";
    char command[80];
    CHECK(mkdtemp(dir) != NULL);
    mapback_symbolicator *sym = symbolicator_over_a_new_store(dir);
    check_event(sym);
    check_frames(sym);
    check_hostile_inputs(sym);
    /* Still working after every refusal. */
    check_event(sym);
    mapback_symbolicator_free(sym);
    check_event_limits(dir);
    mapback_symbolicator_free(NULL);
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    CHECK(system(command) == 0);
    return check_summary("test_event_store");
}
