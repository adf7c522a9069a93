/* Writing a whole buffer to a file descriptor: write(2) until done. */
#ifndef GPUSCATTER_IO_H
#define GPUSCATTER_IO_H

#include <stddef.h>

/* 0, or -1 with errno set. Retries EINTR and short writes. */
int io_write_all(int fd, const char *p, size_t n);

#endif
