/* The agent's files and its start protocol; docs/bootguard.md has the grammar and the rules. */
#define _POSIX_C_SOURCE 200809L
#include "bootguard.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sha256.h"

#define STATE_HEADER "ringfence-agent-state v1"
#define SLOT_HEADER "ringfence-slot v1"
#define POINTER_HEADER "ringfence-pointer v1"
#define CLEAN_SHUTDOWN_HEADER "ringfence-clean-shutdown v1"
#define CHECKSUM "checksum="
#define MAX_SMALL_FILE (1 << 20) /* a state with ~50,000 known-bad versions; anything larger is not ours */
#define MAX_FIELDS 16
#define PATH_LEN 4096

/* ---- messages ---- */

static void note(bg_result *out, const char *format, ...) {
  size_t used = strlen(out->message);
  if (used + 3 >= sizeof out->message) {
    return;
  }
  if (used > 0) {
    memcpy(out->message + used, "; ", 3);
    used += 2;
  }
  va_list args;
  va_start(args, format);
  vsnprintf(out->message + used, sizeof out->message - used, format, args);
  va_end(args);
}

static void reset(bg_result *out, const char *action) {
  memset(out, 0, sizeof *out);
  out->action = action;
}

/* ---- small files: header, key=value lines, checksum line ---- */

typedef struct {
  char *text; /* the file with NULs at line ends; owned */
  const char *key[MAX_FIELDS];
  const char *value[MAX_FIELDS];
  int count;
} fields;

/* Reads a whole small file: 0 when read, 1 when missing, -1 on another error (errno set). */
static int read_small(const char *path, unsigned char **bytes, size_t *len) {
  FILE *file = fopen(path, "rb");
  if (file == NULL) {
    return errno == ENOENT ? 1 : -1;
  }
  unsigned char *buffer = malloc(MAX_SMALL_FILE + 1);
  size_t n = buffer == NULL ? 0 : fread(buffer, 1, MAX_SMALL_FILE + 1, file);
  int failed = buffer == NULL || ferror(file);
  fclose(file);
  if (failed || n > MAX_SMALL_FILE) {
    free(buffer);
    errno = failed ? EIO : EFBIG;
    return -1;
  }
  *bytes = buffer;
  *len = n;
  return 0;
}

static int decode_fields(const char *header, const unsigned char *bytes, size_t len, fields *f, char *why,
                         size_t why_len) {
  memset(f, 0, sizeof *f);
  for (size_t i = 0; i < len; i++) {
    if (bytes[i] == '\0' || bytes[i] >= 0x80) { /* every format is ASCII */
      snprintf(why, why_len, "holds a %s byte at offset %zu", bytes[i] == 0 ? "NUL" : "non-ASCII", i);
      return -1;
    }
  }
  size_t mark = len;
  for (size_t i = len; i-- > 0;) { /* the last "checksum=", as the Java agent's lastIndexOf */
    if (len - i >= sizeof CHECKSUM - 1 && memcmp(bytes + i, CHECKSUM, sizeof CHECKSUM - 1) == 0) {
      mark = i;
      break;
    }
  }
  if (mark == len || len == 0 || bytes[len - 1] != '\n' || mark == 0 || bytes[mark - 1] != '\n') {
    snprintf(why, why_len, "no checksum line (torn or truncated)");
    return -1;
  }
  char expected[65];
  sha256_hex(bytes, mark, expected);
  size_t given = len - 1 - (mark + sizeof CHECKSUM - 1);
  if (given != 64 || memcmp(bytes + mark + sizeof CHECKSUM - 1, expected, 64) != 0) {
    snprintf(why, why_len, "checksum mismatch");
    return -1;
  }
  f->text = malloc(mark + 1);
  if (f->text == NULL) {
    snprintf(why, why_len, "out of memory");
    return -1;
  }
  memcpy(f->text, bytes, mark);
  f->text[mark] = '\0';
  char *line = f->text;
  for (int number = 1; *line != '\0'; number++) {
    char *end = strchr(line, '\n');
    *end = '\0';
    if (number == 1 && strcmp(line, header) != 0) {
      snprintf(why, why_len, "header is '%.64s', expected '%s'", line, header);
      return -1;
    }
    if (number > 1) {
      char *eq = strchr(line, '=');
      if (eq == NULL || eq == line) {
        snprintf(why, why_len, "line %d is not key=value", number);
        return -1;
      }
      *eq = '\0';
      for (int i = 0; i < f->count; i++) {
        if (strcmp(f->key[i], line) == 0) {
          snprintf(why, why_len, "field '%.64s' appears twice", line);
          return -1;
        }
      }
      if (f->count == MAX_FIELDS) {
        snprintf(why, why_len, "more than %d fields", MAX_FIELDS);
        return -1;
      }
      f->key[f->count] = line;
      f->value[f->count++] = eq + 1;
    }
    line = end + 1;
  }
  return 0;
}

