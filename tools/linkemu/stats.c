#include "stats.h"

#include <stdio.h>

static void print_direction(FILE *out, const char *name, const struct link *link, const int64_t now_ns)
{
    const struct link_stats *s = &link->stats;
    fprintf(out, "%s.in_packets=%llu\n", name, (unsigned long long)s->in_packets);
    fprintf(out, "%s.in_bytes=%llu\n", name, (unsigned long long)s->in_bytes);
    fprintf(out, "%s.out_packets=%llu\n", name, (unsigned long long)s->out_packets);
    fprintf(out, "%s.out_bytes=%llu\n", name, (unsigned long long)s->out_bytes);
    fprintf(out, "%s.drop_loss=%llu\n", name, (unsigned long long)s->drop_loss);
    fprintf(out, "%s.drop_queue=%llu\n", name, (unsigned long long)s->drop_queue);
    fprintf(out, "%s.drop_overflow=%llu\n", name, (unsigned long long)s->drop_overflow);
    fprintf(out, "%s.drop_error=%llu\n", name, (unsigned long long)s->drop_error);
    fprintf(out, "%s.duplicated=%llu\n", name, (unsigned long long)s->duplicated);
    fprintf(out, "%s.reordered=%llu\n", name, (unsigned long long)s->reordered);
    fprintf(out, "%s.corrupted=%llu\n", name, (unsigned long long)s->corrupted);
    fprintf(out, "%s.held=%llu\n", name, (unsigned long long)s->held);
    fprintf(out, "%s.queue_bytes=%llu\n", name, (unsigned long long)link_backlog_bytes(link, now_ns));
    fprintf(out, "%s.queue_peak_bytes=%llu\n", name, (unsigned long long)s->queue_peak_bytes);
}

void stats_print(FILE *out, const uint64_t dump, const struct link *a2b, const struct link *b2a, const int64_t now_ns)
{
    fprintf(out, "dump=%llu\n", (unsigned long long)dump);
    print_direction(out, "a2b", a2b, now_ns);
    print_direction(out, "b2a", b2a, now_ns);
}

int stats_write(const char *path, const uint64_t dump, const struct link *a2b, const struct link *b2a,
    const int64_t now_ns)
{
    char temporary[4096];
    if (snprintf(temporary, sizeof temporary, "%s.tmp", path) >= (int)sizeof temporary)
    {
        return -1;
    }
    FILE *out = fopen(temporary, "w");
    if (out == NULL)
    {
        return -1;
    }
    stats_print(out, dump, a2b, b2a, now_ns);
    if (fclose(out) != 0)
    {
        remove(temporary);
        return -1;
    }
    return rename(temporary, path) == 0 ? 0 : -1;
}
