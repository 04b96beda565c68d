/* Packets waiting for their release time: a binary min-heap keyed by (release time, arrival order). */
#ifndef LINKEMU_HEAP_H
#define LINKEMU_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct held_packet
{
    int64_t release_ns;
    uint64_t order;             /* ties release in arrival order, so equal times stay FIFO */
    int direction;
    size_t length;
    uint8_t *data;              /* owned by the heap entry */
};

struct heap
{
    struct held_packet *entries;
    size_t size;
    size_t capacity;
    uint64_t next_order;
};

/* Returns 0, or -1 when memory is short. */
int heap_init(struct heap *heap, size_t capacity);

/* Copies the packet in; returns 0, or -1 when the heap is full or memory is short (the caller drops it). */
int heap_push(struct heap *heap, int64_t release_ns, int direction, const uint8_t *data, size_t length);

/* The earliest entry, or NULL when empty. */
const struct held_packet *heap_peek(const struct heap *heap);

/* Removes the earliest entry into out; the caller frees out->data. */
void heap_pop(struct heap *heap, struct held_packet *out);

/* Frees every held packet and the heap. */
void heap_free(struct heap *heap);

#endif
