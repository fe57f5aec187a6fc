/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The few C string functions the hypervisor uses, with their standard names
 * because the compiler emits calls to memcpy/memset for struct copies. Host
 * builds take them from libc instead of lib/string.c.
 */
#ifndef TESSERA_LIB_STRING_H
#define TESSERA_LIB_STRING_H

#include <types.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif
