/* evbuf — see evbuf.h. */
#include "trace/evbuf.h"
#include "trace/tfile.h"

#include <stdlib.h>
#include <string.h>

static void restart(struct evbuf *b)
{
	b->len = EVBUF_ID;
	memset(&b->enc, 0, sizeof(b->enc));
	b->enc.byte_pc = (b->id & TF_EVENTS_BYTE_PC) != 0;
}

struct evbuf *evbuf_new(uint32_t id)
{
	struct evbuf *b = malloc(sizeof(*b));

	if (!b)
		return NULL;
	b->id = id;
	memcpy(b->data, &id, EVBUF_ID); /* little-endian host, as the format */
	restart(b);
	return b;
}

void evbuf_free(struct evbuf *b)
{
	free(b);
}

int evbuf_flush(struct evbuf *b, struct tf_writer *w)
{
	int ret;

	if (b->len <= EVBUF_ID)
		return 0;
	ret = tf_write_chunk(w, TF_EVENTS, b->data, b->len);
	restart(b);
	return ret;
}
