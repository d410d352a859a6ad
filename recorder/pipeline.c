// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Batch handoff from the ring-buffer consumer to the writer thread. The
 * consumer only copies records into a batch (memcpy); zstd and write(2) run
 * on the writer thread, so a slow disk or a big frame never delays the next
 * ring_buffer__poll(). If the writer falls QUEUE_MAX batches behind, the
 * consumer waits, the ring buffer fills and the kernel counts the losses:
 * memory stays bounded and nothing is dropped silently.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "record.h"

#define BATCH_BYTES (512u << 10)
#define QUEUE_MAX 64

struct batch {
	struct batch *next;
	size_t len;
	bool flush, stats, rotate, has_lost, tick;
	__u64 lost[EXRAY_LOSS_SLOTS];
	char data[BATCH_BYTES];
};

struct rec_pipe {
	struct rec_output *out;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t ready, room;
	struct batch *head, *tail, *cur;
	size_t queued;
	bool stop;
	int err;                  /* writer's first error */
	__u64 records, bytes, segments;
};

static struct batch *batch_new(void)
{
	struct batch *b = malloc(sizeof(*b));

	if (b) {
		b->next = NULL;
		b->len = 0;
		b->flush = b->stats = b->rotate = b->has_lost = b->tick = false;
	}
	return b;
}

static void write_batch(struct rec_pipe *p, struct batch *b)
{
	int err = 0;

	for (size_t off = 0; !err && off < b->len;) {
		const struct exray_rec_hdr *h = (const void *)(b->data + off);

		err = rec_output_append(p->out, h, h->len);
		off += h->len;
	}
	if (!err && b->has_lost)
		err = rec_output_set_lost(p->out, b->lost);
	if (!err && b->rotate)
		err = rec_output_rotate(p->out);
	else if (!err && (b->flush || b->stats))
		err = rec_output_flush(p->out, b->stats);
	if (!err && b->tick)
		err = rec_output_tick(p->out);

	pthread_mutex_lock(&p->lock);
	if (err && !p->err)
		p->err = err;
	rec_output_counts(p->out, &p->records, &p->bytes, &p->segments);
	pthread_mutex_unlock(&p->lock);
}

static void *writer_main(void *arg)
{
	struct rec_pipe *p = arg;

	for (;;) {
		struct batch *b;
		bool failed;

		pthread_mutex_lock(&p->lock);
		while (!p->head && !p->stop)
			pthread_cond_wait(&p->ready, &p->lock);
		b = p->head;
		if (!b) { /* stopped and drained */
			pthread_mutex_unlock(&p->lock);
			break;
		}
		p->head = b->next;
		if (!p->head)
			p->tail = NULL;
		p->queued--;
		failed = p->err != 0;
		pthread_cond_signal(&p->room);
		pthread_mutex_unlock(&p->lock);

		/* after a write error batches are dropped: the main loop stops */
		if (!failed)
			write_batch(p, b);
		free(b);
	}
	return NULL;
}

int rec_pipe_start(struct rec_pipe **out, struct rec_output *o)
{
	struct rec_pipe *p = calloc(1, sizeof(*p));
	int err;

	if (!p)
		return -ENOMEM;
	p->out = o;
	p->cur = batch_new();
	if (!p->cur) {
		free(p);
		return -ENOMEM;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->ready, NULL);
	pthread_cond_init(&p->room, NULL);
	err = pthread_create(&p->thread, NULL, writer_main, p);
	if (err) {
		free(p->cur);
		free(p);
		return -err;
	}
	*out = p;
	return 0;
}

/* Queue the current batch (waiting while the queue is full) and start a
 * new one. */
static int hand_over(struct rec_pipe *p)
{
	struct batch *b = p->cur, *nb = batch_new();
	int err;

	if (!nb)
		return -ENOMEM;
	pthread_mutex_lock(&p->lock);
	while (p->queued >= QUEUE_MAX && !p->err)
		pthread_cond_wait(&p->room, &p->lock);
	if (p->tail)
		p->tail->next = b;
	else
		p->head = b;
	p->tail = b;
	p->queued++;
	err = p->err;
	pthread_cond_signal(&p->ready);
	pthread_mutex_unlock(&p->lock);
	p->cur = nb;
	return err;
}

int rec_pipe_push(struct rec_pipe *p, const void *rec, size_t len)
{
	int err;

	if (len > BATCH_BYTES || len < sizeof(struct exray_rec_hdr) || len % EXRAY_REC_ALIGN)
		return -EINVAL;
	if (p->cur->len + len > BATCH_BYTES) {
		err = hand_over(p);
		if (err)
			return err;
	}
	memcpy(p->cur->data + p->cur->len, rec, len);
	p->cur->len += len;
	return 0;
}

int rec_pipe_flush(struct rec_pipe *p, const __u64 *lost_totals, bool stats, bool rotate)
{
	p->cur->flush = true;
	p->cur->stats = stats;
	p->cur->rotate = rotate;
	if (lost_totals) {
		memcpy(p->cur->lost, lost_totals, sizeof(p->cur->lost));
		p->cur->has_lost = true;
	}
	return hand_over(p);
}

int rec_pipe_tick(struct rec_pipe *p)
{
	p->cur->tick = true;
	return hand_over(p);
}

int rec_pipe_error(struct rec_pipe *p)
{
	int err;

	pthread_mutex_lock(&p->lock);
	err = p->err;
	pthread_mutex_unlock(&p->lock);
	return err;
}

void rec_pipe_counts(struct rec_pipe *p, __u64 *records, __u64 *bytes, __u64 *segments)
{
	pthread_mutex_lock(&p->lock);
	*records = p->records;
	*bytes = p->bytes;
	*segments = p->segments;
	pthread_mutex_unlock(&p->lock);
}

int rec_pipe_finish(struct rec_pipe *p, __u64 *records, __u64 *bytes, __u64 *segments)
{
	int err, cerr;

	if (!p)
		return 0;
	err = hand_over(p);
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->ready);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	free(p->cur);
	if (!err)
		err = p->err;
	rec_output_counts(p->out, records, bytes, segments);
	cerr = rec_output_close(p->out);
	if (!err)
		err = cerr;
	pthread_cond_destroy(&p->ready);
	pthread_cond_destroy(&p->room);
	pthread_mutex_destroy(&p->lock);
	free(p);
	return err;
}
