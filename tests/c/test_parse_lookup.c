/*
 * Version functions, parsing the demo map, and every kind of lookup.
 *
 * Ground truth for examples/demo/bundle.min.js.map (0-based generated line:column ->
 * source line:column, token index in generated order):
 *   0:1035 -> app/src/pricing.js  36:10, no name            (token 244)
 *   0:1610 -> app/src/checkout.js  7:21, "applyCoupon"       (token 403)
 *   1:139  -> app/src/checkout.js 32:17, "priceCart"         (token 530)
 *   1:411  -> app/src/main.js     19:17, no name            (token 593)
 * 608 tokens; line 0 runs from column 6 to 2018, line 1 from 0 to 465, line 2 has none.
 */
#include "check.h"

#define N_TOKENS 608u
#define SRC_PRICING 1u
#define SRC_CHECKOUT 3u
#define SRC_MAIN 4u

static int token_is(const mapback_token *t, uint32_t index, uint32_t gline, uint32_t gcol,
                    uint32_t source, uint32_t oline, uint32_t ocol, uint32_t name)
{
    return t->token_index == index && t->generated_line == gline && t->generated_column == gcol &&
           t->source_index == source && t->original_line == oline &&
           t->original_column == ocol && t->name_index == name;
}

static void check_versions(void)
{
    char expected[64];
    const char *version = mapback_version();

    snprintf(expected, sizeof expected, "%d.%d.%d", MAPBACK_VERSION_MAJOR, MAPBACK_VERSION_MINOR,
             MAPBACK_VERSION_PATCH);
    CHECK(mapback_abi_version() == MAPBACK_ABI_VERSION);
    CHECK(version != NULL);
    CHECK(version != NULL && strcmp(version, expected) == 0);
    CHECK(mapback_version() == version); /* static string, same pointer every time */
}

static void check_lookup(const mapback_sourcemap *map)
{
    mapback_error err = {0};
    mapback_token t;
    mapback_lookup_options glb = {MAPBACK_BIAS_GREATEST_LOWER_BOUND, true};
    mapback_lookup_options lub = {MAPBACK_BIAS_LEAST_UPPER_BOUND, true};
    mapback_lookup_options glb_any_line = {MAPBACK_BIAS_GREATEST_LOWER_BOUND, false};
    mapback_lookup_options lub_any_line = {MAPBACK_BIAS_LEAST_UPPER_BOUND, false};

    /* The four ground-truth positions, with default options (NULL). */
    CHECK(mapback_sourcemap_lookup(map, 0, 1035, NULL, &t, &err) && err.code == 0);
    CHECK(token_is(&t, 244, 0, 1035, SRC_PRICING, 36, 10, MAPBACK_NONE));
    CHECK(mapback_sourcemap_lookup(map, 0, 1610, NULL, &t, &err) && err.code == 0);
    CHECK(token_is(&t, 403, 0, 1610, SRC_CHECKOUT, 7, 21, 46));
    CHECK(mapback_sourcemap_lookup(map, 1, 139, NULL, &t, &err) && err.code == 0);
    CHECK(token_is(&t, 530, 1, 139, SRC_CHECKOUT, 32, 17, 40));
    CHECK(mapback_sourcemap_lookup(map, 1, 411, NULL, &t, &err) && err.code == 0);
    CHECK(token_is(&t, 593, 1, 411, SRC_MAIN, 19, 17, MAPBACK_NONE));

    /* Biases between two tokens (0:1035 and 0:1039) and on an exact hit. */
    CHECK(mapback_sourcemap_lookup(map, 0, 1037, &glb, &t, &err) && t.generated_column == 1035);
    CHECK(mapback_sourcemap_lookup(map, 0, 1037, &lub, &t, &err) && t.generated_column == 1039);
    CHECK(t.token_index == 245 && t.original_line == 36 && t.original_column == 14);
    CHECK(mapback_sourcemap_lookup(map, 0, 1035, &lub, &t, &err) && t.token_index == 244);

    /* Before the first token of line 0 (column 6). */
    CHECK(!mapback_sourcemap_lookup(map, 0, 0, &glb, &t, &err) && err.code == 0);
    CHECK(!mapback_sourcemap_lookup(map, 0, 0, &glb_any_line, &t, &err) && err.code == 0);
    CHECK(mapback_sourcemap_lookup(map, 0, 0, &lub, &t, &err) && t.token_index == 0);
    CHECK(t.generated_line == 0 && t.generated_column == 6);

    /* same_line: line 2 has no token; past the end of line 0. */
    CHECK(!mapback_sourcemap_lookup(map, 2, 0, &glb, &t, &err) && err.code == 0);
    CHECK(mapback_sourcemap_lookup(map, 2, 0, &glb_any_line, &t, &err) && err.code == 0);
    CHECK(t.token_index == N_TOKENS - 1 && t.generated_line == 1 && t.generated_column == 465);
    CHECK(!mapback_sourcemap_lookup(map, 0, 3000, &lub, &t, &err) && err.code == 0);
    CHECK(mapback_sourcemap_lookup(map, 0, 3000, &lub_any_line, &t, &err) && err.code == 0);
    CHECK(t.token_index == 505 && t.generated_line == 1 && t.generated_column == 0);
    CHECK(mapback_sourcemap_lookup(map, 0, 3000, &glb, &t, &err) && t.generated_column == 2018);
    CHECK(!mapback_sourcemap_lookup(map, 1, 500, &lub_any_line, &t, &err) && err.code == 0);
    CHECK(!mapback_sourcemap_lookup(map, 1000000, 0, NULL, &t, &err) && err.code == 0);
    mapback_error_clear(&err);
}

