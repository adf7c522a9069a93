/* The operating system's memory calls, every one the library makes, in one
 * place (as mimalloc's prim.h): the window's reservation and commits, the
 * library's own tables, advice, purges, residency; and the fault injection
 * (GPUSCATTER_FAULT) that proves each failure falls back. Nothing here
 * allocates: these run inside malloc and jemalloc's extent hooks. */
#ifndef GPUSCATTER_OS_H
#define GPUSCATTER_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Zeroed private read/write memory for the library's own tables, its pages
 * touched only as they are used. NULL on failure (fault point "map"; one
 * warning per process). */
void *os_map(size_t n);
void os_unmap(void *p, size_t n);

/* Fresh zeroed memory handed to the application as a runtime's would be
 * (the simulated runtime's pinned allocations): no fault point, no
 * warning, its own error to report. NULL on failure. */
void *os_map_app(size_t n);

/* A mapping made by os_map grown to n bytes, moved if need be. NULL on
 * failure: the old mapping stays. */
void *os_remap(void *p, size_t old, size_t n);

/* n bytes of address space: read/write with MAP_NORESERVE (rw), else
 * PROT_NONE for os_commit to open. NULL on failure (fault point
 * "reserve"). */
void *os_reserve(size_t n, bool rw);

/* Make reserved space usable: opened for reading and writing when it was
 * reserved PROT_NONE (closed), nothing to do on a read/write reservation.
 * 0, or -1 (fault point "commit", on either kind). */
int os_commit(void *p, size_t n, bool closed);

/* vm.overcommit_memory is 2: MAP_NORESERVE is ignored there, and a large
 * read/write reservation would be charged in full. */
bool os_strict_overcommit(void);

/* Advisory: transparent huge pages for the range. */
void os_hugepage(void *p, size_t n);

/* Give the range's pages back: lazily (MADV_FREE: reclaimed under memory
 * pressure) or at once (MADV_DONTNEED). 0, or -1. */
int os_purge(void *p, size_t n, bool lazy);

/* Fault the range in, writable (MADV_POPULATE_WRITE). -1 where the kernel
 * cannot (before 5.14): the caller touches the pages itself. */
int os_populate(void *p, size_t n);

/* Every page of [p, p + n) is mapped (any alignment). */
bool os_mapped(uintptr_t p, size_t n);

/* Bytes of [p, p + n) (page aligned) whose pages are not resident: what
 * registering the range would fault in. All of it when unknown. */
size_t os_nonresident(uintptr_t p, size_t n);

#endif
