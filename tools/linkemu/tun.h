/* TUN devices, created inside a named network namespace. */
#ifndef LINKEMU_TUN_H
#define LINKEMU_TUN_H

#include <stddef.h>

/*
 * Creates TUN device name (IFF_TUN | IFF_NO_PI: every read and write is one bare IP packet) in network namespace
 * netns (as named by `ip netns add`), or in the emulator's own namespace when netns is NULL. Returns a non-blocking
 * descriptor; the device lives as long as it does. On failure returns -1 with a one-line reason in error.
 */
int tun_open(const char *netns, const char *name, char *error, size_t error_size);

#endif