static const char *field(const fields *f, const char *key, char *why, size_t why_len) {
  for (int i = 0; i < f->count; i++) {
    if (strcmp(f->key[i], key) == 0) {
      return f->value[i];
    }
  }
  snprintf(why, why_len, "field '%s' is missing", key);
  return NULL;
}

/* A decimal long as Long.toString writes it: an optional '-', then digits; 0 when valid. */
static int parse_i64(const char *text, int64_t *out) {
  const char *p = text;
  int negative = *p == '-';
  p += negative;
  if (*p == '\0' || strlen(p) > 19) {
    return -1;
  }
  uint64_t value = 0;
  for (; *p != '\0'; p++) {
    if (*p < '0' || *p > '9') {
      return -1;
    }
    value = value * 10 + (uint64_t)(*p - '0');
  }
  if (value > (uint64_t)INT64_MAX + (uint64_t)negative) {
    return -1;
  }
  *out = negative ? (value == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)value) : (int64_t)value;
  return 0;
}

static int long_field(const fields *f, const char *key, int64_t *out, char *why, size_t why_len) {
  const char *value = field(f, key, why, why_len);
  if (value == NULL) {
    return -1;
  }
  if (parse_i64(value, out) != 0) {
    snprintf(why, why_len, "field '%s' is '%.32s', not a number", key, value);
    return -1;
  }
  return 0;
}

static int is_sha256_hex(const char *text) {
  if (strlen(text) != 64) {
    return 0;
  }
  for (const char *p = text; *p != '\0'; p++) {
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) {
      return 0;
    }
  }
  return 1;
}

/* "A 6 <sha256> 4096" or "none" */
static int decode_content(const char *text, bg_content *out, char *why, size_t why_len) {
  memset(out, 0, sizeof *out);
  if (strcmp(text, "none") == 0) {
    return 0;
  }
  char version[24], sha[66], size[24];
  int slot_ok = (text[0] == 'A' || text[0] == 'B') && text[1] == ' ';
  const char *p = slot_ok ? text + 2 : text;
  const char *s1 = strchr(p, ' ');
  const char *s2 = s1 == NULL ? NULL : strchr(s1 + 1, ' ');
  if (!slot_ok || s2 == NULL || strchr(s2 + 1, ' ') != NULL
      || (size_t)(s1 - p) >= sizeof version || (size_t)(s2 - s1 - 1) >= sizeof sha || strlen(s2 + 1) >= sizeof size) {
    snprintf(why, why_len, "slot reference '%.100s' is malformed", text);
    return -1;
  }
  memcpy(version, p, (size_t)(s1 - p));
  version[s1 - p] = '\0';
  memcpy(sha, s1 + 1, (size_t)(s2 - s1 - 1));
  sha[s2 - s1 - 1] = '\0';
  strcpy(size, s2 + 1);
  if (!is_sha256_hex(sha) || parse_i64(version, &out->version) != 0 || parse_i64(size, &out->size) != 0) {
    snprintf(why, why_len, "slot reference '%.100s' is malformed", text);
    return -1;
  }
  if (out->version < 0 || out->size < 0) {
    snprintf(why, why_len, "slot reference '%.100s': %s is negative", text, out->version < 0 ? "version" : "size");
    return -1;
  }
  out->slot = text[0];
  memcpy(out->sha256, sha, 65);
  return 0;
}

static int add_known_bad(bg_state *state, int64_t version) {
  size_t at = 0;
  while (at < state->known_bad_count && state->known_bad[at] < version) {
    at++;
  }
  if (at < state->known_bad_count && state->known_bad[at] == version) {
    return 0;
  }
  int64_t *grown = realloc(state->known_bad, (state->known_bad_count + 1) * sizeof *grown);
  if (grown == NULL) {
    return -1;
  }
  memmove(grown + at + 1, grown + at, (state->known_bad_count - at) * sizeof *grown);
  grown[at] = version;
  state->known_bad = grown;
  state->known_bad_count++;
  return 0;
}

void bg_state_free(bg_state *state) {
  free(state->known_bad);
  state->known_bad = NULL;
  state->known_bad_count = 0;
}

