/*
 * Looks up generated positions in a source map and prints the original ones.
 *
 *   cc lookup.c $(pkg-config --cflags --libs mapback) -o lookup
 *   ./lookup bundle.min.js.map 1:1611 2:140      (1-based, as stack traces print them)
 */
#include <stdio.h>
#include <stdlib.h>

#include <mapback.h>

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    long size;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        if (f != NULL) {
            fclose(f);
        }
        return NULL;
    }
    data = malloc((size_t)size + 1);
    if (data != NULL && fread(data, 1, (size_t)size, f) != (size_t)size) {
        free(data);
        data = NULL;
    }
    fclose(f);
    *len = (size_t)size;
    return data;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s MAP LINE:COLUMN...\n", argv[0]);
        return 2;
    }
    if (mapback_abi_version() != MAPBACK_ABI_VERSION) {
        fprintf(stderr, "libmapback ABI %u, header ABI %u\n", mapback_abi_version(), MAPBACK_ABI_VERSION);
        return 1;
    }
    size_t len = 0;
    unsigned char *data = read_file(argv[1], &len);
    if (data == NULL) {
        perror(argv[1]);
        return 1;
    }
    mapback_error err = {0};
    mapback_sourcemap *map = mapback_sourcemap_parse(data, len, NULL, &err);
    free(data);
    if (map == NULL) {
        fprintf(stderr, "%s: error %d: %s\n", argv[1], err.code, err.message);
        mapback_error_clear(&err);
        return 1;
    }
    for (int i = 2; i < argc; i++) {
        unsigned line = 0, column = 0;
        mapback_token token;
        mapback_str path;
        if (sscanf(argv[i], "%u:%u", &line, &column) != 2 || line == 0 || column == 0) {
            fprintf(stderr, "not LINE:COLUMN (1-based): %s\n", argv[i]);
            continue;
        }
        if (mapback_sourcemap_lookup(map, line - 1, column - 1, NULL, &token, &err)
            && token.source_index != MAPBACK_NONE
            && mapback_sourcemap_source_path(map, token.source_index, &path, &err)) {
            mapback_str name = {NULL, 0};
            int named = token.name_index != MAPBACK_NONE
                        && mapback_sourcemap_name(map, token.name_index, &name, &err);
            printf("%s  ->  %.*s:%u:%u%s%.*s\n", argv[i], (int)path.len, path.data,
                   token.original_line + 1, token.original_column + 1, named ? "  " : "",
                   named ? (int)name.len : 0, named ? name.data : "");
        } else {
            printf("%s  (not mapped)\n", argv[i]);
        }
    }
    mapback_sourcemap_free(map);
    mapback_error_clear(&err);
    return 0;
}
