/*
 * Error paths: invalid input, strict mode, NULL arguments, base URLs, and reusing one
 * mapback_error across many failing calls (run under valgrind: messages must not leak).
 */
#include "check.h"

static const char MINIMAL[] =
    "{\"version\":3,\"sources\":[\"a.js\"],\"names\":[\"n\"],\"mappings\":\"AAAAA\"}";
static const char BAD_BASE64[] =
    "{\"version\":3,\"sources\":[],\"names\":[],\"mappings\":\"A$%?!\"}";
static const char TRUNCATED_VLQ[] =
    "{\"version\":3,\"sources\":[],\"names\":[],\"mappings\":\"g\"}";

/* Whether err holds a failure with this code and a non-empty message. */
static int failed_with(const mapback_error *err, int32_t code)
{
    return err->code == code && err->message != NULL && err->message[0] != '\0';
}

static void check_invalid_json(void)
{
    static const char json[] = "{\"version\":3, oops}";
    mapback_error err = {0};
    mapback_sourcemap *map = parse_text(json, NULL, &err);

    CHECK(map == NULL);
    CHECK(failed_with(&err, MAPBACK_ERROR_INVALID_JSON));
    CHECK(err.offset >= 0 && err.offset < (int64_t)strlen(json));
    printf("      message: %s (offset %lld)\n", err.message ? err.message : "(null)",
           (long long)err.offset);

    /* Empty input (NULL with length 0 is allowed) is invalid JSON too. */
    CHECK(mapback_sourcemap_parse(NULL, 0, NULL, &err) == NULL &&
          failed_with(&err, MAPBACK_ERROR_INVALID_JSON));
    CHECK(err.offset == 0);
    /* Not an object; a missing required field. */
    CHECK(parse_text("[1, 2]", NULL, &err) == NULL &&
          failed_with(&err, MAPBACK_ERROR_NOT_AN_OBJECT));
    CHECK(parse_text("{\"version\":3,\"sources\":[],\"names\":[]}", NULL, &err) == NULL &&
          failed_with(&err, MAPBACK_ERROR_MISSING_FIELD));
    /* A VLQ beyond 32 bits is fatal even in lenient mode. */
    CHECK(parse_text("{\"version\":3,\"sources\":[\"a\"],\"names\":[],\"mappings\":\"ggggggE\"}",
                     NULL, &err) == NULL &&
          failed_with(&err, MAPBACK_ERROR_VLQ_OVERFLOW) && err.offset >= 0);
    /* A failing parse with err == NULL just returns NULL. */
    CHECK(parse_text(json, NULL, NULL) == NULL);

    mapback_error_clear(&err);
    CHECK(err.code == 0 && err.message == NULL && err.offset == -1);
}

static void check_strict(void)
{
    mapback_parse_options strict = {.strict = true};
    mapback_parse_options lenient = {.strict = false};
    mapback_error err = {0};
    mapback_sourcemap *map;
    size_t len = 0;
    unsigned char *data;

    /* Non-Base64 character in mappings: strict fails, lenient drops the mappings. */
    map = parse_text(BAD_BASE64, &strict, &err);
    CHECK(map == NULL && failed_with(&err, MAPBACK_ERROR_INVALID_BASE64));
    CHECK(err.offset == (int64_t)(strchr(BAD_BASE64, '$') - BAD_BASE64));
    map = parse_text(BAD_BASE64, &lenient, &err);
    CHECK(map != NULL && err.code == 0 && err.message == NULL);
    CHECK(mapback_sourcemap_token_count(map, &err) == 0 &&
          mapback_sourcemap_diagnostic_count(map, &err) == 1);
    mapback_sourcemap_free(map);

    /* A VLQ that ends with its continuation bit set. */
    map = parse_text(TRUNCATED_VLQ, &strict, &err);
    CHECK(map == NULL && failed_with(&err, MAPBACK_ERROR_VLQ_TRUNCATED));
    map = parse_text(TRUNCATED_VLQ, NULL, &err);
    CHECK(map != NULL && err.code == 0);
    mapback_sourcemap_free(map);

    /* The same from the tc39 suite. */
    data = read_file(TC39_RESOURCES "/invalid-vlq-non-base64-char.js.map", &len);
    CHECK(data != NULL);
    if (data != NULL) {
        CHECK(mapback_sourcemap_parse(data, len, &strict, &err) == NULL &&
              failed_with(&err, MAPBACK_ERROR_INVALID_BASE64));
        free(data);
    } else {
        printf("      the tc39 suite is expected at %s\n", TC39_RESOURCES);
    }

    /* Other optional errors: strict fails with the specific code. */
    CHECK(parse_text("{\"version\":3,\"sources\":[\"a\"],\"names\":[],\"mappings\":\"ACAA\"}",
                     &strict, &err) == NULL &&
          failed_with(&err, MAPBACK_ERROR_SOURCE_INDEX_OUT_OF_BOUNDS));
    CHECK(parse_text("{\"version\":2,\"sources\":[],\"names\":[],\"mappings\":\"\"}",
                     &strict, &err) == NULL &&
          failed_with(&err, MAPBACK_ERROR_UNSUPPORTED_VERSION));
    CHECK(parse_text("{\"version\":3,\"sources\":[],\"names\":[],\"mappings\":\"\",\"ignoreList\":[3]}",
                     &strict, &err) == NULL &&
          failed_with(&err, MAPBACK_ERROR_INVALID_IGNORE_LIST));
    CHECK(parse_text("{\"version\":3,\"sources\":[\"\xff\"],\"names\":[],\"mappings\":\"\"}",
                     &strict, &err) == NULL &&
          failed_with(&err, MAPBACK_ERROR_INVALID_UTF8));
    mapback_error_clear(&err);
}

