/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/fileio.h"

int read_fd(int fd, size_t max, char **ret, size_t *ret_len)
{
    *ret = NULL;
    if (ret_len) *ret_len = 0;
    size_t cap = max < 4096 ? max + 1 : 4096, len = 0;
    char *data = malloc(cap + 1);
    int r = 0;
    if (!data) return -ENOMEM;
    for (;;) {
        if (len == cap) {
            if (cap > max) break;
            size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *n = realloc(data, ncap + 1);
            if (!n) {
                r = -ENOMEM;
                break;
            }
            data = n;
            cap = ncap;
        }
        ssize_t k = read(fd, data + len, cap - len);
        if (k < 0) {
            if (errno == EINTR) continue;
            r = -errno;
            break;
        }
        if (k == 0) break;
        len += (size_t)k;
    }
    if (r < 0 && len == 0) {
        free(data);
        return r;
    }
    if (len > max) {
        len = max;
        r = -EFBIG;
    }
    data[len] = '\0';
    *ret = data;
    if (ret_len) *ret_len = len;
    return r < 0 ? r : 0;
}

int read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len)
{
    *ret = NULL;
    if (ret_len) *ret_len = 0;
    int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return -errno;
    int r = read_fd(fd, max, ret, ret_len);
    close(fd);
    return r;
}

int read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
    return read_file_at(AT_FDCWD, path, max, ret, ret_len);
}

int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}
