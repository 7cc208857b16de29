/*
 * The validator through the C API: the demo map with its script is valid; a map with
 * a bad source index and a column past its line is invalid, each problem named; a map
 * that is not JSON is a report with one error; NULL arguments are typed errors with
 * the output untouched.
 */
#include "check.h"

#define DEMO_SCRIPT "examples/demo/bundle.min.js"

int main(void)
{
    mapback_error err = {0};
    mapback_buf out = {NULL, 0};
    size_t map_len = 0, script_len = 0;
    unsigned char *map = read_file(DEMO_MAP, &map_len);
    unsigned char *script = read_file(DEMO_SCRIPT, &script_len);
    CHECK(map != NULL && script != NULL);

    CHECK(mapback_sourcemap_validate(map, map_len, script, script_len, &out, &err));
    CHECK(err.code == 0);
    CHECK(buf_has(&out, "\"valid\":true"));
    CHECK(buf_has(&out, "\"error_count\":0"));
    mapback_buf_free(&out);
    CHECK(out.data == NULL);

    const char *bad = "{\"version\":3,\"sources\":[\"a.js\"],\"mappings\":\"ACAA,UAAA\"}";
    CHECK(mapback_sourcemap_validate((const uint8_t *)bad, strlen(bad), (const uint8_t *)"short", 5,
                                &out, &err));
    CHECK(buf_has(&out, "\"valid\":false"));
    CHECK(buf_has(&out, "\"code\":\"source-index-out-of-bounds\""));
    CHECK(buf_has(&out, "\"code\":\"column-past-line-end\""));
    CHECK(buf_has(&out, "\"generated_column\":10"));
    mapback_buf_free(&out);

    CHECK(mapback_sourcemap_validate((const uint8_t *)"[", 1, NULL, 0, &out, &err));
    CHECK(buf_has(&out, "\"code\":\"invalid-json\""));
    mapback_buf_free(&out);

    CHECK(!mapback_sourcemap_validate(NULL, 3, NULL, 0, &out, &err));
    CHECK(err.code == MAPBACK_ERROR_NULL_POINTER && out.data == NULL);
    mapback_error_clear(&err);
    CHECK(!mapback_sourcemap_validate(map, map_len, NULL, 0, NULL, &err));
    CHECK(err.code == MAPBACK_ERROR_NULL_POINTER);
    mapback_error_clear(&err);

    free(map);
    free(script);
    return check_summary("test_validate");
}
