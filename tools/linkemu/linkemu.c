/*
 * linkemu: a user-space IP link emulator. Two TUN devices, A and B (usually in two network namespaces), and every IP
 * packet one side sends is read here, impaired as its direction's link says (see link.h), held until its release
 * time, and written to the other side. TCP, UDP and Conduit therefore all cross exactly the same link.
 *
 * One thread, one ppoll() loop: read what arrived, write what is due, sleep until the next release time or the
 * next packet. Signals are blocked except inside ppoll(), so a handler never interrupts the loop half-way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "heap.h"
#include "link.h"
#include "options.h"
#include "stats.h"
#include "tun.h"

/* Packets read from one device per loop turn, so a flood on one side cannot delay releases or the other side. */
#define READ_BATCH 256
#define A2B 0
#define B2A 1

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t dump_requested;

struct emulator
{
    struct link links[2];       /* indexed by direction: A2B reads device A and writes device B */
    int fds[2];                 /* fds[A2B] is device A, fds[B2A] device B */
    struct heap heap;
    const char *stats_path;
    uint64_t dumps;
    uint8_t buffer[65536];      /* the largest IP packet */
};

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void on_signal(const int signal_number)
{
    if (signal_number == SIGUSR1)
    {
        dump_requested = 1;
    }
    else
    {
        stop_requested = 1;
    }
}

/* Blocks the signals we handle and returns, in unblocked, the mask ppoll() should wait with. */
static void install_signals(sigset_t *unblocked)
{
    sigset_t handled;
    sigemptyset(&handled);
    const int signals[] = { SIGUSR1, SIGTERM, SIGINT, SIGHUP };
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
    {
        sigaddset(&handled, signals[i]);
        sigaction(signals[i], &action, NULL);
    }
    sigprocmask(SIG_BLOCK, &handled, unblocked);
    sigdelset(unblocked, SIGUSR1);
    sigdelset(unblocked, SIGTERM);
    sigdelset(unblocked, SIGINT);
    sigdelset(unblocked, SIGHUP);
}

static void write_stats(struct emulator *e)
{
    if (e->stats_path != NULL && stats_write(e->stats_path, e->dumps, &e->links[A2B], &e->links[B2A], now_ns()) != 0)
    {
        fprintf(stderr, "linkemu: cannot write %s: %s\n", e->stats_path, strerror(errno));
    }
    e->dumps++;
}

static void hold(struct emulator *e, const int direction, const size_t length, const struct verdict *verdict)
{
    struct link *link = &e->links[direction];
    for (int copy = 0; copy < verdict->copies; copy++)
    {
        if (heap_push(&e->heap, verdict->release_ns, direction, e->buffer, length) != 0)
        {
            link->stats.drop_overflow++;
            link->stats.held--;
        }
    }
}

/* Reads up to a batch from one device; returns -1 when the device failed. */
static int read_batch(struct emulator *e, const int direction)
{
    for (int i = 0; i < READ_BATCH; i++)
    {
        const ssize_t length = read(e->fds[direction], e->buffer, sizeof e->buffer);
        if (length < 0)
        {
            if (errno == EAGAIN || errno == EINTR)
            {
                return 0;
            }
            fprintf(stderr, "linkemu: read from device %c: %s\n", direction == A2B ? 'A' : 'B', strerror(errno));
            return -1;
        }
        struct verdict verdict;
        /* The clock per packet, not per batch: the rate limiter's queue is only as exact as arrival times. */
        link_admit(&e->links[direction], now_ns(), e->buffer, (size_t)length, &verdict);
        hold(e, direction, (size_t)length, &verdict);
    }
    return 0;
}

static void release_due(struct emulator *e, const int64_t now)
{
    const struct held_packet *next;
    while ((next = heap_peek(&e->heap)) != NULL && next->release_ns <= now)
    {
        struct held_packet packet;
        heap_pop(&e->heap, &packet);
        struct link_stats *s = &e->links[packet.direction].stats;
        const ssize_t written = write(e->fds[1 - packet.direction], packet.data, packet.length);
        if (written == (ssize_t)packet.length)
        {
            s->out_packets++;
            s->out_bytes += packet.length;
        }
        else
        {
            /* EIO while the receiving device is down, for example. */
            s->drop_error++;
        }
        s->held--;
        free(packet.data);
    }
}

static struct timespec *timeout_until_next(const struct emulator *e, struct timespec *timeout)
{
    const struct held_packet *next = heap_peek(&e->heap);
    if (next == NULL)
    {
        return NULL;
    }
    int64_t wait = next->release_ns - now_ns();
    wait = wait < 0 ? 0 : wait;
    timeout->tv_sec = wait / 1000000000LL;
    timeout->tv_nsec = wait % 1000000000LL;
    return timeout;
}

static int run(struct emulator *e, const sigset_t *unblocked)
{
    struct pollfd fds[2] = { { e->fds[A2B], POLLIN, 0 }, { e->fds[B2A], POLLIN, 0 } };
    while (!stop_requested)
    {
        if (dump_requested)
        {
            dump_requested = 0;
            write_stats(e);
        }
        release_due(e, now_ns());
        struct timespec timeout;
        const int ready = ppoll(fds, 2, timeout_until_next(e, &timeout), unblocked);
        if (ready < 0 && errno != EINTR)
        {
            fprintf(stderr, "linkemu: ppoll: %s\n", strerror(errno));
            return -1;
        }
        for (int direction = A2B; ready > 0 && direction <= B2A; direction++)
        {
            if ((fds[direction].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0 ||
                ((fds[direction].revents & POLLIN) != 0 && read_batch(e, direction) != 0))
            {
                return -1;
            }
        }
    }
    return 0;
}

static int open_devices(struct emulator *e, const struct options *o)
{
    char error[512];
    e->fds[A2B] = tun_open(o->netns_a, o->dev_a, error, sizeof error);
    if (e->fds[A2B] < 0)
    {
        fprintf(stderr, "linkemu: device A: %s\n", error);
        return -1;
    }
    e->fds[B2A] = tun_open(o->netns_b, o->dev_b, error, sizeof error);
    if (e->fds[B2A] < 0)
    {
        fprintf(stderr, "linkemu: device B: %s\n", error);
        close(e->fds[A2B]);
        return -1;
    }
    return 0;
}

int main(const int argc, char **argv)
{
    static struct options options;
    switch (options_parse(&options, argc, argv))
    {
        case OPTIONS_HELP:
            options_usage(stdout);
            return 0;
        case OPTIONS_ERROR:
            return 2;
        case OPTIONS_RUN:
            break;
    }
    if (options.dry_run)
    {
        options_print(stdout, &options);
        return 0;
    }
    static struct emulator e;
    link_init(&e.links[A2B], &options.a2b, options.seed, A2B);
    link_init(&e.links[B2A], &options.b2a, options.seed, B2A);
    e.stats_path = options.stats_path;
    if (heap_init(&e.heap, options.max_held) != 0 || open_devices(&e, &options) != 0)
    {
        return 1;
    }
    sigset_t unblocked;
    install_signals(&unblocked);
    options_print(stdout, &options);
    fflush(stdout);
    /* The first dump (dump=0) tells a waiting script that both devices exist. */
    write_stats(&e);
    const int result = run(&e, &unblocked);
    write_stats(&e);
    stats_print(stdout, e.dumps - 1, &e.links[A2B], &e.links[B2A], now_ns());
    heap_free(&e.heap);
    close(e.fds[A2B]);
    close(e.fds[B2A]);
    return result == 0 ? 0 : 1;
}
