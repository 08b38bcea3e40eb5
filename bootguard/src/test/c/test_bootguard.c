/*
 * The guard's C tests, run under AddressSanitizer and UBSan by the module's build: SHA-256 vectors, the
 * state grammar, damaged files refused, the start protocol, and a crash at every file operation under a
 * model that drops whatever was not yet fsynced (renames and removals not followed by a directory fsync).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootguard.h"
#include "sha256.h"

static int failures, checks;

#define CHECK(cond, ...)                                         \
  do {                                                           \
    checks++;                                                    \
    if (!(cond)) {                                               \
      failures++;                                                \
      fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                              \
      fprintf(stderr, "\n");                                     \
    }                                                            \
  } while (0)

static char root[256];

/* ---- files ---- */

static void put(const char *dir, const char *name, const void *data, size_t len) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
    fprintf(stderr, "cannot write %s\n", path);
    exit(2);
  }
}

static size_t get(const char *dir, const char *name, unsigned char *buffer, size_t cap) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    return (size_t)-1;
  }
  size_t n = fread(buffer, 1, cap, f);
  fclose(f);
  return n;
}

/* `body` and its checksum line, as the Java agent's ChecksummedText writes a small file; returns the length. */
static int seal(const char *body, char *text, size_t cap) {
  char hex[65];
  sha256_hex(body, strlen(body), hex);
  return snprintf(text, cap, "%schecksum=%s\n", body, hex);
}

/* A small file as the Java agent's ChecksummedText writes it. */
static void put_sealed(const char *dir, const char *name, const char *body) {
  char text[1024];
  seal(body, text, sizeof text);
  put(dir, name, text, strlen(text));
}

static void content_of(int64_t version, char *out, size_t cap) {
  snprintf(out, cap, "channel-291 v%" PRId64 "\n", version);
}

/* Stages a version into a slot: content, then its manifest; returns the state's reference to it. */
static bg_content stage(const char *dir, char slot, int64_t version) {
  char bytes[64], name[64], body[256];
  bg_content c = {slot, version, {0}, 0};
  content_of(version, bytes, sizeof bytes);
  c.size = (int64_t)strlen(bytes);
  sha256_hex(bytes, strlen(bytes), c.sha256);
  snprintf(name, sizeof name, "slots/%c/content", slot);
  put(dir, name, bytes, strlen(bytes));
  snprintf(body, sizeof body, "ringfence-slot v1\nversion=%" PRId64 "\nsha256=%s\nsize=%" PRId64 "\n", version,
           c.sha256, c.size);
  snprintf(name, sizeof name, "slots/%c/manifest", slot);
  put_sealed(dir, name, body);
  return c;
}

static void write_state_files(const char *dir, const bg_state *s) {
  size_t len;
  unsigned char *bytes = bg_state_encode(s, &len);
  put(dir, "state", bytes, len);
  put(dir, "state.bak", bytes, len);
  free(bytes);
}

/* A fresh directory: v6 confirmed in A, v7 on trial in B with `failed` counted starts. */
static void fixture(char *dir, size_t cap, const char *label, int64_t failed) {
  static int serial;
  snprintf(dir, cap, "%s/%s-%d", root, label, serial++);
  char sub[512];
  mkdir(dir, 0755);
  snprintf(sub, sizeof sub, "%s/slots", dir);
  mkdir(sub, 0755);
  snprintf(sub, sizeof sub, "%s/slots/A", dir);
  mkdir(sub, 0755);
  snprintf(sub, sizeof sub, "%s/slots/B", dir);
  mkdir(sub, 0755);
  bg_state s = {4, 3, stage(dir, 'A', 6), stage(dir, 'B', 7), failed, 7, NULL, 0, {0, 0, {0}, 0}, 0};
  write_state_files(dir, &s);
}

static bg_state read_state(const char *dir) {
  bg_state s;
  bg_result r;
  if (bg_status(dir, &s, &r) != BG_OK) {
    fprintf(stderr, "state unreadable in %s: %s\n", dir, r.message);
    exit(2);
  }
  return s;
}

/* ---- tests ---- */

