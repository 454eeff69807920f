/* chrome — Chrome's JSON trace event format (chrome://tracing, Perfetto UI, speedscope) for small
 * traces: pid = hart, tid = privilege (U address spaces after the first: 1000 + number),
 * ts in microseconds (1 instruction = 1 ns). */
#include "views/view.h"
#include "views/vmap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

struct chrome {
	FILE *out;
	struct vmap *tracks; /* threads already named */
	bool first;
	struct view_opts o;
};

static void *chrome_begin(FILE *out, const struct view_opts *o)
{
	struct chrome *c = calloc(1, sizeof(*c));
	if (!c || !(c->tracks = vmap_new(1))) {
		free(c);
		return NULL;
	}
	c->out = out;
	c->o = *o;
	c->first = true;
	fputs("{\"traceEvents\":[", out);
	return c;
}

static void str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = *s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static unsigned tid_of(const struct ana_ev *e)
{
	/* one thread per U address space, and per guest and guest address space (H) */
	if (e->priv == TEV_U && e->space)
		return 1000 + e->space;
	return tev_level_virt(e->priv) && e->space ? 1000u * e->priv + e->space : e->priv;
}

/* Start one event object: {"ph":..,"ts":..,"pid":..,"tid":.., */
static void head(struct chrome *c, const char *ph, const struct ana_ev *e)
{
	fprintf(c->out, "%s\n{\"ph\":\"%s\",\"ts\":%" PRIu64 ".%03u,\"pid\":%u,\"tid\":%u,",
		c->first ? "" : ",", ph, e->time / 1000, (unsigned)(e->time % 1000), e->hart,
		tid_of(e));
	c->first = false;
}

static int name_track(struct chrome *c, const struct ana_ev *e)
{
	unsigned key[2] = {e->hart, tid_of(e)};
	bool created;
	if (!vmap_get(c->tracks, key, sizeof(key), &created))
		return -ENOMEM;
	if (!created)
		return 0;
	fprintf(c->out, "%s\n{\"ph\":\"M\",\"pid\":%u,\"tid\":%u,\"name\":\"thread_name\",",
		c->first ? "" : ",", e->hart, tid_of(e));
	char name[96];
	fprintf(c->out, "\"args\":{\"name\":\"%s\"}}",
		ana_track_name(e->hart, e->priv, e->space, e->satp, e->hgatp, ' ', name,
			       sizeof(name)));
	fprintf(c->out,
		",\n{\"ph\":\"M\",\"pid\":%u,\"name\":\"process_name\","
		"\"args\":{\"name\":\"hart%u\"}}",
		e->hart, e->hart);
	c->first = false;
	return 0;
}

static int chrome_event(void *v, const struct ana_ev *e)
{
	struct chrome *c = v;
	FILE *f = c->out;
	const struct tev *ev = e->ev;
	const char *line;
	if (e->kind == ANA_INSN || e->kind == ANA_MEM)
		return 0; /* too many for a JSON trace */
	if (name_track(c, e))
		return -ENOMEM;
	switch (e->kind) {
	case ANA_ENTER:
		head(c, "B", e);
		fputs("\"name\":", f);
		str(f, e->name);
		fprintf(f, ",\"args\":{\"addr\":\"0x%" PRIx64 "\"", e->stack[e->depth - 1].addr);
		if ((line = view_srcline(&c->o, e->priv, e->stack[e->depth - 1].addr))) {
			fputs(",\"source\":", f);
			str(f, line);
		}
		fputs("}}", f);
		break;
	case ANA_EXIT:
		head(c, "E", e);
		fputs("\"name\":", f);
		str(f, e->name);
		fprintf(f, ",\"args\":{\"self_insns\":%" PRIu64 ",\"total_insns\":%" PRIu64 "}}",
			e->self_insns, e->total_insns);
		break;
	case ANA_TRAP:
		head(c, "i", e);
		fputs("\"s\":\"t\",\"cat\":\"trap\",\"name\":", f);
		str(f, e->name);
		fprintf(f,
			",\"args\":{\"epc\":\"0x%" PRIx64 "\",\"tval\":\"0x%" PRIx64
			"\",\"to\":\"%s\"%s%s%s}}",
			ev->pc, ev->tval, ana_level_name(ev->new_priv), e->text ? ",\"" : "",
			e->text ? e->text : "", e->text ? "\"" : "");
		break;
	case ANA_SBI_BEGIN:
	case ANA_SYS_BEGIN:
		head(c, "B", e);
		fprintf(f,
			"\"cat\":\"%s\",\"name\":", e->kind == ANA_SBI_BEGIN ? "sbi" : "syscall");
		str(f, e->name);
		fputs(",\"args\":{\"call\":", f);
		str(f, e->text);
		fputs("}}", f);
		break;
	case ANA_SBI_END:
	case ANA_SYS_END:
		head(c, "E", e);
		fputs("\"name\":", f);
		str(f, e->name);
		fputs(",\"args\":{\"ret\":", f);
		str(f, e->text ? e->text : "(trace ended)");
		fputs("}}", f);
		break;
	case ANA_MMIO:
		head(c, "i", e);
		fputs("\"s\":\"t\",\"cat\":\"mmio\",\"name\":", f);
		str(f, e->name ? e->name : "mmio");
		fprintf(f,
			",\"args\":{\"paddr\":\"0x%" PRIx64 "\",\"value\":\"0x%" PRIx64
			"\",\"size\":%u,\"store\":%s}}",
			ev->paddr, ev->value, ev->size,
			ev->kind == TEV_MEM_STORE ? "true" : "false");
		break;
	case ANA_MARK:
		head(c, "i", e);
		fputs("\"s\":\"g\",\"cat\":\"mark\",\"name\":", f);
		str(f, e->text);
		fputs("}", f);
		break;
	default:
		return 0;
	}
	return ferror(f) ? -EIO : 0;
}

static int chrome_end(void *v, const struct ana_stats *st)
{
	struct chrome *c = v;
	fputs("\n],\"displayTimeUnit\":\"ns\"}\n", c->out);
	int rc = ferror(c->out) ? -EIO : 0;
	vmap_free(c->tracks);
	free(c);
	return rc;
}

const struct view_ops view_chrome = {
    .name = "chrome", .begin = chrome_begin, .event = chrome_event, .end = chrome_end};
