/*
 * ringfence-bootguard: the rollout agent's start protocol (docs/bootguard.md) in dependency-free C99, for
 * content that is loaded before any JVM runs. It reads and writes the agent's own files, byte for byte:
 * state and state.bak, the pointer "active", the clean-shutdown marker and the slots' manifests.
 */
#ifndef RINGFENCE_BOOTGUARD_H
#define RINGFENCE_BOOTGUARD_H

#include <stddef.h>
#include <stdint.h>

/* Exit codes of the command, and return values of bg_start(), bg_confirm(), bg_status(). */
enum {
  BG_OK = 0,              /* done; the pointer names what to load */
  BG_USAGE = 2,           /* bad arguments */
  BG_DAMAGED = 3,         /* the state is refused (both copies corrupt, or missing while slots hold content) */
  BG_IO = 4,              /* a write failed; the state on disk is the one from before */
  BG_NOTHING_PENDING = 5, /* confirm: no version on trial, or this boot does not run it */
  BG_REVERTED = 10        /* start: reverted to the last-known-good; the version is known-bad now */
};

/* The largest boot id; the agent's Signal.MAX_COUNTER. */
#define BG_MAX_COUNTER INT64_C(0xFFFFFFFF)

/* A version held in a slot: "A 6 <sha256> 4096" in the state, or none (slot == 0). */
typedef struct {
  char slot; /* 'A', 'B', or 0 for none */
  int64_t version;
  char sha256[65];
  int64_t size;
} bg_content;

/* The agent's state file (AgentState in the Java agent). */
typedef struct {
  int64_t generation;
  int64_t boot_id;
  bg_content lkg;
  bg_content pending;
  int64_t failed_starts;
  int64_t highest_accepted;
  int64_t *known_bad; /* ascending, no duplicates; owned, free with bg_state_free() */
  size_t known_bad_count;
  bg_content previous;     /* in probation: the version the last-known-good replaced (slot 0: no probation) */
  int64_t probation_until; /* when the probation ends, epoch milliseconds; 0 without one */
} bg_state;

/*
 * The file operations every write goes through: the seam that tests replace to kill the guard at an
 * operation or to drop what was not yet fsynced. Each returns 0, or -1 with errno set.
 */
typedef struct bg_ops {
  /* Creates or truncates path, writes len bytes, fsyncs it. */
  int (*write_file)(struct bg_ops *ops, const char *path, const unsigned char *data, size_t len);
  /* Renames from to to in one step, replacing to. */
  int (*rename_file)(struct bg_ops *ops, const char *from, const char *to);
  /* fsyncs a directory: renames and removals in it become durable. */
  int (*sync_dir)(struct bg_ops *ops, const char *dir);
  /* Removes a file; a missing one is not an error. */
  int (*remove_file)(struct bg_ops *ops, const char *path);
} bg_ops;

/* The real file system, with real fsyncs. */
bg_ops *bg_real_ops(void);

/* What a command did. */
typedef struct {
  const char *action;    /* TRIAL, LAST_KNOWN_GOOD, REVERTED, NO_CONTENT, CONFIRMED, STATUS, REFUSED, ... */
  bg_content running;    /* what the pointer names now (slot 0: nothing) */
  int64_t failed_starts; /* starts of the pending version counted so far */
  char message[2048];    /* what happened and any damage found */
} bg_result;

/* The start protocol: run before the consumer loads content. Returns an exit code above. */
int bg_start(bg_ops *ops, const char *dir, int64_t max_failed_starts, bg_result *out);
/* The same, judging a probation against now_millis (epoch milliseconds) instead of time(). */
int bg_start_at(bg_ops *ops, const char *dir, int64_t max_failed_starts, int64_t now_millis, bg_result *out);
/* Promotes the version on trial to last-known-good (the agent's confirmHealthy()). */
int bg_confirm(bg_ops *ops, const char *dir, bg_result *out);
/* Writes the clean-shutdown marker for the current boot (the agent's onCleanShutdown()). */
int bg_clean_shutdown(bg_ops *ops, const char *dir, bg_result *out);
/* Reads the state without writing anything; fills *state when it is readable. */
int bg_status(const char *dir, bg_state *state, bg_result *out);

/* Parses a state file's bytes; 0 when valid, else -1 with the reason in why. */
int bg_state_decode(const unsigned char *bytes, size_t len, bg_state *state, char *why, size_t why_len);
/* Encodes a state exactly as the Java agent does; returns a malloc'd buffer (caller frees) or NULL. */
unsigned char *bg_state_encode(const bg_state *state, size_t *len);
void bg_state_free(bg_state *state);

#endif