static void sha256_matchesTheFipsVectors(void) {
  char hex[65];
  sha256_hex("", 0, hex);
  CHECK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0, "%s", hex);
  sha256_hex("abc", 3, hex);
  CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0, "%s", hex);
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  sha256_hex(two, strlen(two), hex);
  CHECK(strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0, "%s", hex);
  sha256_ctx ctx;
  sha256_init(&ctx);
  for (int i = 0; i < 1000000; i++) {
    sha256_update(&ctx, "a", 1);
  }
  sha256_final_hex(&ctx, hex);
  CHECK(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0, "%s", hex);
}

/* Decodes `body` sealed with its checksum line (the sealed text left in `text`). */
static bg_state decode_sealed(const char *body, char *text, size_t cap) {
  char why[256];
  bg_state s;
  seal(body, text, cap);
  CHECK(bg_state_decode((const unsigned char *)text, strlen(text), &s, why, sizeof why) == 0, "%s", why);
  return s;
}

/* Checks that the state encodes back to `text` byte for byte, then frees it. */
static void check_encodes_back(bg_state *s, const char *text) {
  size_t len;
  unsigned char *again = bg_state_encode(s, &len);
  CHECK(len == strlen(text) && memcmp(again, text, len) == 0, "re-encoded differs: %.*s", (int)len, again);
  free(again);
  bg_state_free(s);
}

static void stateEncoding_isTheJavaAgentsByteForByte(void) {
  /* The body AgentState.encode() writes for this state (docs/bootguard.md); the checksum line is its SHA-256. */
  const char *body = "ringfence-agent-state v1\ngeneration=12\nbootId=5\n"
                     "lastKnownGood=A 6 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 4096\n"
                     "pending=none\nfailedStarts=0\nhighestAccepted=7\nknownBad=3,5\n";
  char text[1024];
  bg_state s = decode_sealed(body, text, sizeof text);
  CHECK(s.generation == 12 && s.boot_id == 5 && s.lkg.slot == 'A' && s.lkg.size == 4096 && s.pending.slot == 0,
        "fields");
  CHECK(s.known_bad_count == 2 && s.known_bad[0] == 3 && s.known_bad[1] == 5, "knownBad");
  check_encodes_back(&s, text);
}

static void damagedStates_areRefusedWithTheReason(void) {
  static const struct {
    const char *body;
    const char *why;
  } cases[] = {
      {"ringfence-agent-state v2\n", "header is"},
      {"ringfence-agent-state v1\ngeneration=1\n", "field 'bootId' is missing"},
      {"ringfence-agent-state v1\ngeneration=x\n", "not a number"},
      {"ringfence-agent-state v1\ngeneration=1\nbootId=1\nlastKnownGood=C 6 x 1\npending=none\nfailedStarts=0\n"
       "highestAccepted=-1\nknownBad=\n", "malformed"},
      {"ringfence-agent-state v1\ngeneration=1\nbootId=1\nlastKnownGood=none\npending=none\nfailedStarts=-1\n"
       "highestAccepted=-1\nknownBad=\n", "failedStarts -1 is out of range"},
      {"ringfence-agent-state v1\ngeneration=1\nbootId=4294967296\nlastKnownGood=none\npending=none\n"
       "failedStarts=0\nhighestAccepted=-1\nknownBad=\n", "bootId 4294967296 is outside"},
      {"ringfence-agent-state v1\ngeneration=1\nbootId=1\nlastKnownGood=none\npending=none\nfailedStarts=0\n"
       "highestAccepted=-1\nknownBad=3,\n", "knownBad entry '' is not a number"},
      {"ringfence-agent-state v1\ngeneration=1\ngeneration=2\n", "appears twice"},
      {"ringfence-agent-state v1\nnot a field\n", "line 2 is not key=value"},
      {"ringfence-agent-state v1\ngeneration=99999999999999999999\n", "not a number"},
  };
  char text[1024], why[256];
  bg_state s;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    seal(cases[i].body, text, sizeof text);
    why[0] = '\0';
    CHECK(bg_state_decode((const unsigned char *)text, strlen(text), &s, why, sizeof why) != 0, "case %zu", i);
    CHECK(strstr(why, cases[i].why) != NULL, "case %zu: '%s' lacks '%s'", i, why, cases[i].why);
  }
  /* Torn at every length, and every byte flipped: never accepted. */
  const char *body = "ringfence-agent-state v1\ngeneration=1\nbootId=1\nlastKnownGood=none\npending=none\n"
                     "failedStarts=0\nhighestAccepted=-1\nknownBad=\n";
  int n = seal(body, text, sizeof text);
  CHECK(bg_state_decode((const unsigned char *)text, (size_t)n, &s, why, sizeof why) == 0, "%s", why);
  bg_state_free(&s);
  for (int len = 0; len < n; len++) {
    CHECK(bg_state_decode((const unsigned char *)text, (size_t)len, &s, why, sizeof why) != 0, "torn at %d", len);
  }
  for (int at = 0; at < n; at++) {
    text[at] ^= 0x01;
    CHECK(bg_state_decode((const unsigned char *)text, (size_t)n, &s, why, sizeof why) != 0, "flipped at %d", at);
    text[at] ^= 0x01;
  }
}