int bg_state_decode(const unsigned char *bytes, size_t len, bg_state *state, char *why, size_t why_len) {
  memset(state, 0, sizeof *state);
  fields f;
  int result = -1;
  const char *lkg, *pending, *bad;
  if (decode_fields(STATE_HEADER, bytes, len, &f, why, why_len) != 0
      || long_field(&f, "generation", &state->generation, why, why_len) != 0
      || long_field(&f, "bootId", &state->boot_id, why, why_len) != 0
      || (lkg = field(&f, "lastKnownGood", why, why_len)) == NULL
      || (pending = field(&f, "pending", why, why_len)) == NULL
      || long_field(&f, "failedStarts", &state->failed_starts, why, why_len) != 0
      || long_field(&f, "highestAccepted", &state->highest_accepted, why, why_len) != 0
      || (bad = field(&f, "knownBad", why, why_len)) == NULL
      || decode_content(lkg, &state->lkg, why, why_len) != 0
      || decode_content(pending, &state->pending, why, why_len) != 0) {
    goto done;
  }
  for (const char *item = bad; *bad != '\0';) {
    const char *comma = strchr(item, ',');
    size_t n = comma == NULL ? strlen(item) : (size_t)(comma - item);
    char number[24];
    int64_t version;
    memcpy(number, item, n < sizeof number ? n : sizeof number - 1);
    number[n < sizeof number ? n : sizeof number - 1] = '\0';
    if (n >= sizeof number || parse_i64(number, &version) != 0) {
      snprintf(why, why_len, "knownBad entry '%.24s' is not a number", number);
      goto done;
    }
    if (version < 0) {
      snprintf(why, why_len, "knownBad entry %" PRId64 " is negative", version);
      goto done;
    }
    if (add_known_bad(state, version) != 0) {
      snprintf(why, why_len, "out of memory");
      goto done;
    }
    if (comma == NULL) {
      break;
    }
    item = comma + 1;
  }
  /* previous and probationUntil: appended while a probation runs, together or not at all; absent, none. */
  const char *previous = field(&f, "previous", why, why_len);
  int has_until = field(&f, "probationUntil", why, why_len) != NULL;
  if ((previous == NULL) != !has_until) {
    snprintf(why, why_len, "%s", previous == NULL ? "probationUntil without previous" : "previous without probationUntil");
    goto done;
  }
  if (previous != NULL && (decode_content(previous, &state->previous, why, why_len) != 0
                           || long_field(&f, "probationUntil", &state->probation_until, why, why_len) != 0)) {
    goto done;
  }
  if (state->previous.slot == 0 || state->pending.slot != 0) { /* no probation while a version is on trial */
    memset(&state->previous, 0, sizeof state->previous);
    state->probation_until = 0;
  }
  if (state->probation_until < 0) {
    snprintf(why, why_len, "probationUntil %" PRId64 " is negative", state->probation_until);
  } else if (state->failed_starts < 0 || state->failed_starts > INT32_MAX) {
    snprintf(why, why_len, "failedStarts %" PRId64 " is out of range", state->failed_starts);
  } else if (state->generation < 0) {
    snprintf(why, why_len, "generation %" PRId64 " is negative", state->generation);
  } else if (state->boot_id < 0 || state->boot_id > BG_MAX_COUNTER) {
    snprintf(why, why_len, "bootId %" PRId64 " is outside 0..%" PRId64, state->boot_id, BG_MAX_COUNTER);
  } else if (state->highest_accepted < -1) {
    snprintf(why, why_len, "highestAccepted %" PRId64 " is below -1", state->highest_accepted);
  } else {
    result = 0;
  }
done:
  free(f.text);
  if (result != 0) {
    bg_state_free(state);
  }
  return result;
}

/* The body and checksum line of a small file, as ChecksummedText.encode writes it. */
static unsigned char *seal(char *body, size_t used, size_t *len) {
  char hex[65];
  sha256_hex(body, used, hex);
  used += (size_t)sprintf(body + used, CHECKSUM "%s\n", hex);
  *len = used;
  return (unsigned char *)body;
}

static size_t put_content(char *at, const bg_content *c) {
  return c->slot == 0 ? (size_t)sprintf(at, "none\n")
                      : (size_t)sprintf(at, "%c %" PRId64 " %s %" PRId64 "\n", c->slot, c->version, c->sha256, c->size);
}

