/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Error codes returned, negated, by hypervisor functions and hypercalls.
 * The values are Linux's, so the Service VM driver can pass them to user
 * space unchanged. Host unit tests that include <errno.h> get this file;
 * the numbers are the same as the C library's on Linux.
 */
#ifndef TESSERA_ERRNO_H
#define TESSERA_ERRNO_H

#define EPERM 1      /* caller may not do this */
#define ENOENT 2     /* no such object */
#define EIO 5        /* device or shared-memory protocol error */
#define EAGAIN 11    /* try again */
#define ENOMEM 12    /* a fixed pool ran out */
#define EFAULT 14    /* bad guest address */
#define EBUSY 16     /* object in use */
#define EEXIST 17    /* already exists or overlaps */
#define ENODEV 19    /* no such device */
#define EINVAL 22    /* invalid argument */
#define ENOSPC 28    /* fixed-size table full */
#define ENOSYS 38    /* no such call */
#define ETIMEDOUT 110 /* bounded wait expired */

#endif