static void start_countsThreeStarts_thenRevertsAndMarksKnownBad(void) {
  char dir[300];
  bg_result r;
  fixture(dir, sizeof dir, "count", 0);
  for (int64_t start = 1; start <= 3; start++) {
    CHECK(bg_start(bg_real_ops(), dir, 3, &r) == BG_OK, "start %" PRId64 ": %s", start, r.message);
    CHECK(strcmp(r.action, "TRIAL") == 0 && r.failed_starts == start && r.running.version == 7, "%s", r.message);
  }
  CHECK(bg_start(bg_real_ops(), dir, 3, &r) == BG_REVERTED, "%s", r.message);
  CHECK(strcmp(r.action, "REVERTED") == 0 && r.running.slot == 'A' && r.running.version == 6, "%s", r.message);
  bg_state s = read_state(dir);
  CHECK(s.pending.slot == 0 && s.lkg.version == 6 && s.known_bad_count == 1 && s.known_bad[0] == 7, "state");
  CHECK(s.boot_id == 7 && s.generation == 8, "boot %" PRId64 " generation %" PRId64, s.boot_id, s.generation);
  bg_state_free(&s);
  unsigned char bytes[256];
  CHECK(get(dir, "slots/B/content", bytes, sizeof bytes) != (size_t)-1, "the bad version's bytes are kept");
  CHECK(bg_start(bg_real_ops(), dir, 3, &r) == BG_OK && strcmp(r.action, "LAST_KNOWN_GOOD") == 0, "%s", r.message);
}

static void cleanShutdown_keepsTheNextStartFromCounting_once(void) {
  char dir[300];
  bg_result r;
  fixture(dir, sizeof dir, "clean", 0);
  CHECK(bg_start(bg_real_ops(), dir, 3, &r) == BG_OK && r.failed_starts == 1, "%s", r.message);
  CHECK(bg_clean_shutdown(bg_real_ops(), dir, &r) == BG_OK, "%s", r.message);
  CHECK(bg_start(bg_real_ops(), dir, 3, &r) == BG_OK && r.failed_starts == 1, "%s", r.message);
  CHECK(strstr(r.message, "clean shutdown, not counted") != NULL, "%s", r.message);
  unsigned char bytes[256];
  CHECK(get(dir, "clean-shutdown", bytes, sizeof bytes) == (size_t)-1, "the marker is consumed");
  CHECK(bg_start(bg_real_ops(), dir, 3, &r) == BG_OK && r.failed_starts == 2, "%s", r.message);
  /* A marker of an older boot is stale: counted, and removed. */
  put_sealed(dir, "clean-shutdown", "ringfence-clean-shutdown v1\nbootId=1\nversion=7\n");
  CHECK(bg_start(bg_real_ops(), dir, 3, &r) == BG_OK && r.failed_starts == 3, "%s", r.message);
  CHECK(get(dir, "clean-shutdown", bytes, sizeof bytes) == (size_t)-1, "the stale marker is removed");
  /* One that fails its checksum is ignored (counted) and, as the Java agent does, left in place. */
  fixture(dir, sizeof dir, "corrupt-marker", 1);
  const char *corrupt = "ringfence-clean-shutdown v1\nbootId=3\nchecksum=00\n";
  put(dir, "clean-shutdown", corrupt, strlen(corrupt));
  CHECK(bg_start(bg_real_ops(), dir, 3, &r) == BG_OK && r.failed_starts == 2, "%s", r.message);
  CHECK(get(dir, "clean-shutdown", bytes, sizeof bytes) == strlen(corrupt), "the corrupt marker is left");
}