unsigned char *bg_state_encode(const bg_state *s, size_t *len) {
  char *body = malloc(1536 + 21 * s->known_bad_count);
  if (body == NULL) {
    return NULL;
  }
  size_t used = (size_t)sprintf(body, STATE_HEADER "\ngeneration=%" PRId64 "\nbootId=%" PRId64 "\nlastKnownGood=",
                                s->generation, s->boot_id);
  used += put_content(body + used, &s->lkg);
  used += (size_t)sprintf(body + used, "pending=");
  used += put_content(body + used, &s->pending);
  used += (size_t)sprintf(body + used, "failedStarts=%" PRId64 "\nhighestAccepted=%" PRId64 "\nknownBad=",
                          s->failed_starts, s->highest_accepted);
  for (size_t i = 0; i < s->known_bad_count; i++) {
    used += (size_t)sprintf(body + used, i == 0 ? "%" PRId64 : ",%" PRId64, s->known_bad[i]);
  }
  body[used++] = '\n';
  if (s->previous.slot != 0) { /* appended only while a probation runs, as the Java agent writes it */
    used += (size_t)sprintf(body + used, "previous=");
    used += put_content(body + used, &s->previous);
    used += (size_t)sprintf(body + used, "probationUntil=%" PRId64 "\n", s->probation_until);
  }
  return seal(body, used, len);
}

/* ---- paths and atomic writes ---- */

static int path_of(char out[PATH_LEN], const char *dir, const char *name) {
  return snprintf(out, PATH_LEN, "%s/%s", dir, name) < PATH_LEN ? 0 : -1;
}

/* temp file, fsync, atomic rename, directory fsync: the Java agent's AtomicFiles.replace */
static int replace(bg_ops *ops, const char *dir, const char *name, const unsigned char *data, size_t len) {
  char target[PATH_LEN], temp[PATH_LEN + 8];
  path_of(target, dir, name);
  snprintf(temp, sizeof temp, "%s.tmp", target);
  if (ops->write_file(ops, temp, data, len) != 0) {
    int saved = errno;
    ops->remove_file(ops, temp); /* a full disk leaves a partial temp file; never read, but free the space */
    errno = saved;
    return -1;
  }
  return ops->rename_file(ops, temp, target) != 0 || ops->sync_dir(ops, dir) != 0 ? -1 : 0;
}

static int write_state(bg_ops *ops, const char *dir, bg_state *state) {
  state->generation++;
  size_t len;
  unsigned char *bytes = bg_state_encode(state, &len);
  if (bytes == NULL) {
    errno = ENOMEM;
    return -1;
  }
  int result = replace(ops, dir, "state", bytes, len) != 0 || replace(ops, dir, "state.bak", bytes, len) != 0 ? -1 : 0;
  free(bytes);
  return result;
}

static int point_to(bg_ops *ops, const char *dir, const bg_content *c) {
  char body[256];
  size_t used = c->slot == 0 ? (size_t)sprintf(body, POINTER_HEADER "\nslot=none\nversion=-1\n")
                             : (size_t)sprintf(body, POINTER_HEADER "\nslot=%c\nversion=%" PRId64 "\n", c->slot, c->version);
  size_t len;
  unsigned char *bytes = seal(body, used, &len);
  return replace(ops, dir, "active", bytes, len);
}

/* ---- reading the directory ---- */

/* Reads one state copy: 0 valid, 1 missing, -1 damaged (the reason noted). */
static int read_state(const char *dir, const char *name, bg_state *state, bg_result *out) {
  char path[PATH_LEN], why[256];
  unsigned char *bytes = NULL;
  size_t len = 0;
  path_of(path, dir, name);
  int read = read_small(path, &bytes, &len);
  if (read == 1) {
    return 1;
  }
  if (read != 0) {
    note(out, "%s is unreadable (%s)", name, strerror(errno));
    return -1;
  }
  int decoded = bg_state_decode(bytes, len, state, why, sizeof why);
  free(bytes);
  if (decoded != 0) {
    note(out, "%s is unreadable (%s)", name, why);
    return -1;
  }
  return 0;
}

/*
 * Whether a slot holds verified content: its manifest passes its checksum and the content matches it. When it
 * does not, why names the file that is missing or wrong.
 */
