/*
 * Borrowed views: sources (name, url, path, content, ignore list, find_source), names,
 * file, debug ID, diagnostics; with and without a base URL.
 */
#include "check.h"

/* A small map exercising the optional fields. sourcesContent is shorter than sources,
 * and its first entry has JSON escapes (\n, \u00e9 and a surrogate pair for U+1F600). */
static const char FEATURES[] =
    "{\"version\":3,\"file\":\"out.js\",\"debugId\":\"85314830-023f-4cf1-a267-535f4e37bb17\","
    "\"sourceRoot\":\"src/\",\"sources\":[\"a.js\",null,\"/abs/c.js\"],"
    "\"sourcesContent\":[\"line1\\nline2 \\u00e9 \\ud83d\\ude00\",null],"
    "\"names\":[\"n\"],\"mappings\":\"AAAAA,CAEA\",\"ignoreList\":[2]}";

/* "line1\nline2 é 😀" in UTF-8. */
static const char FEATURES_CONTENT[] = "line1\nline2 \xc3\xa9 \xf0\x9f\x98\x80";

static void check_demo_sources(void)
{
    static const char base[] = "https://example.com/static/bundle.min.js.map";
    mapback_parse_options options = {.strict = false,
                                     .base_url = (const uint8_t *)base,
                                     .base_url_len = sizeof base - 1};
    mapback_error err = {0};
    mapback_sourcemap *with_base = parse_file(DEMO_MAP, &options, &err);
    mapback_sourcemap *plain = parse_file(DEMO_MAP, NULL, &err);
    mapback_str s = {NULL, 0};
    mapback_str again = {NULL, 0};
    size_t len = 0;
    unsigned char *on_disk;

    CHECK(with_base != NULL && plain != NULL);
    if (with_base == NULL || plain == NULL) {
        mapback_sourcemap_free(with_base);
        mapback_sourcemap_free(plain);
        return;
    }
    CHECK(mapback_sourcemap_source_count(with_base, &err) == 5 && err.code == 0);

    /* Raw name: the same with or without a base URL. */
    CHECK(mapback_sourcemap_source_name(with_base, 1, &s, &err) && str_eq(s, "app/src/pricing.js"));
    CHECK(mapback_sourcemap_source_name(plain, 3, &s, &err) && str_eq(s, "app/src/checkout.js"));

    /* Resolved URL: only against a base URL. */
    CHECK(mapback_sourcemap_source_url(with_base, 1, &s, &err) &&
          str_eq(s, "https://example.com/static/app/src/pricing.js"));
    CHECK(!mapback_sourcemap_source_url(plain, 1, &s, &err) && err.code == 0);

    /* Display path: the URL when there is one, else the name. */
    CHECK(mapback_sourcemap_source_path(with_base, 4, &s, &err) &&
          str_eq(s, "https://example.com/static/app/src/main.js"));
    CHECK(mapback_sourcemap_source_path(plain, 4, &s, &err) && str_eq(s, "app/src/main.js"));

    /* Content equals the file on disk, and the view is stable across calls. */
    on_disk = read_file("examples/demo/app/src/pricing.js", &len);
    CHECK(on_disk != NULL);
    CHECK(mapback_sourcemap_source_content(plain, 1, &s, &err) && err.code == 0);
    CHECK(on_disk != NULL && s.len == len && memcmp(s.data, on_disk, len) == 0);
    CHECK(mapback_sourcemap_source_content(plain, 1, &again, &err) && again.data == s.data &&
          again.len == s.len);
    free(on_disk);

    /* No ignore list in the demo map. */
    CHECK(!mapback_sourcemap_source_is_ignored(plain, 0, &err) && err.code == 0);
    CHECK(!mapback_sourcemap_source_is_ignored(plain, 5, &err) &&
          err.code == MAPBACK_ERROR_INDEX_OUT_OF_RANGE && err.message != NULL);

    /* Every source getter rejects index 5 (5 sources). */
    CHECK(!mapback_sourcemap_source_name(plain, 5, &s, &err) &&
          err.code == MAPBACK_ERROR_INDEX_OUT_OF_RANGE);
    CHECK(!mapback_sourcemap_source_url(plain, 5, &s, &err) &&
          err.code == MAPBACK_ERROR_INDEX_OUT_OF_RANGE);
    CHECK(!mapback_sourcemap_source_path(plain, 5, &s, &err) &&
          err.code == MAPBACK_ERROR_INDEX_OUT_OF_RANGE);
    CHECK(!mapback_sourcemap_source_content(plain, MAPBACK_NONE, &s, &err) &&
          err.code == MAPBACK_ERROR_INDEX_OUT_OF_RANGE);

    /* find_source: by raw name, by resolved URL; not by a partial name. */
    CHECK(mapback_sourcemap_find_source(plain, (const uint8_t *)"app/src/checkout.js", 19,
                                        &err) == 3);
    CHECK(err.code == 0);
    CHECK(mapback_sourcemap_find_source(with_base,
                                        (const uint8_t *)"https://example.com/static/app/src/cart.js",
                                        42, &err) == 0);
    CHECK(mapback_sourcemap_find_source(plain, (const uint8_t *)"checkout.js", 11,
                                        &err) == MAPBACK_NONE);
    CHECK(err.code == 0);
    CHECK(mapback_sourcemap_find_source(plain, NULL, 0, &err) == MAPBACK_NONE && err.code == 0);
    /* A length shorter than the string: only those bytes count. */
    CHECK(mapback_sourcemap_find_source(plain, (const uint8_t *)"app/src/main.jsXYZ", 15,
                                        &err) == 4);

    /* Names. */
    CHECK(mapback_sourcemap_name_count(plain, &err) == 62 && err.code == 0);
    CHECK(mapback_sourcemap_name(plain, 0, &s, &err) && str_eq(s, "LineItem"));
    CHECK(mapback_sourcemap_name(plain, 40, &s, &err) && str_eq(s, "priceCart"));
    CHECK(mapback_sourcemap_name(plain, 46, &s, &err) && str_eq(s, "applyCoupon"));
    CHECK(!mapback_sourcemap_name(plain, 62, &s, &err) &&
          err.code == MAPBACK_ERROR_INDEX_OUT_OF_RANGE && err.message != NULL);

    /* No file, no debug ID, no diagnostics; a plausible heap size. */
    CHECK(!mapback_sourcemap_file(plain, &s, &err) && err.code == 0);
    CHECK(!mapback_sourcemap_debug_id(plain, &s, &err) && err.code == 0);
    CHECK(mapback_sourcemap_diagnostic_count(plain, &err) == 0 && err.code == 0);
    CHECK(mapback_sourcemap_heap_size(plain, &err) > 5000 && err.code == 0);

    mapback_sourcemap_free(with_base);
    mapback_sourcemap_free(plain);
    mapback_error_clear(&err);
}