static void cleanShutdownAtTheLimit_isNotAFailedStart_andDoesNotRevert(void) {
  char dir[300];
  bg_result r;
  unsigned char bytes[256];
  fixture(dir, sizeof dir, "clean-at-limit", 3);
  put_sealed(dir, "clean-shutdown", "ringfence-clean-shutdown v1\nbootId=3\nversion=7\n");
  CHECK(bg_start(bg_real_ops(), dir, 3, &r) == BG_OK, "%s", r.message);
  CHECK(strcmp(r.action, "TRIAL") == 0 && r.running.version == 7 && r.failed_starts == 3, "%s %" PRId64 ": %s",
        r.action, r.failed_starts, r.message);
  CHECK(get(dir, "clean-shutdown", bytes, sizeof bytes) == (size_t)-1, "the marker is consumed");
  bg_state s = read_state(dir);
  CHECK(s.pending.version == 7 && s.failed_starts == 3 && s.known_bad_count == 0, "still on trial, not known-bad");
  bg_state_free(&s);
  /* The start after it was not clean: v7 has failed 3 starts, and this one reverts. */
  CHECK(bg_start(bg_real_ops(), dir, 3, &r) == BG_REVERTED && r.running.version == 6, "%s", r.message);
}

static void damagedPendingSlot_revertsAtOnce_andDamagedLastKnownGoodFallsBack(void) {
  char dir[300];
  bg_result r;
  fixture(dir, sizeof dir, "damaged", 0);
  put(dir, "slots/B/content", "tampered", 8);
  CHECK(bg_start(bg_real_ops(), dir, 3, &r) == BG_REVERTED && r.running.version == 6, "%s", r.message);
  CHECK(strstr(r.message, "pending v7 in slot B is damaged") != NULL, "%s", r.message);
  fixture(dir, sizeof dir, "lkg-damaged", 0);
  put(dir, "slots/A/content", "tampered", 8);
  CHECK(bg_start(bg_real_ops(), dir, 3, &r) == BG_OK && r.running.version == 7, "%s", r.message);
  CHECK(strcmp(r.action, "RECOVERED") == 0, "%s", r.action);
  CHECK(strstr(r.message, "last-known-good v6 in slot A is damaged (slots/A/content does not match its manifest (8 "
                          "bytes)); no other verified slot") != NULL, "%s", r.message);
}

static void missingSlotFiles_areNamed_andTheLastKnownGoodIsKept(void) {
  char dir[300], path[400];
  bg_result r;
  unsigned char bytes[256];
  fixture(dir, sizeof dir, "no-pending-manifest", 0);
  snprintf(path, sizeof path, "%s/slots/B/manifest", dir);
  unlink(path);
  CHECK(bg_start(bg_real_ops(), dir, 3, &r) == BG_REVERTED && r.running.version == 6, "%s", r.message);
  CHECK(strstr(r.message, "pending v7 in slot B is damaged (slots/B/manifest is missing)") != NULL, "%s", r.message);
  char v6[64];
  content_of(6, v6, sizeof v6);
  CHECK(get(dir, "slots/A/content", bytes, sizeof bytes) == strlen(v6) && memcmp(bytes, v6, strlen(v6)) == 0,
        "the last-known-good's content is kept");
  fixture(dir, sizeof dir, "no-lkg-content", 0);
  snprintf(path, sizeof path, "%s/slots/A/content", dir);
  unlink(path);
  CHECK(bg_start(bg_real_ops(), dir, 3, &r) == BG_OK && strcmp(r.action, "RECOVERED") == 0, "%s", r.message);
  CHECK(strstr(r.message, "last-known-good v6 in slot A is damaged (slots/A/content is missing)") != NULL, "%s",
        r.message);
  CHECK(get(dir, "slots/A/manifest", bytes, sizeof bytes) != (size_t)-1, "the manifest is not deleted");
  fixture(dir, sizeof dir, "pending-in-lkg-slot", 0);
  bg_state s = read_state(dir);
  s.pending.slot = 'A';
  write_state_files(dir, &s);
  bg_state_free(&s);
  CHECK(bg_start(bg_real_ops(), dir, 3, &r) == BG_REVERTED && r.running.version == 6, "%s", r.message);
  CHECK(strstr(r.message, "pending v7 names slot A, the last-known-good's") != NULL, "%s", r.message);
}

