/* The emulator's command line. */
#ifndef LINKEMU_OPTIONS_H
#define LINKEMU_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "link.h"

struct options
{
    struct link_config a2b;
    struct link_config b2a;
    uint64_t seed;
    unsigned mtu;
    size_t max_held;
    const char *netns_a;
    const char *netns_b;
    const char *dev_a;
    const char *dev_b;
    const char *stats_path;
    int dry_run;
};

enum options_result
{
    OPTIONS_RUN,
    OPTIONS_HELP,
    OPTIONS_ERROR
};

/* Parses argv; on OPTIONS_ERROR a one-line "linkemu: ..." reason has been written to stderr. */
enum options_result options_parse(struct options *options, int argc, char **argv);

/* The effective configuration, as key=value lines (what --dry-run prints). */
void options_print(FILE *out, const struct options *options);

void options_usage(FILE *out);

#endif
