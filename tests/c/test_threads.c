/*
 * One map shared by 4 threads. Each runs the same queries (lookups with both biases,
 * lookup_many, generated_position, source content) and compares every result with a
 * single-threaded run on a separate copy of the map. The shared map is fresh when the
 * threads start, so they also race on its lazy parts (the reverse index built by the
 * first generated_position, sources content unescaped on first access).
 *
 * Build with -D_POSIX_C_SOURCE=200809L -pthread.
 */
#include <pthread.h>

#include "check.h"

#define THREADS 4
#define LINES 3      /* the demo's generated lines (the last has no token) */
#define COLUMNS 2100 /* past the last token of line 0 (column 2018) */
#define POSITIONS (LINES * COLUMNS)
#define SOURCES 5

typedef struct {
    int hit;
    mapback_token token;
} result;

typedef struct {
    result glb[POSITIONS];
    result lub[POSITIONS];
    mapback_token many[POSITIONS];
    size_t many_found;
    result generated[POSITIONS]; /* one per token; the rest unused */
    mapback_str content[SOURCES];
} results;

static uint32_t position_lines[POSITIONS];
static uint32_t position_columns[POSITIONS];
static size_t token_count;
static mapback_token tokens[POSITIONS];

static const mapback_sourcemap *shared_map;
static pthread_barrier_t start;

typedef struct {
    int id;
    results *out;
    int errors; /* calls that set err.code */
} worker;

/* Runs every query on `map`, starting at a different place for each worker so that
 * threads interleave differently. */
static int run_queries(const mapback_sourcemap *map, int id, results *r)
{
    mapback_lookup_options glb = {MAPBACK_BIAS_GREATEST_LOWER_BOUND, true};
    mapback_lookup_options lub = {MAPBACK_BIAS_LEAST_UPPER_BOUND, false};
    mapback_error err = {0};
    int errors = 0;
    size_t k;
    uint32_t s;

    for (k = 0; k < token_count; k++) {
        size_t i = (k + (size_t)id * 151) % token_count;
        const mapback_token *t = &tokens[i];
        memset(&r->generated[i].token, 0, sizeof(mapback_token));
        r->generated[i].hit = mapback_sourcemap_generated_position(
            map, t->source_index, t->original_line, t->original_column, NULL,
            &r->generated[i].token, &err);
        errors += err.code != 0;
    }
    for (s = 0; s < SOURCES; s++) {
        uint32_t i = (s + (uint32_t)id) % SOURCES;
        if (!mapback_sourcemap_source_content(map, i, &r->content[i], &err)) {
            errors++;
        }
    }
    for (k = 0; k < POSITIONS; k++) {
        size_t i = (k + (size_t)id * 997) % POSITIONS;
        memset(&r->glb[i], 0, sizeof(result));
        memset(&r->lub[i], 0, sizeof(result));
        r->glb[i].hit = mapback_sourcemap_lookup(map, position_lines[i], position_columns[i], &glb,
                                                 &r->glb[i].token, &err);
        errors += err.code != 0;
        r->lub[i].hit = mapback_sourcemap_lookup(map, position_lines[i], position_columns[i], &lub,
                                                 &r->lub[i].token, &err);
        errors += err.code != 0;
    }
    r->many_found = mapback_sourcemap_lookup_many(map, position_lines, position_columns, POSITIONS,
                                                  NULL, r->many, &err);
    errors += err.code != 0;
    mapback_error_clear(&err);
    return errors;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    pthread_barrier_wait(&start);
    w->errors = run_queries(shared_map, w->id, w->out);
    return NULL;
}

static int same_results(const result *a, const result *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (a[i].hit != b[i].hit ||
            (a[i].hit && memcmp(&a[i].token, &b[i].token, sizeof(mapback_token)) != 0)) {
            return 0;
        }
    }
    return 1;
}

static int same_content(const mapback_str *a, const mapback_str *b)
{
    int i;
    for (i = 0; i < SOURCES; i++) {
        if (a[i].len != b[i].len || memcmp(a[i].data, b[i].data, a[i].len) != 0) {
            return 0;
        }
    }
    return 1;
}

int main(void)
{
    mapback_error err = {0};
    mapback_sourcemap *reference = parse_file(DEMO_MAP, NULL, &err);
    mapback_sourcemap *shared = parse_file(DEMO_MAP, NULL, &err);
    results *expected = calloc(1, sizeof(results));
    results *got = calloc(THREADS, sizeof(results));
    pthread_t threads[THREADS];
    worker workers[THREADS];
    size_t i;
    int t;
    int started = 0;

    CHECK(reference != NULL && shared != NULL && expected != NULL && got != NULL);
    if (reference == NULL || shared == NULL || expected == NULL || got == NULL) {
        mapback_sourcemap_free(reference);
        mapback_sourcemap_free(shared);
        free(expected);
        free(got);
        return check_summary("test_threads");
    }
    for (i = 0; i < POSITIONS; i++) {
        position_lines[i] = (uint32_t)(i / COLUMNS);
        position_columns[i] = (uint32_t)(i % COLUMNS);
    }
    token_count = mapback_sourcemap_token_count(reference, &err);
    CHECK(token_count == 608);
    for (i = 0; i < token_count; i++) {
        mapback_sourcemap_token_at(reference, (uint32_t)i, &tokens[i], &err);
    }

    /* Single-threaded run on the reference copy. */
    CHECK(run_queries(reference, 0, expected) == 0);
    CHECK(expected->many_found == 2094 + 2100); /* line 0 from column 6, all of line 1 */
    printf("      single-threaded: %zu of %d positions found\n", expected->many_found, POSITIONS);

    /* Four threads on the shared copy, released together. */
    CHECK(pthread_barrier_init(&start, NULL, THREADS) == 0);
    shared_map = shared;
    for (t = 0; t < THREADS; t++) {
        workers[t].id = t;
        workers[t].out = &got[t];
        workers[t].errors = -1;
        if (pthread_create(&threads[t], NULL, worker_main, &workers[t]) == 0) {
            started++;
        }
    }
    CHECK(started == THREADS);
    if (started != THREADS) {
        /* The barrier would never open; give up. */
        printf("could not start %d threads\n", THREADS);
        return 1;
    }
    for (t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
    }
    pthread_barrier_destroy(&start);

    for (t = 0; t < THREADS; t++) {
        const results *r = &got[t];
        printf("      thread %d:\n", t);
        CHECK(workers[t].errors == 0);
        CHECK(same_results(r->glb, expected->glb, POSITIONS));
        CHECK(same_results(r->lub, expected->lub, POSITIONS));
        CHECK(r->many_found == expected->many_found &&
              memcmp(r->many, expected->many, sizeof r->many) == 0);
        CHECK(same_results(r->generated, expected->generated, token_count));
        CHECK(same_content(r->content, expected->content));
        /* Every thread got the same borrowed view, initialised once. */
        CHECK(memcmp(r->content, got[0].content, sizeof r->content) == 0);
    }

    /* The lookups agree with the single-position API too. */
    {
        int agree = 1;
        for (i = 0; i < POSITIONS; i++) {
            const result *g = &expected->glb[i];
            if (g->hit ? memcmp(&g->token, &expected->many[i], sizeof(mapback_token)) != 0
                       : expected->many[i].token_index != MAPBACK_NONE) {
                agree = 0;
            }
        }
        CHECK(agree);
    }

    mapback_sourcemap_free(reference);
    mapback_sourcemap_free(shared);
    free(expected);
    free(got);
    mapback_error_clear(&err);
    return check_summary("test_threads");
}