static void check_limits(void)
{
    /* Two sources, two names, three mappings. */
    static const char MAP[] = "{\"version\":3,\"sources\":[\"a.js\",\"b.js\"],"
                              "\"names\":[\"x\",\"y\"],\"mappings\":\"AAAA,CAAC,CAAC\"}";
    mapback_parse_options options;
    mapback_error err = {0};
    mapback_sourcemap *map;

    /* Zero fields mean the defaults. */
    memset(&options, 0, sizeof options);
    map = parse_text(MAP, &options, &err);
    CHECK(map != NULL && mapback_sourcemap_token_count(map, &err) == 3);
    mapback_sourcemap_free(map);

    /* Each bound met exactly, then passed by one. */
    options.limits.max_input_bytes = sizeof MAP - 1;
    options.limits.max_mappings = 3;
    options.limits.max_sources = 2;
    options.limits.max_names = 2;
    map = parse_text(MAP, &options, &err);
    CHECK(map != NULL && err.code == 0);
    mapback_sourcemap_free(map);
    for (int field = 0; field < 4; field++) {
        mapback_parse_options tighter = options;
        size_t *bound = field == 0   ? &tighter.limits.max_input_bytes
                        : field == 1 ? &tighter.limits.max_mappings
                        : field == 2 ? &tighter.limits.max_sources
                                     : &tighter.limits.max_names;
        *bound -= 1;
        CHECK(parse_text(MAP, &tighter, &err) == NULL &&
              failed_with(&err, MAPBACK_ERROR_INPUT_TOO_LARGE));
        CHECK(strstr(err.message, "DecodeLimits::max_") != NULL);
    }
    mapback_error_clear(&err);
}

static void check_base_url(void)
{
    static const char relative[] = "static/bundle.min.js.map";
    static const char bad_utf8[] = "https://example.com/\xff";
    mapback_parse_options options = {.strict = false,
                                     .base_url = (const uint8_t *)relative,
                                     .base_url_len = sizeof relative - 1};
    mapback_error err = {0};
    mapback_sourcemap *map;

    CHECK(parse_text(MINIMAL, &options, &err) == NULL &&
          failed_with(&err, MAPBACK_ERROR_INVALID_BASE_URL));
    options.base_url = (const uint8_t *)"/root/x.map";
    options.base_url_len = 11;
    CHECK(parse_text(MINIMAL, &options, &err) == NULL &&
          failed_with(&err, MAPBACK_ERROR_INVALID_BASE_URL));
    options.base_url = (const uint8_t *)bad_utf8;
    options.base_url_len = sizeof bad_utf8 - 1;
    CHECK(parse_text(MINIMAL, &options, &err) == NULL &&
          failed_with(&err, MAPBACK_ERROR_INVALID_ARGUMENT));
    options.base_url = NULL;
    options.base_url_len = 4;
    CHECK(parse_text(MINIMAL, &options, &err) == NULL &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));

    /* NULL with length 0 means "no base URL". */
    options.base_url_len = 0;
    map = parse_text(MINIMAL, &options, &err);
    CHECK(map != NULL && err.code == 0);
    mapback_sourcemap_free(map);
    /* A file: URL is absolute. */
    options.base_url = (const uint8_t *)"file:///srv/app/bundle.js.map";
    options.base_url_len = strlen((const char *)options.base_url);
    map = parse_text(MINIMAL, &options, &err);
    CHECK(map != NULL && err.code == 0);
    {
        mapback_str s = {NULL, 0};
        CHECK(map != NULL && mapback_sourcemap_source_url(map, 0, &s, &err) &&
              str_eq(s, "file:///srv/app/a.js"));
    }
    mapback_sourcemap_free(map);
    mapback_error_clear(&err);
}

