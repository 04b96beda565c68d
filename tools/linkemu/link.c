#include "link.h"

#define NS_PER_S 1000000000ULL

/* The random values one packet consumes, always all of them, in this order. */
struct draws
{
    double loss;
    double dup;
    double corrupt;
    uint64_t corrupt_bit;
    double reorder;
    double jitter;
};

static void draw(struct rng *rng, struct draws *d)
{
    d->loss = rng_unit(rng);
    d->dup = rng_unit(rng);
    d->corrupt = rng_unit(rng);
    d->corrupt_bit = rng_next(rng);
    d->reorder = rng_unit(rng);
    d->jitter = rng_unit(rng);
}

void link_init(struct link *link, const struct link_config *config, const uint64_t seed, const uint64_t stream)
{
    *link = (struct link){ .config = *config };
    rng_seed(&link->rng, seed, stream);
}

uint64_t link_backlog_bytes(const struct link *link, const int64_t now_ns)
{
    if (link->config.rate_bps == 0 || link->tx_free_ns <= now_ns)
    {
        return 0;
    }
    /* double: nanoseconds times bits per second overflows 64 bits for long backlogs on fast links. */
    return (uint64_t)((double)(link->tx_free_ns - now_ns) * (double)link->config.rate_bps / 8.0 / (double)NS_PER_S);
}

static uint64_t serialisation_ns(const uint64_t rate_bps, const size_t length)
{
    return (uint64_t)length * 8U * NS_PER_S / rate_bps;
}

/*
 * The offset of the transport header, so corruption lands where TCP, UDP and ICMP checksums (and Conduit's CRC)
 * see it; a flip in the IPv4 header alone would only be caught by the IP header checksum.
 */
static size_t payload_offset(const uint8_t *packet, const size_t length)
{
    if (length >= 20 && (packet[0] >> 4) == 4)
    {
        return (size_t)(packet[0] & 0x0f) * 4;
    }
    if (length >= 40 && (packet[0] >> 4) == 6)
    {
        return 40;
    }
    return 0;
}

static void corrupt(struct link *link, uint8_t *packet, const size_t length, const uint64_t bit_draw)
{
    const size_t offset = payload_offset(packet, length);
    if (offset >= length)
    {
        return;
    }
    const uint64_t bit = bit_draw % ((uint64_t)(length - offset) * 8U);
    packet[offset + bit / 8] ^= (uint8_t)(1U << (bit % 8));
    link->stats.corrupted++;
}

/* Rate limiter: returns when the packet has left the bottleneck, or -1 when the drop-tail queue is full. */
static int64_t serialise(struct link *link, const int64_t now_ns, const size_t length)
{
    if (link->config.rate_bps == 0)
    {
        return now_ns;
    }
    const uint64_t backlog = link_backlog_bytes(link, now_ns);
    if (backlog + length > (uint64_t)link->config.queue_bytes)
    {
        return -1;
    }
    if (backlog + length > link->stats.queue_peak_bytes)
    {
        link->stats.queue_peak_bytes = backlog + length;
    }
    const int64_t start = link->tx_free_ns > now_ns ? link->tx_free_ns : now_ns;
    link->tx_free_ns = start + (int64_t)serialisation_ns(link->config.rate_bps, length);
    return link->tx_free_ns;
}

static int64_t release_time(struct link *link, const int64_t departed_ns, const struct draws *d)
{
    const struct link_config *c = &link->config;
    int64_t release = departed_ns + c->delay_ns + (int64_t)((2.0 * d->jitter - 1.0) * (double)c->jitter_ns);
    if (release < departed_ns)
    {
        release = departed_ns;
    }
    if (release < link->last_release_ns)
    {
        release = link->last_release_ns;
    }
    if (d->reorder < c->reorder)
    {
        /* Held back without moving the FIFO floor, so the packets behind it overtake it. */
        link->stats.reordered++;
        return release + c->reorder_delay_ns;
    }
    link->last_release_ns = release;
    return release;
}

void link_admit(struct link *link, const int64_t now_ns, uint8_t *packet, const size_t length,
    struct verdict *verdict)
{
    struct draws d;
    draw(&link->rng, &d);
    link->stats.in_packets++;
    link->stats.in_bytes += length;
    verdict->copies = 0;
    verdict->release_ns = now_ns;

    const int64_t departed = serialise(link, now_ns, length);
    if (departed < 0)
    {
        link->stats.drop_queue++;
        return;
    }
    /* Lost on the wire after the bottleneck: a lost packet has still used its share of the rate. */
    if (d.loss < link->config.loss)
    {
        link->stats.drop_loss++;
        return;
    }
    if (d.corrupt < link->config.corrupt)
    {
        corrupt(link, packet, length, d.corrupt_bit);
    }
    verdict->copies = 1;
    if (d.dup < link->config.dup)
    {
        verdict->copies = 2;
        link->stats.duplicated++;
    }
    verdict->release_ns = release_time(link, departed, &d);
    link->stats.held += (uint64_t)verdict->copies;
}