/* The two-argument request: the same answers as the default lookup, with flags. */
static void check_lookup_request(const mapback_sourcemap *map)
{
    mapback_error err = {0};
    mapback_lookup_request request;
    memset(&request, 0, sizeof request);
    request.map = map;
    request.token.generated_line = 0;
    request.token.generated_column = 1610;
    CHECK(mapback_sourcemap_lookup_request(&request, &err)
          == (MAPBACK_LOOKUP_FOUND | MAPBACK_LOOKUP_HAS_ORIGINAL | MAPBACK_LOOKUP_HAS_NAME));
    CHECK(err.code == 0 && token_is(&request.token, 403, 0, 1610, SRC_CHECKOUT, 7, 21, 46));
    request.token.generated_line = 0;
    request.token.generated_column = 1037; /* between 1035 and 1039: the token at 1035 */
    CHECK(mapback_sourcemap_lookup_request(&request, &err)
          == (MAPBACK_LOOKUP_FOUND | MAPBACK_LOOKUP_HAS_ORIGINAL));
    CHECK(token_is(&request.token, 244, 0, 1035, SRC_PRICING, 36, 10, MAPBACK_NONE));
    request.token.generated_line = 1000000;
    request.token.generated_column = 0;
    CHECK(mapback_sourcemap_lookup_request(&request, &err) == 0 && err.code == 0);
    CHECK(request.token.generated_line == 1000000 && request.token.token_index == 244);
    request.map = NULL;
    CHECK(mapback_sourcemap_lookup_request(&request, &err) == 0
          && err.code == MAPBACK_ERROR_NULL_POINTER);
    CHECK(mapback_sourcemap_lookup_request(NULL, &err) == 0
          && err.code == MAPBACK_ERROR_NULL_POINTER);
    mapback_error_clear(&err);
}