static int read_verified_slot(const char *dir, char slot, bg_content *out, char *why, size_t why_len) {
  char path[PATH_LEN], name[32], reason[256] = "";
  unsigned char *bytes = NULL;
  size_t len = 0;
  fields f;
  int ok = 0;
  memset(&f, 0, sizeof f);
  memset(out, 0, sizeof *out);
  sprintf(name, "slots/%c/manifest", slot);
  path_of(path, dir, name);
  int read = read_small(path, &bytes, &len);
  const char *sha = NULL;
  if (read != 0) {
    snprintf(reason, sizeof reason, "%s", read == 1 ? "is missing" : strerror(errno));
  } else if (decode_fields(SLOT_HEADER, bytes, len, &f, reason, sizeof reason) == 0
             && (sha = field(&f, "sha256", reason, sizeof reason)) != NULL
             && long_field(&f, "version", &out->version, reason, sizeof reason) == 0
             && long_field(&f, "size", &out->size, reason, sizeof reason) == 0) {
    if (out->version < 0 || out->size < 0 || strlen(sha) != 64) {
      snprintf(reason, sizeof reason, "names no valid version, size and digest");
    } else {
      memcpy(out->sha256, sha, 65);
      out->slot = slot;
      sprintf(name, "slots/%c/content", slot);
      path_of(path, dir, name);
      FILE *content = fopen(path, "rb");
      unsigned char *chunk = malloc(64 * 1024);
      if (content == NULL || chunk == NULL) {
        snprintf(reason, sizeof reason, "%s", content == NULL && errno == ENOENT ? "is missing" : strerror(errno));
      } else {
        sha256_ctx ctx;
        size_t n;
        int64_t total = 0;
        sha256_init(&ctx);
        while ((n = fread(chunk, 1, 64 * 1024, content)) > 0) {
          sha256_update(&ctx, chunk, n);
          total += (int64_t)n;
        }
        char hex[65];
        sha256_final_hex(&ctx, hex);
        ok = !ferror(content) && total == out->size && strcmp(hex, out->sha256) == 0;
        snprintf(reason, sizeof reason, "does not match its manifest (%" PRId64 " bytes)", total);
      }
      if (content != NULL) {
        fclose(content);
      }
      free(chunk);
    }
  }
  if (!ok) {
    snprintf(why, why_len, "%s %s", name, reason);
  }
  free(f.text);
  free(bytes);
  return ok;
}

static int same_content(const bg_content *a, const bg_content *b) {
  return a->slot == b->slot && a->version == b->version && a->size == b->size && strcmp(a->sha256, b->sha256) == 0;
}

/* Whether the slot still holds exactly c; why says what is wrong when it does not. */
static int verify(const char *dir, const bg_content *c, char *why, size_t why_len) {
  bg_content found;
  if (!read_verified_slot(dir, c->slot, &found, why, why_len)) {
    return 0;
  }
  snprintf(why, why_len, "slots/%c holds v%" PRId64 " (sha256 %.12s..., %" PRId64 " bytes), not what the state names",
           c->slot, found.version, found.sha256, found.size);
  return same_content(&found, c);
}

static int is_known_bad(const bg_state *state, int64_t version) {
  for (size_t i = 0; i < state->known_bad_count; i++) {
    if (state->known_bad[i] == version) {
      return 1;
    }
  }
  return 0;
}

/*
 * The valid copy with the higher generation; a fresh state when neither exists and no slot holds content. A copy
 * that exists but is not valid is noted in out and counted in *damaged.
 */
/*
 * Reads the state: the valid copy with the higher generation. Without one, a start (rebuild set) rebuilds it from the
 * slots as the Java agent does (SlotStore.load): the oldest verified slot was a last-known-good once, so it is the
 * safe choice, and nothing older than the newest slot is accepted again; with no verified slot either it starts with
 * no content. Refusing instead would stop the host's consumer, and the Java agent in it, from ever starting. Other
 * commands (rebuild clear) refuse with BG_DAMAGED and write nothing.
 */
static int load(const char *dir, bg_state *state, bg_result *out, int *damaged, int rebuild) {
  bg_state primary, backup;
  int p = read_state(dir, "state", &primary, out);
  int b = read_state(dir, "state.bak", &backup, out);
  *damaged = (p < 0) + (b < 0);
  if (p == 0 && (b != 0 || primary.generation >= backup.generation)) {
    *state = primary;
    if (b == 0) {
      bg_state_free(&backup);
    }
    return BG_OK;
  }
  if (b == 0) {
    *state = backup;
    if (p == 0) {
      bg_state_free(&primary);
    }
    return BG_OK;
  }
  memset(state, 0, sizeof *state);
  state->highest_accepted = -1;
  bg_content slots[2];
  int verified = 0;
  char why[PATH_LEN];
  for (const char *s = "AB"; *s != '\0'; s++) {
    if (read_verified_slot(dir, *s, &slots[verified], why, sizeof why)) {
      verified++;
    }
  }
  if (verified > 0 && !rebuild) {
    note(out, "state and state.bak are missing but slot %c holds v%" PRId64 "; only a start rebuilds a state from "
         "the slots: refused, nothing written", slots[0].slot, slots[0].version);
    return BG_DAMAGED;
  }
  if (verified > 0) {
    /* Ties go to slot A, as the Java agent's stable sort by version leaves them. */
    int oldest = verified == 2 && slots[1].version < slots[0].version ? 1 : 0;
    state->lkg = slots[oldest];
    state->highest_accepted = slots[verified == 2 && slots[1].version > slots[0].version ? 1 : 0].version;
    note(out, "state file missing or corrupt in both copies: rebuilt from the slots, running v%" PRId64
         " from slot %c as last-known-good", state->lkg.version, state->lkg.slot);
    (*damaged)++;
    return BG_OK;
  }
  if (p < 0 || b < 0) {
    if (!rebuild) {
      note(out, "no valid copy of the state: refused, nothing written or deleted");
      return BG_DAMAGED;
    }
    note(out, "no slot holds verified content either: starting with no content");
    return BG_OK; /* damaged counts the unreadable copies already */
  }
  return BG_OK; /* a new host: nothing activated yet */
}

