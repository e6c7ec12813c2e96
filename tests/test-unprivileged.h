/* test-unprivileged.h: tests of failed saves that mean something as root
 *
 * Root writes into read-only directories, so a test that saves into one
 * proves nothing there.  A user namespace of the test's own takes that
 * power away: the process keeps its files, but its capabilities no
 * longer reach them.  Call test_give_up_root() first thing in main(),
 * before any thread starts; where it cannot be done, the tests that need
 * it see they can still write and skip.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_NEWUSER
#define CLONE_NEWUSER 0x10000000
#endif

static inline void
test_give_up_root (void)
{
#ifdef SYS_unshare
  if (geteuid () == 0)
    (void) syscall (SYS_unshare, CLONE_NEWUSER);
#endif
}
