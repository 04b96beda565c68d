/*
 * One direction of the emulated link: what happens to a packet between the moment the emulator reads it from one
 * TUN device and the moment it writes it to the other. Pure: it gets the time and the packet, touches no clock or
 * file, and draws all randomness from its own seeded stream.
 */
#ifndef LINKEMU_LINK_H
#define LINKEMU_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

/* A queue of this many bytes means "one bandwidth-delay product", resolved once both directions are known. */
#define LINK_QUEUE_DEFAULT (-1)

struct link_config
{
    int64_t delay_ns;
    int64_t jitter_ns;          /* uniform in [-jitter, +jitter] around delay */
    int64_t reorder_delay_ns;   /* extra hold of a reordered packet */
    double loss;
    double dup;
    double reorder;
    double corrupt;
    uint64_t rate_bps;          /* 0: no rate limit (and then no queue) */
    int64_t queue_bytes;        /* drop-tail limit of the rate limiter's queue, or LINK_QUEUE_DEFAULT */
};

struct link_stats
{
    uint64_t in_packets;
    uint64_t in_bytes;
    uint64_t out_packets;
    uint64_t out_bytes;
    uint64_t drop_loss;
    uint64_t drop_queue;
    uint64_t drop_overflow;     /* the emulator's own hold limit (--max-held) was reached */
    uint64_t drop_error;        /* the write to the other TUN device failed */
    uint64_t duplicated;
    uint64_t reordered;
    uint64_t corrupted;
    uint64_t held;              /* read but neither written nor dropped yet */
    uint64_t queue_peak_bytes;
};

struct link
{
    struct link_config config;
    struct rng rng;
    int64_t tx_free_ns;         /* when the rate limiter finishes serialising what it already holds */
    int64_t last_release_ns;    /* keeps releases FIFO: jitter alone never reorders */
    struct link_stats stats;
};

/* The fate of one packet. */
struct verdict
{
    int copies;                 /* 0 dropped, 1, or 2 (duplicated) */
    int64_t release_ns;
};

void link_init(struct link *link, const struct link_config *config, uint64_t seed, uint64_t stream);

/*
 * Decides the fate of a packet read at now_ns, counts it, and may flip one bit of it (corruption). Every call draws
 * the same number of random values, so the decisions depend only on the seed and the packet's position in the
 * input, never on timing; only the rate limiter's queue drops depend on when packets arrive.
 */
void link_admit(struct link *link, int64_t now_ns, uint8_t *packet, size_t length, struct verdict *verdict);

/* The bytes the rate limiter still has to serialise at now_ns. */
uint64_t link_backlog_bytes(const struct link *link, int64_t now_ns);

#endif
