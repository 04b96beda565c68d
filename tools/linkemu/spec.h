/* Parsing of the per-direction link specification, e.g. "delay=25ms,jitter=1ms,loss=0.01,rate=100mbit". */
#ifndef LINKEMU_SPEC_H
#define LINKEMU_SPEC_H

#include <stddef.h>

#include "link.h"

/*
 * Applies every key=value of spec to config; keys not named keep their value, so "--both" then "--a2b" layer.
 * Returns 0, or -1 with a one-line reason in error.
 */
int spec_apply(struct link_config *config, const char *spec, char *error, size_t error_size);

/* A decimal unsigned integer in [min, max]; returns 0 or -1. */
int spec_parse_count(const char *text, unsigned long long min, unsigned long long max, unsigned long long *value);

#endif
