/* ringfence-bootguard start|confirm|clean-shutdown|status DIR: the command; docs/bootguard.md. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootguard.h"

#ifdef BG_TEST_HOOKS
long bg_write_points(void);
#endif

static int usage(void) {
  fputs("usage: ringfence-bootguard [--max-failed-starts N] start|confirm|clean-shutdown|status DIR\n"
        "  start           run before the consumer loads content: counts the start, reverts at the limit\n"
        "  confirm         the version on trial ran healthily: make it the last-known-good\n"
        "  clean-shutdown  the consumer exited cleanly: the next start is not counted\n"
        "  status          print the state, write nothing\n"
        "exit: 0 done, 2 usage, 3 state refused (damaged), 4 write failed, 5 nothing on trial to confirm,\n"
        "      10 reverted to the last-known-good\n",
        stderr);
  return BG_USAGE;
}

static void print_content(const char *key, const bg_content *c) {
  if (c->slot == 0) {
    printf("%s=none\n", key);
  } else {
    printf("%s=%c %" PRId64 " %s %" PRId64 "\n", key, c->slot, c->version, c->sha256, c->size);
  }
}

int main(int argc, char **argv) {
  int64_t max = 3;
  int arg = 1;
  if (arg + 1 < argc && strcmp(argv[arg], "--max-failed-starts") == 0) {
    char *end;
    long value = strtol(argv[arg + 1], &end, 10);
    if (*end != '\0' || value < 1 || value > 100) {
      fprintf(stderr, "ringfence-bootguard: --max-failed-starts %s is outside 1..100\n", argv[arg + 1]);
      return BG_USAGE;
    }
    max = value;
    arg += 2;
  }
  if (argc - arg != 2 || strlen(argv[arg + 1]) == 0 || strlen(argv[arg + 1]) > 3000) {
    return usage();
  }
  const char *command = argv[arg], *dir = argv[arg + 1];
  bg_result result;
  bg_state state;
  int code;
  if (strcmp(command, "start") == 0) {
    code = bg_start(bg_real_ops(), dir, max, &result);
  } else if (strcmp(command, "confirm") == 0) {
    code = bg_confirm(bg_real_ops(), dir, &result);
  } else if (strcmp(command, "clean-shutdown") == 0) {
    code = bg_clean_shutdown(bg_real_ops(), dir, &result);
  } else if (strcmp(command, "status") == 0) {
    code = bg_status(dir, &state, &result);
    if (code == BG_OK) {
      printf("generation=%" PRId64 "\nbootId=%" PRId64 "\n", state.generation, state.boot_id);
      print_content("lastKnownGood", &state.lkg);
      print_content("pending", &state.pending);
      printf("failedStarts=%" PRId64 "\nhighestAccepted=%" PRId64 "\nknownBad=", state.failed_starts,
             state.highest_accepted);
      for (size_t i = 0; i < state.known_bad_count; i++) {
        printf(i == 0 ? "%" PRId64 : ",%" PRId64, state.known_bad[i]);
      }
      printf("\n");
      if (state.previous.slot != 0) {
        print_content("previous", &state.previous);
        printf("probationUntil=%" PRId64 "\n", state.probation_until);
      }
      bg_state_free(&state);
    }
  } else {
    return usage();
  }
  /* One line a script can read: ACTION SLOT VERSION; the path to load is DIR/slots/SLOT/content. */
  if (code != BG_DAMAGED && code != BG_USAGE) {
    printf("%s %c %" PRId64 "\n", result.action, result.running.slot == 0 ? '-' : result.running.slot,
           result.running.slot == 0 ? INT64_C(0) : result.running.version);
  }
  if (result.message[0] != '\0') {
    fprintf(stderr, "ringfence-bootguard %s %s: %s (exit %d)\n", command, dir, result.message, code);
  }
#ifdef BG_TEST_HOOKS
  if (getenv("RINGFENCE_BOOTGUARD_KILL_AT") != NULL) {
    fprintf(stderr, "write-points=%ld\n", bg_write_points());
  }
#endif
  return code;
}