static void check_lookup_many(const mapback_sourcemap *map)
{
    mapback_error err = {0};
    const uint32_t lines[] = {0, 0, 1, 0, 1, 2};
    const uint32_t columns[] = {1035, 1610, 139, 0, 411, 7};
    mapback_token out[6];
    mapback_token single;
    size_t i;
    size_t found;

    memset(out, 0xAB, sizeof out);
    found = mapback_sourcemap_lookup_many(map, lines, columns, 6, NULL, out, &err);
    CHECK(found == 4 && err.code == 0);
    CHECK(token_is(&out[0], 244, 0, 1035, SRC_PRICING, 36, 10, MAPBACK_NONE));
    CHECK(token_is(&out[1], 403, 0, 1610, SRC_CHECKOUT, 7, 21, 46));
    CHECK(token_is(&out[2], 530, 1, 139, SRC_CHECKOUT, 32, 17, 40));
    CHECK(token_is(&out[4], 593, 1, 411, SRC_MAIN, 19, 17, MAPBACK_NONE));
    /* Slots without a token are all NONE. */
    CHECK(token_is(&out[3], MAPBACK_NONE, MAPBACK_NONE, MAPBACK_NONE, MAPBACK_NONE, MAPBACK_NONE,
                   MAPBACK_NONE, MAPBACK_NONE));
    CHECK(token_is(&out[5], MAPBACK_NONE, MAPBACK_NONE, MAPBACK_NONE, MAPBACK_NONE, MAPBACK_NONE,
                   MAPBACK_NONE, MAPBACK_NONE));

    /* lookup_many agrees with lookup, slot by slot, with options too. */
    {
        mapback_lookup_options lub = {MAPBACK_BIAS_LEAST_UPPER_BOUND, false};
        int same = 1;
        found = mapback_sourcemap_lookup_many(map, lines, columns, 6, &lub, out, &err);
        for (i = 0; i < 6; i++) {
            int hit = mapback_sourcemap_lookup(map, lines[i], columns[i], &lub, &single, &err);
            if (hit ? memcmp(&single, &out[i], sizeof single) != 0
                    : out[i].token_index != MAPBACK_NONE) {
                same = 0;
            }
        }
        CHECK(found == 5 && same);
    }

    /* count 0 with NULL arrays is allowed. */
    CHECK(mapback_sourcemap_lookup_many(map, NULL, NULL, 0, NULL, NULL, &err) == 0);
    CHECK(err.code == 0);
    mapback_error_clear(&err);
}

static void check_original_positions(void)
{
    /* Two segments share generated position 0:0 (original lines 0 and 1). */
    static const char json[] =
        "{\"version\":3,\"sources\":[\"a.js\"],\"names\":[\"x\"],\"mappings\":\"AAAA,AACAA;AACA\"}";
    mapback_error err = {0};
    mapback_sourcemap *map = parse_text(json, NULL, &err);
    mapback_token out[2];
    mapback_token one[1];
    mapback_token *buf;
    size_t n;

    CHECK(map != NULL && err.code == 0);
    if (map == NULL) {
        return;
    }
    CHECK(mapback_sourcemap_token_count(map, &err) == 3);

    /* Two-call pattern: ask for the size, allocate, fetch. */
    n = mapback_sourcemap_original_positions(map, 0, 0, NULL, NULL, 0, &err);
    CHECK(n == 2 && err.code == 0);
    buf = malloc(n * sizeof *buf);
    CHECK(buf != NULL && mapback_sourcemap_original_positions(map, 0, 0, NULL, buf, n, &err) == n);
    CHECK(buf[0].source_index == 0 && buf[0].original_line == 0 &&
          buf[0].name_index == MAPBACK_NONE);
    CHECK(buf[1].source_index == 0 && buf[1].original_line == 1 && buf[1].name_index == 0);
    free(buf);

    /* A buffer too small gets the first tokens and the full count. */
    memset(one, 0, sizeof one);
    CHECK(mapback_sourcemap_original_positions(map, 0, 0, NULL, one, 1, &err) == 2);
    CHECK(one[0].original_line == 0);
    /* Larger buffer than needed, and a miss. */
    CHECK(mapback_sourcemap_original_positions(map, 0, 5, NULL, out, 2, &err) == 2);
    CHECK(mapback_sourcemap_original_positions(map, 3, 0, NULL, out, 2, &err) == 0);
    CHECK(err.code == 0);
    mapback_sourcemap_free(map);
    mapback_error_clear(&err);
}

