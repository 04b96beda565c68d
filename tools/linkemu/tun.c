#define _GNU_SOURCE
#include "tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int create(const char *name, char *error, const size_t error_size)
{
    const int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
    {
        snprintf(error, error_size, "open /dev/net/tun: %s", strerror(errno));
        return -1;
    }
    struct ifreq request;
    memset(&request, 0, sizeof request);
    request.ifr_flags = IFF_TUN | IFF_NO_PI;
    snprintf(request.ifr_name, IFNAMSIZ, "%s", name);
    if (ioctl(fd, TUNSETIFF, &request) < 0)
    {
        snprintf(error, error_size, "create tun device %s: %s", name, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int tun_open(const char *netns, const char *name, char *error, const size_t error_size)
{
    if (strlen(name) == 0 || strlen(name) >= IFNAMSIZ)
    {
        snprintf(error, error_size, "bad device name '%s' (1-%d characters)", name, IFNAMSIZ - 1);
        return -1;
    }
    if (netns == NULL)
    {
        return create(name, error, error_size);
    }
    /* The device is born in the namespace that opened /dev/net/tun, so visit it, then come home. */
    char path[256];
    snprintf(path, sizeof path, "/run/netns/%s", netns);
    const int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    const int target = open(path, O_RDONLY | O_CLOEXEC);
    if (home < 0 || target < 0 || setns(target, CLONE_NEWNET) < 0)
    {
        snprintf(error, error_size, "enter network namespace %s: %s", netns, strerror(errno));
        if (home >= 0)
        {
            close(home);
        }
        if (target >= 0)
        {
            close(target);
        }
        return -1;
    }
    const int fd = create(name, error, error_size);
    const int back = setns(home, CLONE_NEWNET);
    close(home);
    close(target);
    if (back < 0)
    {
        snprintf(error, error_size, "return to own network namespace: %s", strerror(errno));
        if (fd >= 0)
        {
            close(fd);
        }
        return -1;
    }
    return fd;
}
