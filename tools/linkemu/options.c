#include "options.h"

#include <stdio.h>
#include <string.h>

#include "spec.h"

#define DEFAULT_REORDER_DELAY_NS 10000000LL
#define DEFAULT_MAX_HELD 65536U
/* A queue shorter than a few packets starves TCP whatever the delay, so the default never goes below this. */
#define MIN_DEFAULT_QUEUE_PACKETS 8U

void options_usage(FILE *out)
{
    fputs(
        "usage: linkemu [--a2b SPEC] [--b2a SPEC] [--both SPEC] [--seed N] [--mtu N] [--max-held N]\n"
        "               [--netns-a NS] [--netns-b NS] [--dev-a NAME] [--dev-b NAME] [--stats FILE] [--dry-run]\n"
        "Forwards every IP packet between TUN devices A and B, impairing each direction as SPEC says:\n"
        "  delay=25ms,jitter=1ms,loss=0.01,dup=0,reorder=0,reorder_delay=10ms,corrupt=0,rate=100mbit,queue=bdp\n"
        "Probabilities are 0..1 or N%; rate=0 means unlimited; queue is bytes (64kb, 100kib) or bdp (default:\n"
        "rate x (a2b delay + b2a delay), at least 8 MTU). --both applies to both directions; specs layer in order.\n"
        "SIGUSR1 writes the counters to --stats FILE; SIGTERM/SIGINT write them and exit.\n", out);
}

static int set_spec(struct options *o, const char *which, const char *spec)
{
    char error[256];
    const int both = strcmp(which, "--both") == 0;
    if ((both || strcmp(which, "--a2b") == 0) && spec_apply(&o->a2b, spec, error, sizeof error) != 0)
    {
        fprintf(stderr, "linkemu: %s: %s\n", which, error);
        return -1;
    }
    if ((both || strcmp(which, "--b2a") == 0) && spec_apply(&o->b2a, spec, error, sizeof error) != 0)
    {
        fprintf(stderr, "linkemu: %s: %s\n", which, error);
        return -1;
    }
    return 0;
}

static int set_count(const char *flag, const char *text, const unsigned long long min,
    const unsigned long long max, unsigned long long *value)
{
    if (spec_parse_count(text, min, max, value) != 0)
    {
        fprintf(stderr, "linkemu: bad %s '%s' (an integer %llu..%llu)\n", flag, text, min, max);
        return -1;
    }
    return 0;
}

/* One flag with its value; returns 0, or -1 after reporting. */
static int apply_flag(struct options *o, const char *flag, const char *value)
{
    unsigned long long number;
    if (strcmp(flag, "--a2b") == 0 || strcmp(flag, "--b2a") == 0 || strcmp(flag, "--both") == 0)
    {
        return set_spec(o, flag, value);
    }
    if (strcmp(flag, "--seed") == 0)
    {
        if (set_count(flag, value, 0, UINT64_MAX, &number) != 0)
        {
            return -1;
        }
        o->seed = number;
        return 0;
    }
    if (strcmp(flag, "--mtu") == 0)
    {
        if (set_count(flag, value, 576, 65535, &number) != 0)
        {
            return -1;
        }
        o->mtu = (unsigned)number;
        return 0;
    }
    if (strcmp(flag, "--max-held") == 0)
    {
        if (set_count(flag, value, 16, 1U << 22, &number) != 0)
        {
            return -1;
        }
        o->max_held = (size_t)number;
        return 0;
    }
    const char **text = strcmp(flag, "--netns-a") == 0 ? &o->netns_a
        : strcmp(flag, "--netns-b") == 0 ? &o->netns_b
        : strcmp(flag, "--dev-a") == 0 ? &o->dev_a
        : strcmp(flag, "--dev-b") == 0 ? &o->dev_b
        : strcmp(flag, "--stats") == 0 ? &o->stats_path
        : NULL;
    if (text == NULL)
    {
        fprintf(stderr, "linkemu: unknown flag '%s' (linkemu --help)\n", flag);
        return -1;
    }
    *text = value;
    return 0;
}

/* Sizes each default queue to one bandwidth-delay product of the round trip. */
static void resolve_queue(struct link_config *c, const int64_t round_trip_ns, const unsigned mtu)
{
    if (c->queue_bytes != LINK_QUEUE_DEFAULT)
    {
        return;
    }
    const double bdp = (double)c->rate_bps * (double)round_trip_ns / 8e9;
    const double floor = (double)MIN_DEFAULT_QUEUE_PACKETS * mtu;
    c->queue_bytes = (int64_t)(bdp > floor ? bdp : floor);
}

static void set_defaults(struct options *o)
{
    const struct link_config link = {
        .reorder_delay_ns = DEFAULT_REORDER_DELAY_NS,
        .queue_bytes = LINK_QUEUE_DEFAULT,
    };
    *o = (struct options){
        .a2b = link, .b2a = link, .seed = 1, .mtu = 1500, .max_held = DEFAULT_MAX_HELD,
        .dev_a = "emu-a", .dev_b = "emu-b",
    };
}

enum options_result options_parse(struct options *o, const int argc, char **argv)
{
    set_defaults(o);
    for (int i = 1; i < argc; i++)
    {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
        {
            return OPTIONS_HELP;
        }
        if (strcmp(argv[i], "--dry-run") == 0)
        {
            o->dry_run = 1;
            continue;
        }
        if (i + 1 >= argc)
        {
            fprintf(stderr, "linkemu: %s needs a value (linkemu --help)\n", argv[i]);
            return OPTIONS_ERROR;
        }
        if (apply_flag(o, argv[i], argv[i + 1]) != 0)
        {
            return OPTIONS_ERROR;
        }
        i++;
    }
    if (o->netns_a == NULL && o->netns_b == NULL && strcmp(o->dev_a, o->dev_b) == 0)
    {
        fprintf(stderr, "linkemu: --dev-a and --dev-b must differ when both live in one namespace\n");
        return OPTIONS_ERROR;
    }
    const int64_t round_trip_ns = o->a2b.delay_ns + o->b2a.delay_ns;
    resolve_queue(&o->a2b, round_trip_ns, o->mtu);
    resolve_queue(&o->b2a, round_trip_ns, o->mtu);
    return OPTIONS_RUN;
}

static void print_link(FILE *out, const char *name, const struct link_config *c)
{
    fprintf(out, "%s.delay_ns=%lld\n%s.jitter_ns=%lld\n%s.reorder_delay_ns=%lld\n", name, (long long)c->delay_ns,
        name, (long long)c->jitter_ns, name, (long long)c->reorder_delay_ns);
    fprintf(out, "%s.loss=%.9g\n%s.dup=%.9g\n%s.reorder=%.9g\n%s.corrupt=%.9g\n", name, c->loss, name, c->dup, name,
        c->reorder, name, c->corrupt);
    fprintf(out, "%s.rate_bps=%llu\n%s.queue_bytes=%lld\n", name, (unsigned long long)c->rate_bps, name,
        (long long)c->queue_bytes);
}

void options_print(FILE *out, const struct options *o)
{
    fprintf(out, "seed=%llu\nmtu=%u\nmax_held=%zu\n", (unsigned long long)o->seed, o->mtu, o->max_held);
    print_link(out, "a2b", &o->a2b);
    print_link(out, "b2a", &o->b2a);
}
