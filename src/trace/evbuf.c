/* evbuf — see evbuf.h. */
#include "trace/evbuf.h"
#include "trace/event.h"
#include "trace/tfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* room for a full chunk plus the largest event that may start just below EVBUF_CHUNK: a code
 * page (CODE carries up to 4 KiB) or a MARK/FUTURE payload */
#define EVBUF_BYTES (EVBUF_CHUNK + 4096 + TEV_MAX_ENCODED + 64)
#define ID_BYTES    4 /* the chunk starts with the u32 hart id */

struct evbuf {
	uint32_t id;
	size_t len;
	struct tev_enc enc;
	uint8_t data[EVBUF_BYTES];
};

static void restart(struct evbuf *b)
{
	b->len = ID_BYTES;
	memset(&b->enc, 0, sizeof(b->enc));
	b->enc.byte_pc = (b->id & TF_EVENTS_BYTE_PC) != 0;
}

struct evbuf *evbuf_new(uint32_t id)
{
	struct evbuf *b = malloc(sizeof(*b));

	if (!b)
		return NULL;
	b->id = id;
	memcpy(b->data, &id, ID_BYTES); /* little-endian host, as the format */
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

	if (b->len <= ID_BYTES)
		return 0;
	ret = tf_write_chunk(w, TF_EVENTS, b->data, b->len);
	restart(b);
	return ret;
}

int evbuf_put(struct evbuf *b, struct tf_writer *w, const struct tev *ev)
{
	int ret = 0;

	if (ev->len > EVBUF_BYTES - ID_BYTES - TEV_MAX_ENCODED)
		return -EMSGSIZE;
	if (b->len + TEV_MAX_ENCODED + ev->len > EVBUF_BYTES)
		ret = evbuf_flush(b, w);
	b->len += tev_encode(&b->enc, ev, b->data + b->len);
	if (b->len >= EVBUF_CHUNK) {
		int r = evbuf_flush(b, w);

		if (!ret)
			ret = r;
	}
	return ret;
}
