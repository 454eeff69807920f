/* rrfile — the recording directory's two files (docs/REPLAY.md): the manifest (text: format
 * version, the machine's command line, the images' hashes, the drives' copies, how the run
 * ended) and the input log (binary: what the run read from the host, in the order it read it).
 * Parsing never trusts the bytes: every malformed or truncated input is -EINVAL with err_set(). */
#ifndef STRATA_REPLAY_RRFILE_H
#define STRATA_REPLAY_RRFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RRF_VERSION    2 /* 2: stored snapshots (snap lines); 1 is read too */
#define RRF_MANIFEST   "manifest"
#define RRF_LOG	       "input.log"
#define RRF_LOG_MAGIC  "STRRPLG1" /* 8 bytes at the start of the input log */
#define RRF_MAX_ARGS   512
#define RRF_MAX_ARG    4096 /* bytes of one argument */
#define RRF_MAX_IMAGES 8
#define RRF_MAX_DRIVES 8
#define RRF_SHA_LEN    32
#define RRF_MAX_READ   255 /* bytes of one console read */
#define RRF_MAX_SNAPS  100000

/* An image named on the command line (-bios, -kernel, -initrd, -dtb): checked by hash. */
struct rrf_image {
	char opt[16]; /* "-kernel" */
	char *path;   /* as the recorded command line has it (absolute) */
	uint64_t size;
	uint8_t sha[RRF_SHA_LEN];
};

/* A -drive: its contents at the start, copied into the directory. */
struct rrf_drive {
	unsigned slot;
	char file[32]; /* "drive0.img", inside the directory */
	uint64_t size;
	uint8_t sha[RRF_SHA_LEN];
};

/* A stored snapshot (snapfile.h): its instruction count and file inside the directory. */
struct rrf_snap {
	uint64_t insns;
	char file[32]; /* "snap000001.rrs" */
};

/* How the recorded run ended. */
enum rrf_end_kind {
	RRF_END_GUEST,	   /* the guest exited with code */
	RRF_END_MAX_INSNS, /* --max-insns */
	RRF_END_STUCK,
	RRF_END_ERROR,
	RRF_END_STOPPED, /* a signal (code), Ctrl-A x or the debugger: replay stops at insns */
	RRF_END_NKINDS
};

struct rrf_manifest {
	unsigned version;
	int argc;
	char **argv; /* `strata run` options that define the machine (no --record, tracing, gdb) */
	char *cwd;   /* the working directory they were given in */
	struct rrf_image img[RRF_MAX_IMAGES];
	unsigned nimg;
	struct rrf_drive drv[RRF_MAX_DRIVES];
	unsigned ndrv;
	struct rrf_snap *snap; /* increasing instruction counts */
	unsigned nsnap;
	bool ended; /* the end line is there (a run that crashed strata has none) */
	enum rrf_end_kind end_kind;
	int end_code;
	uint64_t end_insns;
};

/* Write m as text; 0 or -errno. */
int rrf_manifest_write(FILE *f, const struct rrf_manifest *m);
/* Parse text[0..len) into m (free with rrf_manifest_free); 0 or -EINVAL with err_set() naming
 * the line. */
int rrf_manifest_parse(const char *text, size_t len, struct rrf_manifest *m);
void rrf_manifest_free(struct rrf_manifest *m);
const char *rrf_end_name(enum rrf_end_kind k);

/* One record of the input log. */
enum rrf_ev_type {
	RRF_EV_READ = 1,  /* console input: len bytes at insns */
	RRF_EV_NONE = 2,  /* count console reads in a row found nothing */
	RRF_EV_EOF = 3,	  /* console input ended at insns */
	RRF_EV_CLOCK = 4, /* --realtime read the host clock: ns */
	RRF_EV_END = 5,	  /* the run ended at insns (the last record) */
};

struct rrf_ev {
	uint8_t type;
	uint64_t insns; /* READ, EOF, END */
	uint64_t count; /* NONE: reads; CLOCK: ns */
	uint8_t len;	/* READ: 1..RRF_MAX_READ */
	uint8_t data[RRF_MAX_READ];
};

/* Largest encoded record. */
#define RRF_EV_MAX (1 + 10 + 1 + RRF_MAX_READ)

/* Encode e at buf (RRF_EV_MAX bytes of room); *last_ns is the previous CLOCK's ns (clock
 * reads are deltas). Returns the bytes written. */
size_t rrf_ev_encode(const struct rrf_ev *e, uint64_t *last_ns, uint8_t *buf);
/* Decode one record from [*p, end), advancing *p: 1, 0 at end, -ENODATA if the bytes end
 * inside it, -EINVAL if malformed. */
int rrf_ev_decode(const uint8_t **p, const uint8_t *end, uint64_t *last_ns, struct rrf_ev *e);
/* Check a whole log (magic, every record well-formed, END last and only last). 0 or -EINVAL
 * with err_set() saying where; *end_insns = END's count. */
int rrf_log_check(const uint8_t *buf, size_t len, uint64_t *end_insns);

/* SHA-256 of a file, its size; 0 or -errno with err_set(). */
int rrf_sha_file(const char *path, uint8_t sha[RRF_SHA_LEN], uint64_t *size);
/* Copy src to dst (created or truncated) while hashing it; 0 or -errno with err_set(). */
int rrf_copy_file(const char *src, const char *dst, uint8_t sha[RRF_SHA_LEN], uint64_t *size);
void rrf_sha_hex(const uint8_t sha[RRF_SHA_LEN], char hex[2 * RRF_SHA_LEN + 1]);

#endif
