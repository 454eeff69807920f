/* tdesc — what the upstream's target description says: the architecture, each register's
 * number (GDB numbers registers in document order, xi:include files inline, unless a reg says
 * regnum), and so which register gives the privilege level. GDB is served the same document
 * with <osabi>none</osabi>: with the GNU/Linux OS ABI, GDB takes its library list from the
 * SVR4 link map in memory and ignores the one strata serves. */
#include "attach/att_impl.h"
#include "util/err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A whole document of the upstream (qXfer:features:read in pieces): malloc'd, or NULL. */
static char *fetch(struct att_proxy *p, const char *annex, size_t *len)
{
	char cmd[160], *doc = NULL, *n;
	size_t k = 0;

	for (int i = 0; i < 256; i++) {
		snprintf(cmd, sizeof(cmd), "qXfer:features:read:%s:%zx,%x", annex, k, 0xf00);
		if (att_query(p, cmd) < 0 || !p->reply_len ||
		    (p->reply[0] != 'm' && p->reply[0] != 'l'))
			break;
		if (!(n = realloc(doc, k + p->reply_len + 1)))
			break;
		doc = n;
		memcpy(doc + k, p->reply + 1, p->reply_len - 1);
		k += p->reply_len - 1;
		doc[k] = 0;
		if (p->reply[0] == 'l') {
			*len = k;
			return doc;
		}
	}
	free(doc);
	return NULL;
}

/* attr="value" of the tag starting at tag (up to its '>') into out; false if absent. */
static bool attr(const char *tag, const char *name, char *out, size_t size)
{
	const char *end = strchr(tag, '>'), *a = tag;
	size_t n = strlen(name);

	while (end && (a = strstr(a + 1, name)) && a < end) {
		if (a[-1] != ' ' && a[-1] != '\t' && a[-1] != '\n')
			continue;
		if (a[n] != '=' || (a[n + 1] != '"' && a[n + 1] != '\''))
			continue;
		const char *v = a + n + 2, *q = strchr(v, a[n + 1]);

		if (!q || (size_t)(q - v) >= size)
			return false;
		memcpy(out, v, (size_t)(q - v));
		out[q - v] = 0;
		return true;
	}
	return false;
}

static void add_reg(struct att_proxy *p, const char *name, int num)
{
	struct att_reg *r;

	if (p->nregs >= 4096 || !(r = realloc(p->regs, (p->nregs + 1) * sizeof(*r))))
		return;
	p->regs = r;
	snprintf(r[p->nregs].name, sizeof(r[p->nregs].name), "%s", name);
	r[p->nregs++].num = num;
}

static void scan(struct att_proxy *p, const char *doc, int depth, int *next)
{
	char v[128];

	for (const char *t = strchr(doc, '<'); t; t = strchr(t + 1, '<')) {
		if (!strncmp(t, "<xi:include", 11) && depth < 4 && attr(t, "href", v, sizeof(v))) {
			size_t len;
			char *sub = fetch(p, v, &len);

			if (sub)
				scan(p, sub, depth + 1, next);
			free(sub);
		} else if (!strncmp(t, "<reg", 4) &&
			   (t[4] == ' ' || t[4] == '\t' || t[4] == '\n')) {
			char name[32];

			if (attr(t, "regnum", v, sizeof(v)))
				*next = (int)strtol(v, NULL, 0);
			if (attr(t, "name", name, sizeof(name)))
				add_reg(p, name, *next);
			++*next;
		} else if (!strncmp(t, "<architecture>", 14) && p->arch == ARCH_UNKNOWN) {
			if (!strncmp(t + 14, "riscv", 5))
				p->arch = ARCH_RISCV64;
			else if (!strncmp(t + 14, "i386:x86-64", 11))
				p->arch = ARCH_X86_64;
		}
	}
}

int att_reg(const struct att_proxy *p, const char *name)
{
	for (unsigned i = 0; i < p->nregs; i++)
		if (!strcmp(p->regs[i].name, name))
			return p->regs[i].num;
	return -1;
}

