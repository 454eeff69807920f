/* viewer — `strata view`: an offline, self-contained HTML viewer of a trace. One pass over the
 * trace through the views' analysis (src/views/analysis.h, tasks.h) collects tracks (one per
 * hart and privilege level, one per async task), slices (function calls, instruction runs, SBI
 * calls and syscalls, task polls), markers (traps, interrupts, wakes), a call tree per track
 * (the flame graph) and the task table (`strata tasks --json`). Slices are cut into tiles of a
 * bounded size, each with a summary, so the page draws the summaries first and parses or loads a
 * tile only when the view is zoomed into it. The page's HTML, CSS and JS are src/viewer/app.*,
 * embedded into the binary (assets.c). The frame buffer of a -machine nemu run (the PPM its
 * --fb-out wrote, named in the trace) is shown too (fb.c). See docs/UI.md. */
#ifndef STRATA_VIEWER_VIEWER_H
#define STRATA_VIEWER_VIEWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct vw_opts {
	const char *trace; /* the trace file */
	const char *out; /* an .html file (everything inline) or a directory (index.html + data/) */
	unsigned tile_slices; /* slices per tile (0: the default) */
	const char *fb; /* a frame PPM to show (NULL: the run's --fb-out file, if it exists) */
};

struct vw_result {
	uint64_t events, slices, markers, tiles, tasks;
	bool truncated;	 /* the trace was cut short */
	char error[512]; /* the trace is corrupt from some offset: what could be read is shown */
	char fb[512];	 /* the frame buffer file the page shows, or "" */
	char fb_note[600]; /* why the trace's --fb-out file is not shown, or "" */
};

/* Write the viewer for o->trace to o->out. 0, or -errno with err_set() (unreadable trace,
 * unwritable output). A corrupt or truncated trace is not an error: the page shows what was
 * read and says why it stops (r->error, r->truncated). */
int vw_write(const struct vw_opts *o, struct vw_result *r);

/* ---- inside src/viewer ---- */

/* The embedded page (assets.c): NUL-terminated. */
extern const char vw_app_html[], vw_app_css[], vw_app_js[];

/* A frame (fb.c): w x h pixels, 3 bytes (R, G, B) each, row by row. */
struct vw_fb {
	const char *path;
	unsigned w, h;
	uint8_t *rgb;
};
/* Read the binary PPM (P6, maxval 255) --fb-out writes. 0, or -errno with err_set(). */
int vw_fb_load(const char *path, struct vw_fb *fb);
void vw_fb_free(struct vw_fb *fb);
/* The frames of path as one JSON object {path, w, h, total, frames: [{n, rgb: base64}]}: path
 * itself, or with a %d (--fb-out's numbered frames) up to VW_FB_MAX_FRAMES of the files that
 * exist from 0 on, evenly spaced, the first and the last among them. 0, or -errno with
 * err_set() (no frame, or one that is not a frame of the others' size). */
#define VW_FB_MAX_FRAMES 64
int vw_fb_json(FILE *f, const char *path);

/* JSON string literal of s (at most n bytes, stops at NUL) to f. */
void vw_json_str(FILE *f, const char *s, size_t n);

struct vw_tiles {
	/* Tile i's JSON text (an object). 0 or -errno. */
	int (*put)(void *ctx, uint64_t i, const char *json, size_t len);
	void *ctx;
};

struct vw_data;
struct ana_names_ops;
struct trace_reader;
/* A collector writing finished tiles through t. NULL + errno. */
struct vw_data *vw_data_new(const struct vw_tiles *t, unsigned tile_slices);
void vw_data_free(struct vw_data *d);
/* Read every event of r through the analysis. 0, or -errno (the reader's corruption error is
 * copied into err and reading stops there: not an error of the collection). */
int vw_data_read(struct vw_data *d, struct trace_reader *r, char *err, size_t errlen);
/* Write the index (everything but the tiles) as one JSON object. 0 or -errno. */
int vw_data_index(struct vw_data *d, struct trace_reader *r, FILE *f, const struct vw_result *res);
void vw_data_counts(const struct vw_data *d, struct vw_result *res);

#endif