/* Loads the state for a command other than onStart: the result starts REFUSED, damage is noted in out. */
static int load_refused(const char *dir, bg_state *state, bg_result *out) {
  reset(out, "REFUSED");
  int damaged;
  return load(dir, state, out, &damaged, 0);
}

/*
 * The boot id the clean-shutdown marker names; -1 when missing or not valid. Like the Java agent, a start removes
 * only a valid marker: one it cannot read is ignored and left for the next clean shutdown to replace.
 */
static int64_t read_clean_shutdown(const char *dir) {
  char path[PATH_LEN], why[256];
  unsigned char *bytes = NULL;
  size_t len = 0;
  fields f;
  int64_t boot = -1;
  memset(&f, 0, sizeof f);
  path_of(path, dir, "clean-shutdown");
  int read = read_small(path, &bytes, &len);
  if (read == 0 && decode_fields(CLEAN_SHUTDOWN_HEADER, bytes, len, &f, why, sizeof why) == 0
      && (long_field(&f, "bootId", &boot, why, sizeof why) != 0 || boot < 0 || boot > BG_MAX_COUNTER)) {
    boot = -1;
  }
  free(f.text);
  free(bytes);
  return read == 0 ? boot : -1;
}

/* ---- the commands ---- */

static void back_on(const bg_state *s, bg_result *out) {
  if (s->lkg.slot == 0) {
    note(out, "no last-known-good: running without content");
  } else {
    note(out, "back on last-known-good v%" PRId64, s->lkg.version);
  }
}

int bg_start(bg_ops *ops, const char *dir, int64_t max_failed_starts, bg_result *out) {
  time_t now = time(NULL); /* a clock set back only lengthens a probation; one set forward ends it early */
  return bg_start_at(ops, dir, max_failed_starts, now == (time_t)-1 ? 0 : (int64_t)now * 1000, out);
}

static void end_probation(bg_state *s) {
  memset(&s->previous, 0, sizeof s->previous);
  s->probation_until = 0;
}

