#include "heap.h"

#include <stdlib.h>
#include <string.h>

static int earlier(const struct held_packet *a, const struct held_packet *b)
{
    return a->release_ns < b->release_ns || (a->release_ns == b->release_ns && a->order < b->order);
}

static void swap(struct held_packet *a, struct held_packet *b)
{
    const struct held_packet t = *a;
    *a = *b;
    *b = t;
}

static void sift_up(struct heap *heap, size_t i)
{
    while (i > 0 && earlier(&heap->entries[i], &heap->entries[(i - 1) / 2]))
    {
        swap(&heap->entries[i], &heap->entries[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

static void sift_down(struct heap *heap, size_t i)
{
    for (;;)
    {
        const size_t left = 2 * i + 1;
        const size_t right = left + 1;
        size_t least = i;
        if (left < heap->size && earlier(&heap->entries[left], &heap->entries[least]))
        {
            least = left;
        }
        if (right < heap->size && earlier(&heap->entries[right], &heap->entries[least]))
        {
            least = right;
        }
        if (least == i)
        {
            return;
        }
        swap(&heap->entries[i], &heap->entries[least]);
        i = least;
    }
}

int heap_init(struct heap *heap, const size_t capacity)
{
    *heap = (struct heap){ .capacity = capacity };
    heap->entries = calloc(capacity, sizeof *heap->entries);
    return heap->entries == NULL ? -1 : 0;
}

int heap_push(struct heap *heap, const int64_t release_ns, const int direction, const uint8_t *data,
    const size_t length)
{
    if (heap->size == heap->capacity)
    {
        return -1;
    }
    /* One allocation per held packet: only packets in flight use memory, whatever the MTU. */
    uint8_t *copy = malloc(length);
    if (copy == NULL)
    {
        return -1;
    }
    memcpy(copy, data, length);
    heap->entries[heap->size] = (struct held_packet){ release_ns, heap->next_order++, direction, length, copy };
    sift_up(heap, heap->size);
    heap->size++;
    return 0;
}

const struct held_packet *heap_peek(const struct heap *heap)
{
    return heap->size == 0 ? NULL : &heap->entries[0];
}

void heap_pop(struct heap *heap, struct held_packet *out)
{
    *out = heap->entries[0];
    heap->size--;
    heap->entries[0] = heap->entries[heap->size];
    sift_down(heap, 0);
}

void heap_free(struct heap *heap)
{
    for (size_t i = 0; i < heap->size; i++)
    {
        free(heap->entries[i].data);
    }
    free(heap->entries);
    *heap = (struct heap){ 0 };
}