static void check_original_positions_demo(const mapback_sourcemap *map)
{
    mapback_error err = {0};
    mapback_token t;
    size_t n = mapback_sourcemap_original_positions(map, 1, 139, NULL, NULL, 0, &err);
    CHECK(n == 1 && err.code == 0);
    CHECK(mapback_sourcemap_original_positions(map, 1, 139, NULL, &t, 1, &err) == 1);
    CHECK(token_is(&t, 530, 1, 139, SRC_CHECKOUT, 32, 17, 40));
    mapback_error_clear(&err);
}

static void check_generated(const mapback_sourcemap *map)
{
    mapback_error err = {0};
    mapback_token t;
    mapback_token *all;
    mapback_token few[3];
    mapback_lookup_options lub = {MAPBACK_BIAS_LEAST_UPPER_BOUND, true};
    size_t n;

    /* checkout.js line 32 has 7 tokens: columns 2, 8, 17, 27, 33, 41, 46 -> 1:133..1:146. */
    CHECK(mapback_sourcemap_generated_position(map, SRC_CHECKOUT, 32, 17, NULL, &t, &err));
    CHECK(token_is(&t, 530, 1, 139, SRC_CHECKOUT, 32, 17, 40));
    CHECK(mapback_sourcemap_generated_position(map, SRC_CHECKOUT, 32, 20, NULL, &t, &err));
    CHECK(t.token_index == 530 && t.original_column == 17);
    CHECK(mapback_sourcemap_generated_position(map, SRC_CHECKOUT, 32, 20, &lub, &t, &err));
    CHECK(t.generated_line == 1 && t.generated_column == 141 && t.original_column == 27);
    CHECK(mapback_sourcemap_generated_position(map, SRC_PRICING, 36, 10, NULL, &t, &err));
    CHECK(token_is(&t, 244, 0, 1035, SRC_PRICING, 36, 10, MAPBACK_NONE));
    CHECK(!mapback_sourcemap_generated_position(map, SRC_CHECKOUT, 32, 0, NULL, &t, &err) &&
          err.code == 0);
    CHECK(!mapback_sourcemap_generated_position(map, 99, 0, 0, NULL, &t, &err));

    /* MAPBACK_NONE column: the whole line, with the two-call pattern. */
    n = mapback_sourcemap_generated_positions(map, SRC_CHECKOUT, 32, MAPBACK_NONE, NULL, 0, &err);
    CHECK(n == 7 && err.code == 0);
    all = calloc(n, sizeof *all);
    CHECK(all != NULL &&
          mapback_sourcemap_generated_positions(map, SRC_CHECKOUT, 32, MAPBACK_NONE, all, n,
                                                &err) == n);
    CHECK(all[0].generated_line == 1 && all[0].generated_column == 133 &&
          all[0].original_column == 2);
    CHECK(all[2].token_index == 530 && all[6].generated_column == 146 &&
          all[6].original_column == 46);
    free(all);
    memset(few, 0, sizeof few);
    CHECK(mapback_sourcemap_generated_positions(map, SRC_CHECKOUT, 32, MAPBACK_NONE, few, 3,
                                                &err) == 7);
    CHECK(few[2].token_index == 530);

    /* A column: the tokens at it, else at the next column of that line. */
    CHECK(mapback_sourcemap_generated_positions(map, SRC_CHECKOUT, 32, 17, few, 3, &err) == 1);
    CHECK(few[0].token_index == 530);
    CHECK(mapback_sourcemap_generated_positions(map, SRC_CHECKOUT, 32, 18, few, 3, &err) == 1);
    CHECK(few[0].generated_column == 141 && few[0].original_column == 27);
    CHECK(mapback_sourcemap_generated_positions(map, SRC_CHECKOUT, 32, 47, few, 3, &err) == 0);
    CHECK(mapback_sourcemap_generated_positions(map, SRC_CHECKOUT, 10000, MAPBACK_NONE, few, 3,
                                                &err) == 0);
    CHECK(err.code == 0);
    mapback_error_clear(&err);
}

