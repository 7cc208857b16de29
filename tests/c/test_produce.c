/*
 * The producer side of the C API: a builder, encoding, composition with a loader
 * callback, concatenation, rewriting, and the ownership of every buffer involved.
 */
#include "check.h"

static const char *INNER =
    "{\"version\":3,\"sources\":[\"src.ts\"],\"names\":[\"total\"],\"mappings\":\"AAIMA\"}";
static const char *DEBUG_ID = "85314830-023f-4cf1-a267-535f4e37bb17";

static int buf_eq(mapback_buf buf, const char *expected)
{
    size_t n = strlen(expected);
    return buf.data != NULL && buf.len == n && memcmp(buf.data, expected, n) == 0;
}

static int buf_contains(mapback_buf buf, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= buf.len; i++) {
        if (memcmp(buf.data + i, needle, n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* A compose loader: gives INNER for "bundle.js" (as bytes), nothing otherwise. */
static int32_t load_map(void *user_data, const uint8_t *name, size_t len, mapback_fetched *out)
{
    int *calls = user_data;
    mapback_error err = {0};
    (*calls)++;
    if (len == 9 && memcmp(name, "bundle.js", 9) == 0) {
        if (!mapback_fetched_set(out, (const uint8_t *)INNER, strlen(INNER), &err)) {
            mapback_error_clear(&err);
            return -1;
        }
        return 1;
    }
    return 0;
}

/* A content loader that fails. */
static int32_t failing_loader(void *user_data, const uint8_t *name, size_t len, mapback_fetched *out)
{
    (void)user_data;
    (void)name;
    (void)len;
    (void)out;
    return 7;
}

static mapback_sourcemap *build_outer(void)
{
    mapback_error err = {0};
    mapback_builder *b = mapback_builder_new(&err);
    CHECK(b != NULL);
    CHECK(mapback_builder_set_file(b, (const uint8_t *)"out.js", 6, &err));
    uint32_t source = mapback_builder_add_source(b, (const uint8_t *)"bundle.js", 9, &err);
    uint32_t name = mapback_builder_add_name(b, (const uint8_t *)"a", 1, &err);
    CHECK(source == 0 && name == 0);
    CHECK(mapback_builder_add_source(b, (const uint8_t *)"bundle.js", 9, &err) == 0);
    CHECK(mapback_builder_set_source_content(b, 0, (const uint8_t *)"x", 1, &err));
    mapback_token tokens[3] = {
        {0, 0, 5, 0, 0, 4, MAPBACK_NONE},
        {0, 0, 0, 0, 0, 0, 0},
        {0, 1, 0, MAPBACK_NONE, MAPBACK_NONE, MAPBACK_NONE, MAPBACK_NONE},
    };
    CHECK(mapback_builder_add_mappings(b, tokens, 3, &err));
    CHECK(mapback_builder_mapping_count(b, &err) == 3);

    /* All or nothing: a bad source index adds none and says which token. */
    mapback_token bad[2] = {{0, 2, 0, 0, 0, 0, MAPBACK_NONE}, {0, 2, 1, 9, 0, 0, MAPBACK_NONE}};
    CHECK(!mapback_builder_add_mappings(b, bad, 2, &err));
    CHECK(err.code == MAPBACK_ERROR_INDEX_OUT_OF_RANGE);
    CHECK(err.message != NULL && strstr(err.message, "tokens[1]") != NULL);
    CHECK(mapback_builder_mapping_count(b, &err) == 3);
    CHECK(!mapback_builder_set_debug_id(b, (const uint8_t *)"nope", 4, &err));
    CHECK(err.code == MAPBACK_ERROR_INVALID_DEBUG_ID);

    mapback_buf json = {0};
    CHECK(mapback_builder_to_json(b, NULL, &json, &err));
    CHECK(buf_eq(json, "{\"version\":3,\"file\":\"out.js\",\"sources\":[\"bundle.js\"],"
                       "\"sourcesContent\":[\"x\"],\"names\":[\"a\"],\"mappings\":\"AAAAA,KAAI;A\"}"));
    mapback_buf_free(&json);
    CHECK(json.data == NULL && json.len == 0);
    mapback_encode_options lean = {false, false};
    CHECK(mapback_builder_to_json(b, &lean, &json, &err));
    CHECK(buf_eq(json, "{\"version\":3,\"file\":\"out.js\",\"sources\":[\"bundle.js\"],"
                       "\"names\":[],\"mappings\":\"AAAA,KAAI;A\"}"));
    mapback_buf_free(&json);

    mapback_sourcemap *map = mapback_builder_build(b, &err);
    CHECK(map != NULL);
    mapback_builder_free(b);
    mapback_error_clear(&err);
    return map;
}

/* Range mappings: built, encoded, decoded, looked up inside, flagged. */
static void range_mappings(void)
{
    mapback_error err = {0};
    mapback_builder *b = mapback_builder_new(&err);
    CHECK(mapback_builder_add_source(b, (const uint8_t *)"a.js", 4, &err) == 0);
    /* 0:0 a range to 2:0; 0:8 a point to 9:9. */
    mapback_token ranges[1] = {{0, 0, 0, 0, 2, 0, MAPBACK_NONE}};
    mapback_token points[1] = {{0, 0, 8, 0, 9, 9, MAPBACK_NONE}};
    CHECK(mapback_builder_add_range_mappings(b, ranges, 1, &err));
    CHECK(mapback_builder_add_mappings(b, points, 1, &err));
    /* A range mapping without an original position is refused, nothing added. */
    mapback_token unmapped[1] = {{0, 1, 0, MAPBACK_NONE, MAPBACK_NONE, MAPBACK_NONE, MAPBACK_NONE}};
    CHECK(!mapback_builder_add_range_mappings(b, unmapped, 1, &err));
    CHECK(err.code == MAPBACK_ERROR_INVALID_ARGUMENT);
    mapback_error_clear(&err);
    CHECK(mapback_builder_mapping_count(b, &err) == 2);
    mapback_buf json = {0};
    CHECK(mapback_builder_to_json(b, NULL, &json, &err));
    CHECK(buf_contains(json, "\"rangeMappings\":\"A\""));
    mapback_buf_free(&json);
    mapback_sourcemap *map = mapback_builder_build(b, &err);
    CHECK(map != NULL);
    mapback_token token;
    CHECK(mapback_sourcemap_lookup(map, 0, 5, NULL, &token, &err));
    CHECK(token.token_index == 0 && token.generated_column == 5);
    CHECK(token.original_line == 2 && token.original_column == 5);
    CHECK(mapback_sourcemap_token_is_range(map, token.token_index, &err) && err.code == 0);
    CHECK(mapback_sourcemap_lookup(map, 0, 9, NULL, &token, &err));
    CHECK(token.original_line == 9 && token.original_column == 9);
    CHECK(!mapback_sourcemap_token_is_range(map, token.token_index, &err) && err.code == 0);
    CHECK(!mapback_sourcemap_token_is_range(map, 2, &err));
    CHECK(err.code == MAPBACK_ERROR_INDEX_OUT_OF_RANGE);
    mapback_error_clear(&err);
    mapback_sourcemap_free(map);
    mapback_builder_free(b);
}

/* Scopes (the scopes proposal): set as JSON, encoded, decoded, read back as JSON. */
static void scopes(void)
{
    static const char *RECORD =
        "{\"sources\":[{\"scope\":{\"start\":{\"line\":0,\"column\":0},"
        "\"end\":{\"line\":9,\"column\":0},\"name\":\"main\",\"kind\":null,"
        "\"isStackFrame\":true,\"variables\":[],\"children\":[]}}],"
        "\"ranges\":[{\"start\":{\"line\":0,\"column\":0},\"end\":{\"line\":0,\"column\":9},"
        "\"definitionIndex\":0,\"stackFrameType\":\"original\",\"bindings\":[],"
        "\"callSite\":null,\"children\":[]}]}";
    mapback_error err = {0};
    mapback_builder *b = mapback_builder_new(&err);
    CHECK(mapback_builder_add_source(b, (const uint8_t *)"a.js", 4, &err) == 0);
    CHECK(mapback_builder_set_scopes_json(b, (const uint8_t *)RECORD, strlen(RECORD), &err));
    /* Not JSON: refused, the scopes kept. */
    CHECK(!mapback_builder_set_scopes_json(b, (const uint8_t *)"{", 1, &err));
    CHECK(err.code == MAPBACK_ERROR_INVALID_ARGUMENT);
    mapback_error_clear(&err);
    mapback_buf json = {0};
    CHECK(mapback_builder_to_json(b, NULL, &json, &err));
    CHECK(buf_contains(json, "\"scopes\":\""));
    mapback_buf_free(&json);
    mapback_sourcemap *map = mapback_builder_build(b, &err);
    CHECK(map != NULL);
    CHECK(mapback_sourcemap_scopes_json(map, &json, &err));
    CHECK(buf_contains(json, "\"name\":\"main\""));
    CHECK(buf_contains(json, "\"stackFrameType\":\"original\""));
    mapback_buf_free(&json);
    mapback_sourcemap_free(map);
    /* NULL removes them. */
    CHECK(mapback_builder_set_scopes_json(b, NULL, 0, &err));
    CHECK(mapback_builder_to_json(b, NULL, &json, &err));
    CHECK(!buf_contains(json, "\"scopes\""));
    mapback_buf_free(&json);
    mapback_builder_free(b);
}

int main(void)
{
    mapback_error err = {0};
    range_mappings();
    scopes();
    mapback_sourcemap *outer = build_outer();
    mapback_token token;

    /* Compose through the loader. */
    int calls = 0;
    const mapback_sourcemap *chain[1] = {outer};
    mapback_builder *composed = mapback_sourcemap_compose(chain, 1, load_map, &calls, &err);
    CHECK(composed != NULL);
    CHECK(calls == 2); /* bundle.js, then src.ts (an original) */
    mapback_sourcemap *result = mapback_builder_build(composed, &err);
    CHECK(result != NULL);
    CHECK(mapback_sourcemap_lookup(result, 0, 5, NULL, &token, &err));
    CHECK(token.original_line == 4 && token.original_column == 6);
    mapback_str text;
    CHECK(mapback_sourcemap_name(result, token.name_index, &text, &err) && str_eq(text, "total"));
    mapback_sourcemap_free(result);
    mapback_builder_free(composed);

    /* The same through a two-map chain, and an empty chain refused. */
    mapback_sourcemap *inner = mapback_sourcemap_parse((const uint8_t *)INNER, strlen(INNER), NULL, &err);
    const mapback_sourcemap *pair[2] = {outer, inner};
    composed = mapback_sourcemap_compose(pair, 2, NULL, NULL, &err);
    CHECK(composed != NULL && mapback_builder_mapping_count(composed, &err) == 3);
    mapback_builder_free(composed);
    CHECK(mapback_sourcemap_compose(pair, 0, NULL, NULL, &err) == NULL);
    CHECK(err.code == MAPBACK_ERROR_INVALID_ARGUMENT);

    /* Concatenate: outer at 0:0, a piece without a map at 1:0, inner at 2:3. */
    uint32_t line = 0, column = 0;
    CHECK(mapback_text_end_position((const uint8_t *)"ab\ncd", 5, &line, &column, &err));
    CHECK(line == 1 && column == 2);
    mapback_concat_piece pieces[3] = {{outer, 0, 0}, {NULL, 1, 0}, {inner, 2, 3}};
    mapback_builder *joined = mapback_sourcemap_concat(pieces, 3, &err);
    CHECK(joined != NULL);
    result = mapback_builder_build(joined, &err);
    CHECK(mapback_sourcemap_lookup(result, 2, 3, NULL, &token, &err));
    CHECK(token.original_line == 4);
    CHECK(mapback_sourcemap_lookup(result, 1, 0, NULL, &token, &err) && token.source_index == MAPBACK_NONE);
    mapback_sourcemap_free(result);
    mapback_builder_free(joined);
    mapback_buf json = {0};
    CHECK(mapback_sourcemap_concat_index(pieces, 3, (const uint8_t *)"all.js", 6, NULL, &json, &err));
    CHECK(buf_contains(json, "\"sections\":[{\"offset\":{\"line\":0,\"column\":0}"));
    result = mapback_sourcemap_parse(json.data, json.len, NULL, &err);
    CHECK(result != NULL && mapback_sourcemap_is_index_map(result, &err));
    mapback_buf_free(&json);
    /* Flattening is encoding. */
    CHECK(mapback_sourcemap_to_json(result, NULL, &json, &err));
    CHECK(!buf_contains(json, "sections"));
    mapback_buf_free(&json);
    mapback_sourcemap_free(result);
    mapback_concat_piece backwards[2] = {{outer, 3, 0}, {inner, 1, 0}};
    CHECK(mapback_sourcemap_concat(backwards, 2, &err) == NULL);
    CHECK(err.code == MAPBACK_ERROR_INVALID_ARGUMENT);

    /* Rewrite: drop names and contents, replace a prefix, set a debugId. */
    mapback_str from[1] = {{"bundle", 6}};
    mapback_str to[1] = {{"lib/bundle", 10}};
    mapback_rewrite_options options = {0};
    options.drop_names = true;
    options.contents = MAPBACK_CONTENTS_DROP;
    options.prefixes = from;
    options.prefix_replacements = to;
    options.prefix_count = 1;
    options.debug_id.data = DEBUG_ID;
    options.debug_id.len = strlen(DEBUG_ID);
    mapback_builder *rewritten = mapback_sourcemap_rewrite(outer, &options, &err);
    CHECK(rewritten != NULL);
    CHECK(mapback_builder_to_json(rewritten, NULL, &json, &err));
    CHECK(buf_contains(json, "\"sources\":[\"lib/bundle.js\"],\"names\":[]"));
    CHECK(buf_contains(json, DEBUG_ID));
    CHECK(!buf_contains(json, "sourcesContent"));
    mapback_buf_free(&json);
    mapback_builder_free(rewritten);
    options.contents = 9;
    CHECK(mapback_sourcemap_rewrite(outer, &options, &err) == NULL);
    CHECK(err.code == MAPBACK_ERROR_INVALID_ARGUMENT);
    mapback_rewrite_options inline_options = {0};
    inline_options.contents = MAPBACK_CONTENTS_INLINE;
    inline_options.content_loader = failing_loader;
    mapback_sourcemap *no_content = mapback_sourcemap_parse((const uint8_t *)INNER, strlen(INNER), NULL, &err);
    CHECK(mapback_sourcemap_rewrite(no_content, &inline_options, &err) == NULL);
    CHECK(err.code == MAPBACK_ERROR_IO && strstr(err.message, "status 7") != NULL);
    mapback_sourcemap_free(no_content);

    /* The debugId comment. */
    const char *code = "f();\n//# sourceMappingURL=f.js.map\n";
    CHECK(mapback_text_add_debug_id((const uint8_t *)code, strlen(code), (const uint8_t *)DEBUG_ID,
                                    strlen(DEBUG_ID), &json, &err));
    CHECK(buf_eq(json, "f();\n//# debugId=85314830-023f-4cf1-a267-535f4e37bb17\n"
                       "//# sourceMappingURL=f.js.map\n"));
    mapback_buf_free(&json);

    /* NULL handling. */
    CHECK(mapback_builder_add_name(NULL, (const uint8_t *)"x", 1, &err) == MAPBACK_NONE);
    CHECK(err.code == MAPBACK_ERROR_NULL_POINTER);
    mapback_builder_free(NULL);

    mapback_sourcemap_free(inner);
    mapback_sourcemap_free(outer);
    mapback_error_clear(&err);
    return check_summary("test_produce");
}