static void bothStateCopiesDamaged_startRebuildsFromTheSlots_otherCommandsRefuse(void) {
  char dir[300];
  bg_result r;
  fixture(dir, sizeof dir, "refused", 1);
  put(dir, "state", "garbage\n", 8);
  put(dir, "state.bak", "ringfence-agent-state v1\ngeneration=1\n", 38);
  unsigned char before[512], after[512];
  size_t n = get(dir, "slots/A/content", before, sizeof before);
  CHECK(bg_confirm(bg_real_ops(), dir, &r) == BG_DAMAGED, "%s", r.message);
  CHECK(strstr(r.message, "only a start rebuilds a state from the slots") != NULL, "%s", r.message);
  CHECK(get(dir, "state", after, sizeof after) == 8, "state left as it was by confirm");
  /* A start rebuilds as the Java agent does: the oldest verified slot, nothing older accepted again. */
  CHECK(bg_start(bg_real_ops(), dir, 3, &r) == BG_OK, "%s", r.message);
  CHECK(strstr(r.message, "state is unreadable (no checksum line") != NULL, "%s", r.message);
  CHECK(strstr(r.message, "rebuilt from the slots, running v6 from slot A as last-known-good") != NULL, "%s",
        r.message);
  CHECK(strcmp(r.action, "RECOVERED") == 0 && r.running.slot == 'A' && r.running.version == 6, "%s", r.action);
  CHECK(get(dir, "slots/A/content", after, sizeof after) == n && memcmp(before, after, n) == 0, "LKG intact");
  CHECK(get(dir, "slots/B/content", after, sizeof after) != (size_t)-1, "nothing deleted");
  bg_state rebuilt = read_state(dir);
  CHECK(rebuilt.lkg.version == 6 && rebuilt.pending.slot == 0 && rebuilt.highest_accepted == 7
        && rebuilt.known_bad_count == 0 && rebuilt.boot_id == 1, "rebuilt state");
  bg_state_free(&rebuilt);
  /* One copy damaged: continues from the other and says so. */
  fixture(dir, sizeof dir, "one-copy", 1);
  put(dir, "state", "garbage\n", 8);
  CHECK(bg_start(bg_real_ops(), dir, 3, &r) == BG_OK && r.failed_starts == 2, "%s", r.message);
  CHECK(strstr(r.message, "state is unreadable") != NULL, "%s", r.message);
  CHECK(strcmp(r.action, "RECOVERED") == 0 && r.running.version == 7, "%s", r.action);
}

static void confirm_promotesOnlyTheVersionThisBootRuns(void) {
  char dir[300];
  bg_result r;
  fixture(dir, sizeof dir, "confirm", 0);
  CHECK(bg_confirm(bg_real_ops(), dir, &r) == BG_NOTHING_PENDING, "no pointer yet: %s", r.message);
  CHECK(bg_start(bg_real_ops(), dir, 3, &r) == BG_OK, "%s", r.message);
  CHECK(bg_confirm(bg_real_ops(), dir, &r) == BG_OK && r.running.version == 7, "%s", r.message);
  bg_state s = read_state(dir);
  CHECK(s.lkg.version == 7 && s.pending.slot == 0 && s.failed_starts == 0, "promoted");
  bg_state_free(&s);
  CHECK(bg_confirm(bg_real_ops(), dir, &r) == BG_NOTHING_PENDING, "%s", r.message);
}

/* ---- the crash model: drops renames and removals not followed by a directory fsync ---- */

typedef struct {
  char path[512], from[512];
  unsigned char *old; /* the target's bytes before, NULL if it did not exist */
  size_t old_len;
} undo;

typedef struct {
  bg_ops ops;
  long crash_at, count;
  int crashed;
  undo log[64];
  int logged;
} lossy;

static int lossy_point(lossy *l) {
  if (l->crashed) {
    errno = EIO;
    return -1;
  }
  if (++l->count == l->crash_at) {
    l->crashed = 1;
    return 1;
  }
  return 0;
}

static void remember(lossy *l, const char *path, const char *from) {
  undo *u = &l->log[l->logged++];
  snprintf(u->path, sizeof u->path, "%s", path);
  snprintf(u->from, sizeof u->from, "%s", from == NULL ? "" : from);
  u->old = malloc(1 << 16);
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    free(u->old);
    u->old = NULL;
    return;
  }
  u->old_len = fread(u->old, 1, 1 << 16, f);
  fclose(f);
}

