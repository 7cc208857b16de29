/*
 * The inspector page through the C API: the demo map with its script gives one HTML
 * document carrying its data inline (the sources, the generated code, the size
 * attribution); a map that is not JSON still gives a page with its diagnostic; NULL
 * and non-UTF-8 arguments are typed errors with the output untouched.
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

    const char *name = "bundle.min.js.map";
    CHECK(mapback_sourcemap_inspect_html(map, map_len, script, script_len, (const uint8_t *)name,
                                         strlen(name), NULL, 0, &out, &err));
    CHECK(err.code == 0);
    CHECK(buf_has(&out, "<!doctype html>"));
    CHECK(buf_has(&out, "<title>bundle.min.js.map"));
    CHECK(buf_has(&out, "\"attribution\":{"));
    CHECK(buf_has(&out, "app/src/pricing.js"));
    CHECK(buf_has(&out, "\"valid\":true"));
    mapback_buf_free(&out);
    CHECK(out.data == NULL);

    CHECK(mapback_sourcemap_inspect_html((const uint8_t *)"[", 1, NULL, 0, NULL, 0, NULL, 0, &out, &err));
    CHECK(buf_has(&out, "\"decoded\":false"));
    CHECK(buf_has(&out, "\"code\":\"invalid-json\""));
    mapback_buf_free(&out);

    CHECK(!mapback_sourcemap_inspect_html(NULL, 3, NULL, 0, NULL, 0, NULL, 0, &out, &err));
    CHECK(err.code == MAPBACK_ERROR_NULL_POINTER && out.data == NULL);
    mapback_error_clear(&err);
    CHECK(!mapback_sourcemap_inspect_html(map, map_len, NULL, 0, NULL, 0, NULL, 0, NULL, &err));
    CHECK(err.code == MAPBACK_ERROR_NULL_POINTER);
    mapback_error_clear(&err);
    CHECK(!mapback_sourcemap_inspect_html(map, map_len, (const uint8_t *)"\xff", 1, NULL, 0, NULL, 0,
                                          &out, &err));
    CHECK(err.code == MAPBACK_ERROR_INVALID_ARGUMENT && out.data == NULL);
    mapback_error_clear(&err);

    free(map);
    free(script);
    return check_summary("test_inspect");
}