/* target.xml with <osabi>none</osabi> after the architecture (or the opening target tag). */
static void serve_copy(struct att_proxy *p, const char *doc, size_t len)
{
	static const char osabi[] = "<osabi>none</osabi>";
	const char *at = strstr(doc, "</architecture>");
	size_t cut;

	if (strstr(doc, "<osabi>")) {
		p->tdesc = strdup(doc);
		p->tdesc_len = len;
		return;
	}
	if (at) {
		cut = (size_t)(at - doc) + 15;
	} else if ((at = strstr(doc, "<target")) && strchr(at, '>')) {
		cut = (size_t)(strchr(at, '>') - doc) + 1;
	} else {
		return;
	}
	if (!(p->tdesc = malloc(len + sizeof(osabi))))
		return;
	memcpy(p->tdesc, doc, cut);
	memcpy(p->tdesc + cut, osabi, sizeof(osabi) - 1);
	memcpy(p->tdesc + cut + sizeof(osabi) - 1, doc + cut, len - cut + 1);
	p->tdesc_len = len + sizeof(osabi) - 1;
}

void att_tdesc_init(struct att_proxy *p)
{
	size_t len = 0;
	char *doc;
	int next = 0;

	if (p->tdesc_done || p->st != ST_IDLE)
		return;
	p->tdesc_done = true;
	doc = p->up_features ? fetch(p, "target.xml", &len) : NULL;
	if (doc) {
		scan(p, doc, 0, &next);
		serve_copy(p, doc, len);
		free(doc);
	}
	if (p->arch == ARCH_UNKNOWN)
		p->arch = att_files_arch(p);
	if (!p->tdesc && p->arch != ARCH_UNKNOWN) {
		/* no description (kgdb): the architecture's default registers, which is what
		 * kgdb's 'g' packet holds */
		char buf[256];
		int n = snprintf(buf, sizeof(buf),
				 "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM "
				 "\"gdb-target.dtd\">\n<target><architecture>%s</architecture>"
				 "<osabi>none</osabi></target>\n",
				 p->arch == ARCH_X86_64 ? "i386:x86-64" : "riscv:rv64");

		p->tdesc = strdup(buf);
		p->tdesc_len = (size_t)n;
		if (p->arch == ARCH_X86_64) { /* GDB's amd64 numbering */
			static const char *const names[] = {
			    "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",    "r8", "r9",
			    "r10", "r11", "r12", "r13", "r14", "r15", "rip", "eflags", "cs"};
			for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				add_reg(p, names[i], (int)i);
		} else {
			static const char *const names[] = {"zero", "ra", "sp", "gp", "tp",
							    "t0",   "t1", "t2", "fp", "s1"};
			for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				add_reg(p, names[i], (int)i);
			add_reg(p, "a7", 17);
			add_reg(p, "pc", 32);
		}
	}
	if (p->arch == ARCH_X86_64) {
		p->priv_reg = att_reg(p, "cs");
		p->priv_kind = PRIV_CS;
		p->pc_reg = att_reg(p, "rip");
	} else {
		p->priv_kind = PRIV_DIRECT;
		if ((p->priv_reg = att_reg(p, "priv")) < 0) {
			p->priv_reg = att_reg(p, "dcsr");
			p->priv_kind = PRIV_DCSR;
		}
		p->pc_reg = att_reg(p, "pc");
	}
}

int att_priv(struct att_proxy *p)
{
	uint64_t v;

	if (p->priv_reg < 0 || att_read_reg(p, p->priv_reg, &v) < 0)
		return -1;
	if (p->priv_kind == PRIV_CS) /* CPL 0 is the kernel, 3 user code */
		return (v & 3) == 3 ? 0 : 1;
	v &= 3;
	return v == 2 ? -1 : (int)v;
}

bool att_tdesc_xfer(struct att_proxy *p, const char *annex, const char *offlen)
{
	if (strcmp(annex, "target.xml") || !p->tdesc)
		return false;
	att_xfer_reply(p, p->tdesc, p->tdesc_len, offlen);
	return true;
}