static void check_features(void)
{
    static const char base[] = "https://example.com/maps/out.js.map";
    mapback_parse_options options = {.strict = true,
                                     .base_url = (const uint8_t *)base,
                                     .base_url_len = sizeof base - 1};
    mapback_error err = {0};
    mapback_sourcemap *plain = parse_text(FEATURES, NULL, &err);
    mapback_sourcemap *with_base = parse_text(FEATURES, &options, &err);
    mapback_str s = {NULL, 0};

    CHECK(plain != NULL && with_base != NULL);
    if (plain == NULL || with_base == NULL) {
        printf("parse failed: %d %s\n", err.code, err.message ? err.message : "(no message)");
        mapback_sourcemap_free(plain);
        mapback_sourcemap_free(with_base);
        mapback_error_clear(&err);
        return;
    }
    CHECK(mapback_sourcemap_file(plain, &s, &err) && str_eq(s, "out.js"));
    CHECK(mapback_sourcemap_debug_id(plain, &s, &err) &&
          str_eq(s, "85314830-023f-4cf1-a267-535f4e37bb17"));
    CHECK(mapback_sourcemap_source_count(plain, &err) == 3);

    /* sourceRoot is prefixed to the path; the URL needs a base. */
    CHECK(mapback_sourcemap_source_name(plain, 0, &s, &err) && str_eq(s, "a.js"));
    CHECK(mapback_sourcemap_source_path(plain, 0, &s, &err) && str_eq(s, "src/a.js"));
    CHECK(!mapback_sourcemap_source_url(plain, 0, &s, &err) && err.code == 0);
    CHECK(mapback_sourcemap_source_url(with_base, 0, &s, &err) &&
          str_eq(s, "https://example.com/maps/src/a.js"));
    /* ECMA-426 joins sourceRoot and the source by concatenation, even before a "/". */
    CHECK(mapback_sourcemap_source_url(with_base, 2, &s, &err) &&
          str_eq(s, "https://example.com/maps/src//abs/c.js"));
    CHECK(mapback_sourcemap_source_path(plain, 2, &s, &err) && str_eq(s, "src//abs/c.js"));
    CHECK(mapback_sourcemap_find_source(plain, (const uint8_t *)"src/a.js", 8, &err) == 0);
    CHECK(mapback_sourcemap_find_source(with_base, (const uint8_t *)"a.js", 4, &err) == 0);
    CHECK(mapback_sourcemap_find_source(with_base,
                                        (const uint8_t *)"https://example.com/maps/src//abs/c.js",
                                        38, &err) == 2);

    /* A null source: every string getter returns false without an error. */
    CHECK(!mapback_sourcemap_source_name(plain, 1, &s, &err) && err.code == 0);
    CHECK(!mapback_sourcemap_source_url(with_base, 1, &s, &err) && err.code == 0);
    CHECK(!mapback_sourcemap_source_path(plain, 1, &s, &err) && err.code == 0);
    CHECK(!mapback_sourcemap_source_content(plain, 1, &s, &err) && err.code == 0);

    /* Content is unescaped to UTF-8; absent content (null or past the list) is false. */
    CHECK(mapback_sourcemap_source_content(plain, 0, &s, &err) && str_eq(s, FEATURES_CONTENT));
    CHECK(!mapback_sourcemap_source_content(plain, 2, &s, &err) && err.code == 0);

    /* ignoreList [2]. */
    CHECK(!mapback_sourcemap_source_is_ignored(plain, 0, &err) && err.code == 0);
    CHECK(mapback_sourcemap_source_is_ignored(plain, 2, &err) && err.code == 0);

    CHECK(mapback_sourcemap_name_count(plain, &err) == 1);
    CHECK(mapback_sourcemap_name(plain, 0, &s, &err) && str_eq(s, "n"));
    CHECK(mapback_sourcemap_diagnostic_count(with_base, &err) == 0);

    mapback_sourcemap_free(plain);
    mapback_sourcemap_free(with_base);
    mapback_error_clear(&err);
}