int bg_start_at(bg_ops *ops, const char *dir, int64_t max_failed_starts, int64_t now_millis, bg_result *out) {
  reset(out, "REFUSED");
  bg_state s;
  int damaged;
  int loaded = load(dir, &s, out, &damaged, 1);
  if (loaded != BG_OK) {
    return loaded;
  }
  int64_t marker = read_clean_shutdown(dir);
  int clean = marker >= 0 && marker == s.boot_id;
  bg_content lkg_before = s.lkg;
  s.boot_id = (s.boot_id + 1) & BG_MAX_COUNTER;

  char why[PATH_LEN], other_why[PATH_LEN];
  if (s.lkg.slot != 0 && !verify(dir, &s.lkg, why, sizeof why)) {
    bg_content other;
    char slot = s.lkg.slot == 'A' ? 'B' : 'A';
    /* As the Java agent: content that passed the validator once (at most the highest version accepted; a version
       staged there whose validation never finished is above it), and in a probation the very content it replaced. */
    int usable = read_verified_slot(dir, slot, &other, other_why, sizeof other_why)
                 && (s.pending.slot == 0 || s.pending.slot != slot) && !is_known_bad(&s, other.version)
                 && other.version <= s.highest_accepted
                 && (s.previous.slot == 0
                     || (other.version == s.previous.version && strcmp(other.sha256, s.previous.sha256) == 0));
    note(out, "last-known-good v%" PRId64 " in slot %c is damaged (%s); %s", s.lkg.version, s.lkg.slot, why,
         usable ? "falling back to the other slot" : "no other verified slot holds an accepted version");
    damaged++;
    memset(&s.lkg, 0, sizeof s.lkg);
    end_probation(&s); /* as the Java agent: the last-known-good changed, so the probation is over */
    if (s.pending.slot == 0) {
      s.failed_starts = 0; /* the counter was the probation's */
    }
    if (usable) {
      s.lkg = other;
    }
  }
  int code = BG_OK;
  bg_content pending = s.pending;
  int64_t abandoned = pending.version;
  int probation = s.previous.slot != 0 && s.lkg.slot != 0;
  if (pending.slot != 0 && pending.slot == s.lkg.slot) {
    note(out, "pending v%" PRId64 " names slot %c, the last-known-good's", pending.version, pending.slot);
    code = BG_REVERTED;
  } else if (pending.slot != 0 && !verify(dir, &pending, why, sizeof why)) {
    note(out, "pending v%" PRId64 " in slot %c is damaged (%s)", pending.version, pending.slot, why);
    code = BG_REVERTED;
  } else if (pending.slot != 0 && !clean && s.failed_starts >= max_failed_starts) {
    note(out, "v%" PRId64 " failed %" PRId64 " starts without a confirmation", pending.version, max_failed_starts);
    code = BG_REVERTED;
  } else if (pending.slot != 0 && clean) {
    out->action = "TRIAL";
    note(out, "v%" PRId64 " on trial after a clean shutdown, not counted: still %" PRId64 " of %" PRId64
         " failed starts", pending.version, s.failed_starts, max_failed_starts);
  } else if (pending.slot != 0) {
    s.failed_starts++;
    out->action = "TRIAL";
    note(out, "v%" PRId64 " on trial, start %" PRId64 " of %" PRId64, pending.version, s.failed_starts,
         max_failed_starts);
  } else if (probation && now_millis >= s.probation_until) {
    out->action = "LAST_KNOWN_GOOD";
    note(out, "running last-known-good v%" PRId64 "; its probation ended, previous v%" PRId64 " is no longer guarded",
         s.lkg.version, s.previous.version);
    end_probation(&s);
    s.failed_starts = 0;
  } else if (probation && clean) {
    out->action = "LAST_KNOWN_GOOD";
    note(out, "running last-known-good v%" PRId64 " in probation after a clean shutdown, not counted: still %" PRId64
         " of %" PRId64 " failed starts", s.lkg.version, s.failed_starts, max_failed_starts);
  } else if (probation && s.failed_starts >= max_failed_starts) {
    note(out, "v%" PRId64 " crash-looped after confirmation: %" PRId64 " starts in probation did not follow a clean "
         "shutdown", s.lkg.version, max_failed_starts);
    if (s.previous.slot != s.lkg.slot && !is_known_bad(&s, s.previous.version) && verify(dir, &s.previous, why, sizeof why)) {
      abandoned = s.lkg.version;
      s.lkg = s.previous;
      code = BG_REVERTED;
    } else {
      out->action = "LAST_KNOWN_GOOD";
      note(out, "but previous v%" PRId64 " in slot %c no longer verifies: cannot revert, still running v%" PRId64
           "; probation ended", s.previous.version, s.previous.slot, s.lkg.version);
      s.failed_starts = 0;
    }
    end_probation(&s);
  } else if (probation) {
    s.failed_starts++;
    out->action = "LAST_KNOWN_GOOD";
    note(out, "running last-known-good v%" PRId64 " in probation, start %" PRId64 " of %" PRId64, s.lkg.version,
         s.failed_starts, max_failed_starts);
  } else {
    out->action = s.lkg.slot == 0 ? "NO_CONTENT" : "LAST_KNOWN_GOOD";
    note(out, s.lkg.slot == 0 ? "no content activated yet" : "running last-known-good");
    if (s.previous.slot != 0) { /* a previous version without a last-known-good: nothing to guard */
      end_probation(&s);
      s.failed_starts = 0;
    }
  }
  if (code == BG_OK && damaged > 0) {
    out->action = "RECOVERED"; /* as the Java agent says: this start repaired around damage it found */
  }
  if (code == BG_REVERTED) {
    out->action = "REVERTED";
    memset(&s.pending, 0, sizeof s.pending);
    s.failed_starts = 0;
    back_on(&s, out);
    note(out, "v%" PRId64 " marked known-bad", abandoned);
    if (add_known_bad(&s, abandoned) != 0) {
      bg_state_free(&s);
      note(out, "out of memory");
      return BG_IO;
    }
  }
  out->running = s.pending.slot != 0 ? s.pending : s.lkg;
  if (write_state(ops, dir, &s) != 0) {
    /* An uncounted trial start could loop forever: this boot runs the last-known-good, the disk keeps the old state. */
    note(out, "cannot write the state file (%s): running the last-known-good for this boot", strerror(errno));
    out->action = lkg_before.slot == 0 ? "NO_CONTENT" : "LAST_KNOWN_GOOD";
    out->running = lkg_before;
    code = BG_IO;
  } else if (marker >= 0) {
    char path[PATH_LEN];
    path_of(path, dir, "clean-shutdown");
    /* After the state: a kill in between leaves a marker of an older boot, which the next start ignores. */
    if (ops->remove_file(ops, path) != 0 || ops->sync_dir(ops, dir) != 0) {
      note(out, "clean-shutdown marker not removed (%s), it is stale now", strerror(errno));
    }
  }
  out->failed_starts = code == BG_OK ? s.failed_starts : 0;
  if (point_to(ops, dir, &out->running) != 0) {
    note(out, "pointer not updated (%s); it is rewritten from the state at the next start", strerror(errno));
    code = code == BG_OK ? BG_IO : code;
  }
  bg_state_free(&s);
  return code;
}