static void check_tokens(const mapback_sourcemap *map)
{
    mapback_error err = {0};
    mapback_token t;
    mapback_token looked;
    uint32_t i;
    int in_order = 1;
    uint32_t prev_line = 0;
    uint32_t prev_col = 0;

    CHECK(mapback_sourcemap_token_count(map, &err) == N_TOKENS && err.code == 0);
    CHECK(mapback_sourcemap_line_count(map, &err) >= 2 && err.code == 0);
    CHECK(mapback_sourcemap_token_at(map, 0, &t, &err) && err.code == 0);
    CHECK(token_is(&t, 0, 0, 6, 0, 2, 7, MAPBACK_NONE));
    CHECK(mapback_sourcemap_token_at(map, 403, &t, &err));
    CHECK(token_is(&t, 403, 0, 1610, SRC_CHECKOUT, 7, 21, 46));
    CHECK(mapback_sourcemap_token_at(map, N_TOKENS - 1, &t, &err));
    CHECK(token_is(&t, N_TOKENS - 1, 1, 465, SRC_MAIN, 23, 5, MAPBACK_NONE));

    /* Every token is in generated order and is what a lookup at its position finds. */
    for (i = 0; i < N_TOKENS; i++) {
        if (!mapback_sourcemap_token_at(map, i, &t, &err) || t.token_index != i ||
            (t.generated_line < prev_line ||
             (t.generated_line == prev_line && t.generated_column < prev_col)) ||
            !mapback_sourcemap_lookup(map, t.generated_line, t.generated_column, NULL, &looked,
                                      &err) ||
            memcmp(&t, &looked, sizeof t) != 0) {
            in_order = 0;
        }
        prev_line = t.generated_line;
        prev_col = t.generated_column;
    }
    CHECK(in_order);

    /* Out of range: false, INDEX_OUT_OF_RANGE, a message; *out untouched. */
    memset(&t, 0x5A, sizeof t);
    looked = t;
    CHECK(!mapback_sourcemap_token_at(map, N_TOKENS, &t, &err));
    CHECK(err.code == MAPBACK_ERROR_INDEX_OUT_OF_RANGE && err.message != NULL);
    CHECK(memcmp(&t, &looked, sizeof t) == 0);
    CHECK(!mapback_sourcemap_token_at(map, MAPBACK_NONE, &t, &err) &&
          err.code == MAPBACK_ERROR_INDEX_OUT_OF_RANGE);
    /* The next successful call resets the struct. */
    CHECK(mapback_sourcemap_token_at(map, 1, &t, &err) && err.code == 0 && err.message == NULL);
    mapback_error_clear(&err);
}

int main(void)
{
    static const char base[] = "https://example.com/static/bundle.min.js.map";
    mapback_parse_options options;
    mapback_error err = {0};
    mapback_sourcemap *map;

    check_versions();

    memset(&options, 0, sizeof options);
    options.strict = true; /* the demo map is clean: strict mode accepts it */
    options.base_url = (const uint8_t *)base;
    options.base_url_len = sizeof base - 1;
    map = parse_file(DEMO_MAP, &options, &err);
    CHECK(map != NULL);
    CHECK(err.code == 0 && err.message == NULL && err.offset == -1);
    if (map == NULL) {
        printf("parse failed: %d %s\n", err.code, err.message ? err.message : "(no message)");
        mapback_error_clear(&err);
        return check_summary("test_parse_lookup");
    }
    CHECK(mapback_sourcemap_diagnostic_count(map, &err) == 0);
    CHECK(!mapback_sourcemap_is_index_map(map, &err) && err.code == 0);

    check_lookup(map);
    check_lookup_request(map);
    check_lookup_many(map);
    check_original_positions();
    check_original_positions_demo(map);
    check_generated(map);
    check_tokens(map);

    mapback_sourcemap_free(map);
    mapback_error_clear(&err);
    return check_summary("test_parse_lookup");
}