static int lossy_write(bg_ops *ops, const char *path, const unsigned char *data, size_t len) {
  lossy *l = (lossy *)ops;
  int point = lossy_point(l);
  if (point == 1) {
    FILE *f = fopen(path, "wb"); /* torn: half written, never fsynced */
    fwrite(data, 1, len / 2, f);
    fclose(f);
  }
  return point != 0 ? -1 : bg_real_ops()->write_file(bg_real_ops(), path, data, len);
}

static int lossy_rename(bg_ops *ops, const char *from, const char *to) {
  lossy *l = (lossy *)ops;
  if (lossy_point(l) != 0) {
    return -1;
  }
  remember(l, to, from);
  return rename(from, to);
}

static int lossy_sync_dir(bg_ops *ops, const char *dir) {
  lossy *l = (lossy *)ops;
  if (lossy_point(l) != 0) {
    return -1;
  }
  for (int i = 0; i < l->logged; i++) {
    free(l->log[i].old);
  }
  l->logged = 0; /* every file here lives in the one directory */
  (void)dir;
  return 0;
}

static int lossy_remove(bg_ops *ops, const char *path) {
  lossy *l = (lossy *)ops;
  if (lossy_point(l) != 0) {
    return -1;
  }
  remember(l, path, NULL);
  return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* The power comes back: whatever no directory fsync made durable is gone. */
static void power_cut(lossy *l) {
  for (int i = l->logged - 1; i >= 0; i--) {
    undo *u = &l->log[i];
    if (u->from[0] != '\0') {
      rename(u->path, u->from);
    }
    if (u->old != NULL) {
      FILE *f = fopen(u->path, "wb");
      fwrite(u->old, 1, u->old_len, f);
      fclose(f);
      free(u->old);
    } else {
      unlink(u->path);
    }
  }
  l->logged = 0;
}

/* A file system that loses power at its operation number `at` (from 1); the start under test runs on l->ops. */
static void lossy_init(lossy *l, long at) {
  memset(l, 0, sizeof *l);
  l->ops = (bg_ops){lossy_write, lossy_rename, lossy_sync_dir, lossy_remove};
  l->crash_at = at;
}

/* After the start: 1 when the power was cut at operation `at` (the files put back as they were on disk), 0 when the
 * start finished before reaching it (its undo log freed: nothing to cut). */
static int lossy_cut(lossy *l) {
  if (!l->crashed) {
    for (int i = 0; i < l->logged; i++) {
      free(l->log[i].old);
    }
    return 0;
  }
  power_cut(l);
  return 1;
}

static void crashAtEveryOperation_nextStartFindsTheNewVersionWithACorrectCountOrTheLastKnownGood(void) {
  char dir[300];
  bg_result r;
  int trials = 0;
  for (int64_t counted = 0; counted <= 3; counted++) {
    for (int marker = 0; marker <= 1; marker++) {
      for (long at = 1;; at++) {
        fixture(dir, sizeof dir, "crash", counted);
        if (marker) {
          put_sealed(dir, "clean-shutdown", "ringfence-clean-shutdown v1\nbootId=3\nversion=7\n");
        }
        lossy l;
        lossy_init(&l, at);
        bg_start(&l.ops, dir, 3, &r);
        if (!lossy_cut(&l)) {
          break;
        }
        trials++;
        int code = bg_start(bg_real_ops(), dir, 3, &r);
        /* The crashed start counted or not; this one counts (or not, after a clean shutdown that survived). */
        int trial = code == BG_OK && strcmp(r.action, "TRIAL") == 0 && r.running.version == 7
                    && r.failed_starts >= counted + (marker ? 0 : 1) && r.failed_starts <= counted + 2 && r.failed_starts <= 3;
        int lkg = (code == BG_OK || code == BG_REVERTED) && r.running.slot == 'A' && r.running.version == 6;
        CHECK(trial || lkg, "counted %" PRId64 " marker %d crash at %ld: exit %d %s %" PRId64 ": %s", counted, marker,
              at, code, r.action, r.failed_starts, r.message);
        CHECK(counted < 3 || marker || lkg, "at the limit the next start reverts (crash at %ld)", at);
        bg_state s = read_state(dir);
        CHECK(s.lkg.version == 6 && s.lkg.slot == 'A', "the last-known-good is kept (crash at %ld)", at);
        bg_state_free(&s);
      }
    }
  }
  CHECK(trials >= 60, "only %d crash trials", trials);
  printf("crash model: %d trials, a crash at every file operation of a start\n", trials);
}

/* v7 confirmed in B, in probation until `until` with `failed` counted starts; v6, which it replaced, in A. */
static void probation_fixture(char *dir, size_t cap, const char *label, int64_t failed, int64_t until) {
  fixture(dir, cap, label, 0);
  bg_state s = read_state(dir);
  s.previous = s.lkg;
  s.lkg = s.pending;
  memset(&s.pending, 0, sizeof s.pending);
  s.failed_starts = failed;
  s.probation_until = until;
  write_state_files(dir, &s);
  bg_state_free(&s);
}

static void probationFields_roundTripByteForByte_andComeTogether(void) {
  const char *body = "ringfence-agent-state v1\ngeneration=12\nbootId=5\n"
                     "lastKnownGood=B 7 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 4096\n"
                     "pending=none\nfailedStarts=2\nhighestAccepted=7\nknownBad=3,5\n"
                     "previous=A 6 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 4096\n"
                     "probationUntil=4102444800000\n";
  char text[1024], why[256];
  bg_state s = decode_sealed(body, text, sizeof text);
  CHECK(s.previous.slot == 'A' && s.previous.version == 6 && s.probation_until == INT64_C(4102444800000), "fields");
  check_encodes_back(&s, text);
  /* One without the other is no state a writer makes. */
  const char *half = "ringfence-agent-state v1\ngeneration=1\nbootId=1\nlastKnownGood=none\npending=none\n"
                     "failedStarts=0\nhighestAccepted=-1\nknownBad=\nprobationUntil=5\n";
  seal(half, text, sizeof text);
  CHECK(bg_state_decode((const unsigned char *)text, strlen(text), &s, why, sizeof why) != 0
        && strcmp(why, "probationUntil without previous") == 0, "%s", why);
}

static void probation_countsUncleanStarts_revertsToThePrevious_andEndsOnTime(void) {
  const int64_t now = INT64_C(1767225600000), until = now + 3600000;
  char dir[300];
  bg_result r;
  unsigned char bytes[256];
  probation_fixture(dir, sizeof dir, "probation", 0, until);
  for (int64_t start = 1; start <= 3; start++) {
    CHECK(bg_start_at(bg_real_ops(), dir, 3, now, &r) == BG_OK, "%s", r.message);
    CHECK(strcmp(r.action, "LAST_KNOWN_GOOD") == 0 && r.failed_starts == start && r.running.version == 7, "%s",
          r.message);
  }
  /* A clean shutdown exempts the start after it, also at the limit. */
  CHECK(bg_clean_shutdown(bg_real_ops(), dir, &r) == BG_OK, "%s", r.message);
  CHECK(bg_start_at(bg_real_ops(), dir, 3, now, &r) == BG_OK && r.failed_starts == 3 && r.running.version == 7,
        "%s", r.message);
  CHECK(bg_start_at(bg_real_ops(), dir, 3, now, &r) == BG_REVERTED, "%s", r.message);
  CHECK(strcmp(r.action, "REVERTED") == 0 && r.running.slot == 'A' && r.running.version == 6, "%s", r.message);
  CHECK(strstr(r.message, "crash-looped after confirmation") != NULL, "%s", r.message);
  bg_state s = read_state(dir);
  CHECK(s.lkg.version == 6 && s.previous.slot == 0 && s.known_bad_count == 1 && s.known_bad[0] == 7, "state");
  bg_state_free(&s);
  CHECK(get(dir, "slots/B/content", bytes, sizeof bytes) != (size_t)-1, "the abandoned version's bytes are kept");

  /* At probationUntil the probation is over: not counted, the previous version dropped. */
  probation_fixture(dir, sizeof dir, "probation-ended", 2, until);
  CHECK(bg_start_at(bg_real_ops(), dir, 3, until, &r) == BG_OK && r.failed_starts == 0, "%s", r.message);
  s = read_state(dir);
  CHECK(s.previous.slot == 0 && s.probation_until == 0 && s.failed_starts == 0 && s.lkg.version == 7, "ended");
  bg_state_free(&s);

  /* The previous slot no longer verifies: no revert, v7 keeps running, the probation ends. */
  probation_fixture(dir, sizeof dir, "probation-no-previous", 3, until);
  put(dir, "slots/A/content", "overwritten\n", 12);
  CHECK(bg_start_at(bg_real_ops(), dir, 3, now, &r) == BG_OK, "%s", r.message);
  CHECK(strcmp(r.action, "LAST_KNOWN_GOOD") == 0 && r.running.version == 7, "%s", r.message);
  CHECK(strstr(r.message, "cannot revert") != NULL, "%s", r.message);
  s = read_state(dir);
  CHECK(s.previous.slot == 0 && s.known_bad_count == 0 && s.failed_starts == 0, "probation ended, nothing known-bad");
  bg_state_free(&s);
}

/* The crash model of a start in probation: the probation fields survive every crash, or the revert happened. */
static void crashAtEveryOperationInProbation_keepsTheProbationOrTheRevert(void) {
  const int64_t now = INT64_C(1767225600000), until = now + 3600000;
  char dir[300];
  bg_result r;
  int trials = 0;
  for (int64_t counted = 0; counted <= 3; counted++) {
    for (int marker = 0; marker <= 1; marker++) {
      for (long at = 1;; at++) {
        probation_fixture(dir, sizeof dir, "crash-probation", counted, until);
        if (marker) {
          put_sealed(dir, "clean-shutdown", "ringfence-clean-shutdown v1\nbootId=3\nversion=7\n");
        }
        lossy l;
        lossy_init(&l, at);
        bg_start_at(&l.ops, dir, 3, now, &r);
        if (!lossy_cut(&l)) {
          break;
        }
        trials++;
        int code = bg_start_at(bg_real_ops(), dir, 3, now, &r);
        int guarded = code == BG_OK && strcmp(r.action, "LAST_KNOWN_GOOD") == 0 && r.running.version == 7
                      && r.failed_starts >= counted + (marker ? 0 : 1) && r.failed_starts <= counted + 2
                      && r.failed_starts <= 3;
        int back = (code == BG_OK || code == BG_REVERTED) && r.running.slot == 'A' && r.running.version == 6;
        CHECK(guarded || back, "probation: counted %" PRId64 " marker %d crash at %ld: exit %d %s %" PRId64 ": %s",
              counted, marker, at, code, r.action, r.failed_starts, r.message);
        bg_state s = read_state(dir);
        CHECK((s.lkg.version == 7 && s.previous.slot == 'A' && s.previous.version == 6 && s.probation_until == until)
                  || (s.lkg.version == 6 && s.previous.slot == 0 && s.known_bad_count == 1),
              "probation kept or reverted (crash at %ld): lkg v%" PRId64, at, s.lkg.version);
        bg_state_free(&s);
      }
    }
  }
  CHECK(trials >= 60, "only %d crash trials in probation", trials);
  printf("crash model in probation: %d trials\n", trials);
}

int main(void) {
  snprintf(root, sizeof root, "%s", getenv("BG_TEST_DIR") != NULL ? getenv("BG_TEST_DIR") : "/tmp/bootguard-test");
  mkdir(root, 0755);
  sha256_matchesTheFipsVectors();
  stateEncoding_isTheJavaAgentsByteForByte();
  damagedStates_areRefusedWithTheReason();
  start_countsThreeStarts_thenRevertsAndMarksKnownBad();
  cleanShutdown_keepsTheNextStartFromCounting_once();
  cleanShutdownAtTheLimit_isNotAFailedStart_andDoesNotRevert();
  damagedPendingSlot_revertsAtOnce_andDamagedLastKnownGoodFallsBack();
  missingSlotFiles_areNamed_andTheLastKnownGoodIsKept();
  bothStateCopiesDamaged_startRebuildsFromTheSlots_otherCommandsRefuse();
  confirm_promotesOnlyTheVersionThisBootRuns();
  probationFields_roundTripByteForByte_andComeTogether();
  probation_countsUncleanStarts_revertsToThePrevious_andEndsOnTime();
  crashAtEveryOperationInProbation_keepsTheProbationOrTheRevert();
  crashAtEveryOperation_nextStartFindsTheNewVersionWithACorrectCountOrTheLastKnownGood();
  printf("%d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