/* The slot the pointer names, 0 for none or when it is unreadable. */
static char read_pointer(const char *dir, int64_t *version) {
  char path[PATH_LEN], why[256];
  unsigned char *bytes = NULL;
  size_t len = 0;
  fields f;
  char slot = 0;
  const char *text;
  memset(&f, 0, sizeof f);
  path_of(path, dir, "active");
  if (read_small(path, &bytes, &len) == 0 && decode_fields(POINTER_HEADER, bytes, len, &f, why, sizeof why) == 0
      && (text = field(&f, "slot", why, sizeof why)) != NULL && (strcmp(text, "A") == 0 || strcmp(text, "B") == 0)
      && long_field(&f, "version", version, why, sizeof why) == 0) {
    slot = text[0];
  }
  free(f.text);
  free(bytes);
  return slot;
}

int bg_confirm(bg_ops *ops, const char *dir, bg_result *out) {
  bg_state s;
  int code = load_refused(dir, &s, out);
  if (code != BG_OK) {
    return code;
  }
  int64_t version = -1;
  char slot = read_pointer(dir, &version);
  if (s.pending.slot == 0 || slot != s.pending.slot || version != s.pending.version) {
    if (s.pending.slot == 0) {
      note(out, "no version is on trial");
    } else {
      note(out, "v%" PRId64 " is on trial but the pointer names other content: this boot does not run it",
           s.pending.version);
    }
    out->running = s.lkg;
    bg_state_free(&s);
    return BG_NOTHING_PENDING;
  }
  s.lkg = s.pending;
  memset(&s.pending, 0, sizeof s.pending);
  s.failed_starts = 0;
  out->running = s.lkg;
  if (write_state(ops, dir, &s) != 0) {
    note(out, "cannot record v%" PRId64 " as healthy (%s); it stays on trial", s.lkg.version, strerror(errno));
    code = BG_IO;
  } else {
    out->action = "CONFIRMED";
    note(out, "v%" PRId64 " is now the last-known-good", s.lkg.version);
  }
  bg_state_free(&s);
  return code;
}

int bg_clean_shutdown(bg_ops *ops, const char *dir, bg_result *out) {
  bg_state s;
  int code = load_refused(dir, &s, out);
  if (code != BG_OK) {
    return code;
  }
  char body[256];
  int64_t version = 0;
  char slot = read_pointer(dir, &version);
  size_t len, used = (size_t)sprintf(body, CLEAN_SHUTDOWN_HEADER "\nbootId=%" PRId64 "\nversion=%" PRId64 "\n",
                                     s.boot_id, slot == 0 ? 0 : version);
  unsigned char *bytes = seal(body, used, &len);
  if (replace(ops, dir, "clean-shutdown", bytes, len) != 0) {
    note(out, "cannot write the clean-shutdown marker (%s); the next start counts as any other", strerror(errno));
    code = BG_IO;
  } else {
    out->action = "CLEAN_SHUTDOWN";
    note(out, "boot %" PRId64 " ended cleanly; the next start is not counted", s.boot_id);
  }
  bg_state_free(&s);
  return code;
}

int bg_status(const char *dir, bg_state *state, bg_result *out) {
  int code = load_refused(dir, state, out);
  if (code == BG_OK) {
    out->action = "STATUS";
    out->running = state->pending.slot != 0 ? state->pending : state->lkg;
    out->failed_starts = state->failed_starts;
  }
  return code;
}