static void check_diagnostics(void)
{
    /* Lenient mode recovers from a non-Base64 character in mappings (the spec drops
     * every mapping) and from trailing commas, and records a diagnostic for each. */
    static const char bad_vlq[] =
        "{\"version\":3,\"sources\":[],\"names\":[],\"mappings\":\"A$%?!\"}";
    static const char trailing[] =
        "{\"version\":3,\"sources\":[\"a.js\",],\"names\":[],\"mappings\":\"AAAA\",}";
    mapback_error err = {0};
    mapback_diagnostic d;
    mapback_sourcemap *map = parse_text(bad_vlq, NULL, &err);

    CHECK(map != NULL && err.code == 0);
    if (map != NULL) {
        CHECK(mapback_sourcemap_token_count(map, &err) == 0);
        CHECK(mapback_sourcemap_diagnostic_count(map, &err) == 1);
        CHECK(mapback_sourcemap_diagnostic(map, 0, &d, &err) && err.code == 0);
        CHECK(d.code == MAPBACK_ERROR_INVALID_BASE64);
        CHECK(d.offset == (int64_t)(strchr(bad_vlq, '$') - bad_vlq));
        CHECK(d.message.data != NULL && d.message.len > 0);
        CHECK(!mapback_sourcemap_diagnostic(map, 1, &d, &err) &&
              err.code == MAPBACK_ERROR_INDEX_OUT_OF_RANGE && err.message != NULL);
        mapback_sourcemap_free(map);
    }

    map = parse_text(trailing, NULL, &err);
    CHECK(map != NULL && err.code == 0);
    if (map != NULL) {
        CHECK(mapback_sourcemap_source_count(map, &err) == 1 &&
              mapback_sourcemap_token_count(map, &err) == 1);
        CHECK(mapback_sourcemap_diagnostic_count(map, &err) == 1);
        CHECK(mapback_sourcemap_diagnostic(map, 0, &d, &err) &&
              d.code == MAPBACK_ERROR_TRAILING_COMMA);
        mapback_sourcemap_free(map);
    }
    mapback_error_clear(&err);
}

static void check_tc39_index_map(void)
{
    const char *path = TC39_RESOURCES "/index-map-two-concatenated-sources.js.map";
    mapback_error err = {0};
    mapback_sourcemap *map = parse_file(path, NULL, &err);
    mapback_token t;
    mapback_str s = {NULL, 0};

    CHECK(map != NULL && err.code == 0);
    if (map == NULL) {
        printf("the tc39 suite is expected at %s\n", TC39_RESOURCES);
        mapback_error_clear(&err);
        return;
    }
    CHECK(mapback_sourcemap_is_index_map(map, &err) && err.code == 0);
    CHECK(mapback_sourcemap_file(map, &s, &err) &&
          str_eq(s, "index-map-two-concatenated-sources.js"));
    CHECK(mapback_sourcemap_source_count(map, &err) == 2 &&
          mapback_sourcemap_name_count(map, &err) == 3);
    CHECK(mapback_sourcemap_lookup(map, 0, 62, NULL, &t, &err) && t.source_index == 1 &&
          t.original_line == 0 && t.original_column == 0);
    CHECK(mapback_sourcemap_source_name(map, t.source_index, &s, &err) &&
          str_eq(s, "second-source-original.js"));
    CHECK(mapback_sourcemap_lookup(map, 0, 71, NULL, &t, &err) && t.name_index == 2);
    CHECK(mapback_sourcemap_name(map, t.name_index, &s, &err) && str_eq(s, "baz"));
    mapback_sourcemap_free(map);

    map = parse_file(TC39_RESOURCES "/ignore-list-valid-1.js.map", NULL, &err);
    CHECK(map != NULL && mapback_sourcemap_source_is_ignored(map, 0, &err) && err.code == 0);
    mapback_sourcemap_free(map);
    mapback_error_clear(&err);
}

int main(void)
{
    check_demo_sources();
    check_features();
    check_diagnostics();
    check_tc39_index_map();
    return check_summary("test_views");
}