static void check_null_map(void)
{
    const mapback_sourcemap *none = NULL;
    mapback_error err = {0};
    mapback_token t;
    mapback_str s;
    mapback_diagnostic d;
    uint32_t line = 0;

    CHECK(!mapback_sourcemap_lookup(none, 0, 0, NULL, &t, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(mapback_sourcemap_lookup_many(none, &line, &line, 1, NULL, &t, &err) == 0 &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(mapback_sourcemap_original_positions(none, 0, 0, NULL, &t, 1, &err) == 0 &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_generated_position(none, 0, 0, 0, NULL, &t, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(mapback_sourcemap_generated_positions(none, 0, 0, MAPBACK_NONE, &t, 1, &err) == 0 &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(mapback_sourcemap_token_count(none, &err) == 0 &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(mapback_sourcemap_line_count(none, &err) == 0 &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_token_at(none, 0, &t, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(mapback_sourcemap_source_count(none, &err) == 0 &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_source_name(none, 0, &s, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_source_url(none, 0, &s, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_source_path(none, 0, &s, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_source_content(none, 0, &s, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_source_is_ignored(none, 0, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(mapback_sourcemap_find_source(none, (const uint8_t *)"a", 1, &err) == MAPBACK_NONE &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(mapback_sourcemap_name_count(none, &err) == 0 &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_name(none, 0, &s, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_file(none, &s, &err) && failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_debug_id(none, &s, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_is_index_map(none, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(mapback_sourcemap_diagnostic_count(none, &err) == 0 &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_diagnostic(none, 0, &d, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(mapback_sourcemap_heap_size(none, &err) == 0 &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));

    /* The same with err == NULL: no crash, neutral results. */
    CHECK(!mapback_sourcemap_lookup(none, 0, 0, NULL, &t, NULL));
    CHECK(mapback_sourcemap_token_count(none, NULL) == 0);
    CHECK(mapback_sourcemap_find_source(none, NULL, 0, NULL) == MAPBACK_NONE);
    CHECK(!mapback_sourcemap_name(none, 0, NULL, NULL));

    /* NULL-safe release functions. */
    mapback_sourcemap_free(NULL);
    mapback_error_clear(NULL);
    {
        int free_null_and_clear_null_returned = 1;
        CHECK(free_null_and_clear_null_returned);
    }
    mapback_error_clear(&err);
}

static void check_null_outputs(void)
{
    mapback_error err = {0};
    mapback_sourcemap *map = parse_text(MINIMAL, NULL, &err);
    uint32_t zero = 0;
    mapback_token t;

    CHECK(map != NULL);
    if (map == NULL) {
        return;
    }
    CHECK(!mapback_sourcemap_lookup(map, 0, 0, NULL, NULL, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_generated_position(map, 0, 0, 0, NULL, NULL, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_token_at(map, 0, NULL, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_source_name(map, 0, NULL, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_source_url(map, 0, NULL, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_source_path(map, 0, NULL, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_source_content(map, 0, NULL, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_name(map, 0, NULL, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_file(map, NULL, &err) && failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_debug_id(map, NULL, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(!mapback_sourcemap_diagnostic(map, 0, NULL, &err) &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));

    /* Arrays may be NULL only when their count is 0. */
    CHECK(mapback_sourcemap_lookup_many(map, NULL, &zero, 1, NULL, &t, &err) == 0 &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(mapback_sourcemap_lookup_many(map, &zero, NULL, 1, NULL, &t, &err) == 0 &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(mapback_sourcemap_lookup_many(map, &zero, &zero, 1, NULL, NULL, &err) == 0 &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(mapback_sourcemap_original_positions(map, 0, 0, NULL, NULL, 4, &err) == 0 &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(mapback_sourcemap_generated_positions(map, 0, 0, MAPBACK_NONE, NULL, 4, &err) == 0 &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(mapback_sourcemap_find_source(map, NULL, 3, &err) == MAPBACK_NONE &&
          failed_with(&err, MAPBACK_ERROR_NULL_POINTER));
    CHECK(mapback_sourcemap_find_source(map, (const uint8_t *)"\xff", 1, &err) == MAPBACK_NONE &&
          failed_with(&err, MAPBACK_ERROR_INVALID_ARGUMENT));
    /* The same map still works afterwards. */
    CHECK(mapback_sourcemap_lookup(map, 0, 0, NULL, &t, &err) && err.code == 0 && t.name_index == 0);

    mapback_sourcemap_free(map);
    mapback_error_clear(&err);
}

static void check_error_reuse(void)
{
    mapback_error err = {0};
    mapback_sourcemap *map = parse_text(MINIMAL, NULL, &err);
    mapback_str s;
    int all_ok = 1;
    int i;

    CHECK(map != NULL);
    /* Each call releases the previous message before writing its own: one struct for
     * thousands of failures, alternating failures and successes. valgrind reports a
     * definite leak here if a message is dropped. */
    for (i = 0; i < 3000; i++) {
        switch (i % 4) {
        case 0:
            if (parse_text("{", NULL, &err) != NULL ||
                !failed_with(&err, MAPBACK_ERROR_INVALID_JSON)) {
                all_ok = 0;
            }
            break;
        case 1:
            if (mapback_sourcemap_name(map, 7, &s, &err) ||
                !failed_with(&err, MAPBACK_ERROR_INDEX_OUT_OF_RANGE) ||
                strstr(err.message, "7") == NULL) {
                all_ok = 0;
            }
            break;
        case 2:
            if (mapback_sourcemap_token_count(NULL, &err) != 0 ||
                !failed_with(&err, MAPBACK_ERROR_NULL_POINTER)) {
                all_ok = 0;
            }
            break;
        default:
            if (!mapback_sourcemap_name(map, 0, &s, &err) || err.code != 0 || err.message != NULL ||
                err.offset != -1) {
                all_ok = 0;
            }
            break;
        }
    }
    CHECK(all_ok);
    /* Ends on a failure; clearing releases it, and clearing twice is harmless. */
    CHECK(parse_text("nope", NULL, &err) == NULL && failed_with(&err, MAPBACK_ERROR_INVALID_JSON));
    mapback_error_clear(&err);
    CHECK(err.code == 0 && err.message == NULL && err.offset == -1);
    mapback_error_clear(&err);
    CHECK(err.code == 0 && err.message == NULL);
    mapback_sourcemap_free(map);
}

/* A bias other than the two constants is refused, never silently reinterpreted. */
static void check_invalid_bias(void)
{
    mapback_error err = {0};
    mapback_sourcemap *map = parse_text(
        "{\"version\":3,\"sources\":[\"a.js\"],\"names\":[],\"mappings\":\"AAAA\"}", NULL, &err);
    CHECK(map != NULL);
    mapback_lookup_options options = {7, true};
    mapback_token token;
    CHECK(!mapback_sourcemap_lookup(map, 0, 0, &options, &token, &err));
    CHECK(failed_with(&err, MAPBACK_ERROR_INVALID_ARGUMENT));
    options.bias = MAPBACK_BIAS_LEAST_UPPER_BOUND;
    CHECK(mapback_sourcemap_lookup(map, 0, 0, &options, &token, &err) && err.code == 0);
    mapback_error_clear(&err);
    mapback_sourcemap_free(map);
}

/* Each code's one-sentence description: static text, NULL for numbers that are not codes. */
static void check_code_descriptions(void)
{
    static const int32_t codes[] = {
        MAPBACK_ERROR_INVALID_JSON, MAPBACK_ERROR_IO,           MAPBACK_ERROR_MISSING_FIELD,
        MAPBACK_ERROR_INVALID_BASE64, MAPBACK_ERROR_NESTED_INDEX_MAP,
        MAPBACK_ERROR_INVALID_ARGUMENT, MAPBACK_ERROR_CORRUPT_CACHE,
        MAPBACK_ERROR_TRACE_TOO_LARGE, MAPBACK_ERROR_PANIC,     MAPBACK_ERROR_CLOSED,
    };
    size_t i;
    const char *text = mapback_error_code_description(MAPBACK_ERROR_INVALID_JSON);

    CHECK(text != NULL && strcmp(text, "The input is not valid JSON.") == 0);
    /* The same static string every time: nothing to free. */
    CHECK(mapback_error_code_description(MAPBACK_ERROR_INVALID_JSON) == text);
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        text = mapback_error_code_description(codes[i]);
        CHECK(text != NULL && strlen(text) > 10 && text[strlen(text) - 1] == '.');
    }
    CHECK(mapback_error_code_description(0) == NULL);
    CHECK(mapback_error_code_description(-1) == NULL);
    CHECK(mapback_error_code_description(108) == NULL);
    CHECK(mapback_error_code_description(12345) == NULL);
}

int main(void)
{
    check_invalid_json();
    check_invalid_bias();
    check_strict();
    check_limits();
    check_base_url();
    check_null_map();
    check_null_outputs();
    check_error_reuse();
    check_code_descriptions();
    return check_summary("test_errors");
}
