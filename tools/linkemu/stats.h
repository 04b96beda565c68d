/* The counters, as key=value lines a script or test can read. */
#ifndef LINKEMU_STATS_H
#define LINKEMU_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "link.h"

/* Writes "dump=N" then every counter of both directions, e.g. "a2b.drop_loss=12". */
void stats_print(FILE *out, uint64_t dump, const struct link *a2b, const struct link *b2a, int64_t now_ns);

/*
 * Replaces path atomically (temporary file, then rename), so a reader sees a whole dump or the previous one.
 * Returns 0 or -1.
 */
int stats_write(const char *path, uint64_t dump, const struct link *a2b, const struct link *b2a, int64_t now_ns);

#endif
