/*
 * The real file operations. Built with -DBG_TEST_HOOKS (the test build only), each operation is a numbered
 * write point, and RINGFENCE_BOOTGUARD_KILL_AT=N makes the process SIGKILL itself at point N: inside a write
 * after half of the bytes and before the fsync (a torn temp file), before any other operation.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "bootguard.h"

#ifdef BG_TEST_HOOKS
#include <signal.h>
#include <stdlib.h>

static long points;

/* Counts a write point; returns 1 when the process is to die at it. */
static int kill_point(void) {
  const char *at = getenv("RINGFENCE_BOOTGUARD_KILL_AT");
  return at != NULL && ++points == atol(at);
}

static void die(void) {
  raise(SIGKILL);
}

long bg_write_points(void) {
  return points;
}
#else
static int kill_point(void) {
  return 0;
}

static void die(void) {}
#endif

static int write_all(int fd, const unsigned char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return -1;
    }
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

static int real_write_file(bg_ops *ops, const char *path, const unsigned char *data, size_t len) {
  (void)ops;
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    return -1;
  }
  if (kill_point()) {
    if (write_all(fd, data, len / 2) == 0) {
      die();
    }
  }
  int failed = write_all(fd, data, len) != 0 || fsync(fd) != 0;
  int saved = errno;
  if (close(fd) != 0 && !failed) {
    return -1;
  }
  errno = saved;
  return failed ? -1 : 0;
}

static int real_rename_file(bg_ops *ops, const char *from, const char *to) {
  (void)ops;
  if (kill_point()) {
    die();
  }
  return rename(from, to);
}

static int real_sync_dir(bg_ops *ops, const char *dir) {
  (void)ops;
  if (kill_point()) {
    die();
  }
  int fd = open(dir, O_RDONLY);
  if (fd < 0) {
    return -1;
  }
  int failed = fsync(fd) != 0;
  int saved = errno;
  close(fd);
  errno = saved;
  return failed ? -1 : 0;
}

static int real_remove_file(bg_ops *ops, const char *path) {
  (void)ops;
  if (kill_point()) {
    die();
  }
  return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

bg_ops *bg_real_ops(void) {
  static bg_ops real = {real_write_file, real_rename_file, real_sync_dir, real_remove_file};
  return &real;
}
