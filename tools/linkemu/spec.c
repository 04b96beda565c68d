#define _POSIX_C_SOURCE 200809L
#include "spec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DELAY_NS (60LL * 1000000000LL)
#define MAX_RATE_BPS 400000000000ULL
#define MAX_QUEUE_BYTES (1LL << 30)

struct unit
{
    const char *suffix;
    double scale;
};

static const struct unit TIME_UNITS[] = {
    { "ns", 1.0 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { NULL, 0 } };
static const struct unit RATE_UNITS[] = {
    { "bit", 1.0 }, { "kbit", 1e3 }, { "mbit", 1e6 }, { "gbit", 1e9 }, { NULL, 0 } };
static const struct unit SIZE_UNITS[] = {
    { "b", 1.0 }, { "kb", 1e3 }, { "mb", 1e6 }, { "kib", 1024.0 }, { "mib", 1048576.0 }, { NULL, 0 } };

/* A non-negative finite number followed by one of units; a bare "0" needs no unit. */
static int parse_scaled(const char *text, const struct unit *units, double *value)
{
    errno = 0;
    char *end = NULL;
    const double number = strtod(text, &end);
    if (end == text || errno != 0 || !isfinite(number) || number < 0 || text[0] == '-' || text[0] == '+')
    {
        return -1;
    }
    if (*end == '\0')
    {
        *value = number;
        return number == 0 ? 0 : -1;
    }
    for (const struct unit *u = units; u->suffix != NULL; u++)
    {
        if (strcasecmp(end, u->suffix) == 0)
        {
            *value = number * u->scale;
            return 0;
        }
    }
    return -1;
}

/* 0.01 or 1% */
static int parse_probability(const char *text, double *value)
{
    errno = 0;
    char *end = NULL;
    double number = strtod(text, &end);
    if (end == text || errno != 0 || !isfinite(number) || text[0] == '-' || text[0] == '+')
    {
        return -1;
    }
    if (strcmp(end, "%") == 0)
    {
        number /= 100.0;
    }
    else if (*end != '\0')
    {
        return -1;
    }
    if (number < 0 || number > 1)
    {
        return -1;
    }
    *value = number;
    return 0;
}

static int parse_duration(const char *text, int64_t *value)
{
    double ns;
    if (parse_scaled(text, TIME_UNITS, &ns) != 0 || ns > (double)MAX_DELAY_NS)
    {
        return -1;
    }
    *value = (int64_t)llround(ns);
    return 0;
}

static int parse_rate(const char *text, uint64_t *value)
{
    double bps;
    if (strcasecmp(text, "unlimited") == 0)
    {
        *value = 0;
        return 0;
    }
    if (parse_scaled(text, RATE_UNITS, &bps) != 0 || bps > (double)MAX_RATE_BPS || (bps > 0 && bps < 1000))
    {
        return -1;
    }
    *value = (uint64_t)llround(bps);
    return 0;
}

static int parse_queue(const char *text, int64_t *value)
{
    double bytes;
    if (strcasecmp(text, "bdp") == 0)
    {
        *value = LINK_QUEUE_DEFAULT;
        return 0;
    }
    if (parse_scaled(text, SIZE_UNITS, &bytes) != 0 || bytes < 1 || bytes > (double)MAX_QUEUE_BYTES)
    {
        return -1;
    }
    *value = (int64_t)llround(bytes);
    return 0;
}

/* One key=value; returns 0, -1 for a bad value, -2 for an unknown key. */
static int apply_pair(struct link_config *c, const char *key, const char *value)
{
    if (strcmp(key, "delay") == 0)
    {
        return parse_duration(value, &c->delay_ns);
    }
    if (strcmp(key, "jitter") == 0)
    {
        return parse_duration(value, &c->jitter_ns);
    }
    if (strcmp(key, "reorder_delay") == 0)
    {
        return parse_duration(value, &c->reorder_delay_ns);
    }
    if (strcmp(key, "loss") == 0)
    {
        return parse_probability(value, &c->loss);
    }
    if (strcmp(key, "dup") == 0)
    {
        return parse_probability(value, &c->dup);
    }
    if (strcmp(key, "reorder") == 0)
    {
        return parse_probability(value, &c->reorder);
    }
    if (strcmp(key, "corrupt") == 0)
    {
        return parse_probability(value, &c->corrupt);
    }
    if (strcmp(key, "rate") == 0)
    {
        return parse_rate(value, &c->rate_bps);
    }
    if (strcmp(key, "queue") == 0)
    {
        return parse_queue(value, &c->queue_bytes);
    }
    return -2;
}

static const char *hint(const char *key)
{
    if (strcmp(key, "delay") == 0 || strcmp(key, "jitter") == 0 || strcmp(key, "reorder_delay") == 0)
    {
        return "a duration up to 60s, e.g. 25ms, 500us, 0";
    }
    if (strcmp(key, "rate") == 0)
    {
        return "e.g. 100mbit, 512kbit, 1gbit, or 0/unlimited";
    }
    if (strcmp(key, "queue") == 0)
    {
        return "bytes, e.g. 64kb, 100kib, 30000b, or bdp";
    }
    return "a probability, 0..1 or 0%..100%";
}

int spec_apply(struct link_config *config, const char *spec, char *error, const size_t error_size)
{
    char copy[1024];
    if (spec[0] == '\0' || strlen(spec) >= sizeof copy)
    {
        snprintf(error, error_size, "empty or over-long link spec");
        return -1;
    }
    strcpy(copy, spec);
    char *saved = NULL;
    for (char *pair = strtok_r(copy, ",", &saved); pair != NULL; pair = strtok_r(NULL, ",", &saved))
    {
        char *equals = strchr(pair, '=');
        if (equals == NULL)
        {
            snprintf(error, error_size, "'%s' is not key=value", pair);
            return -1;
        }
        *equals = '\0';
        const int result = apply_pair(config, pair, equals + 1);
        if (result == -2)
        {
            snprintf(error, error_size, "unknown key '%s' (delay, jitter, loss, dup, reorder, reorder_delay, "
                "corrupt, rate, queue)", pair);
            return -1;
        }
        if (result != 0)
        {
            snprintf(error, error_size, "bad %s '%s' (%s)", pair, equals + 1, hint(pair));
            return -1;
        }
    }
    return 0;
}

int spec_parse_count(const char *text, const unsigned long long min, const unsigned long long max,
    unsigned long long *value)
{
    errno = 0;
    char *end = NULL;
    if (text[0] < '0' || text[0] > '9')
    {
        return -1;
    }
    const unsigned long long number = strtoull(text, &end, 10);
    if (*end != '\0' || errno != 0 || number < min || number > max)
    {
        return -1;
    }
    *value = number;
    return 0;
}
