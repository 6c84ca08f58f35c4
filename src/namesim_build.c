/*
 * namesim_build.c
 *	  Building a namesim index, and the design of the access method.
 *
 * WHAT THE INDEX STORES
 * The similarity scorer (similarity.h) gives every token of a name up to
 * NAMESIM_MAX_TOKEN_KEYS "block keys" and promises that two tokens score
 * above zero only if they share a block key.  namesim is an inverted file
 * over those keys: for every distinct key of every indexed name, one posting
 * (fingerprint of the key, heap TID).  Keys are hashed into nbuckets buckets
 * (a power of two fixed at build, from the number of postings, or the
 * "buckets" reloption); bucket b starts at block 1 + b and continues in a
 * chain of overflow pages.  A posting is 8 bytes: 15 bits of key fingerprint
 * plus a flag, and the TID.  The fingerprint is lossy: two keys of one
 * bucket may share it.  That only ever adds candidates (see below), so it is
 * safe, and it keeps postings small (target: index <= 2x the column).
 * One posting per row carries the "primary" flag, so a scan can enumerate
 * every indexed row exactly once.
 *
 * WHY A SCAN IS EXACT
 * The scorer's bound NameSimUpperBound(q, w, mask) is >= the similarity of q
 * to any name whose tokens share block keys only with the query tokens in
 * mask; it is monotone in mask and 0 for the empty mask.  For a query q and
 * threshold t:
 *	- a row that shares no key with q scores <= UB(q, w, 0) = 0;
 *	- prefix filtering: we choose a set U of query tokens NOT to probe such
 *	  that UB(q, w, U) < t, putting first the tokens whose keys have the most
 *	  postings.  A row sharing keys only with tokens in U scores below t, so
 *	  every match shares a key with a probed token;
 *	- for each candidate found through a probed key, its mask is the union of
 *	  the tokens of the keys it was found under (a fingerprint collision only
 *	  adds bits) plus U (tokens we did not look at are assumed matched); by
 *	  monotonicity UB(q, w, mask) bounds its score, and candidates with UB < t
 *	  are dropped.  The rest are returned with recheck, so the executor
 *	  computes the real score.
 * An ordered scan (ORDER BY name <-> q) probes every query key, returns the
 * candidates by decreasing UB with 1 - UB as a lower bound of the distance
 * (xs_recheckorderby), then every other indexed row at distance 1, which is
 * their exact distance since they score UB(q, w, 0) = 0.  So LIMIT k is
 * exact even when fewer than k rows share a key with q.
 *
 * BUILD
 * The heap scan computes each name's keys and feeds (hash, fingerprint|flag,
 * TID) to a tuplesort bounded by maintenance_work_mem.  Sorting by the key
 * hash groups postings by bucket (the bucket is the hash's top bits) whatever
 * the bucket count, so the count is chosen after the scan, when the number
 * of postings is known.  The pages are then written bucket by bucket through
 * shared buffers and WAL-logged in one pass with log_newpage_range.
 *
 * CHANGES AFTER BUILD
 * Inserts append to a page of the key's bucket chain (never shifting data,
 * so generic WAL records stay small); VACUUM compacts pages in place and
 * points the bucket's free-space hint at the first page with room, so later
 * inserts into the bucket reuse it.  Every change is one generic WAL record
 * covering the touched pages and the bucket's primary page (which holds the
 * chain's posting count), so a crash never leaves a chain half linked.
 *
 * STATISTICS
 * Token weights (rarity) come from NameTokenWeights, the scorer's own
 * function of the name, so bound and score never disagree and nothing in the
 * index has to be kept in step with them.  The index keeps per-bucket
 * posting counts, updated by every insert and vacuum under the bucket's lock;
 * scans use them to choose which tokens to skip, the planner to cost a probe.
 * They only steer effort: exactness never depends on them.
 */
#include "postgres.h"

#include "access/tableam.h"
#include "access/xloginsert.h"
#include "catalog/index.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "commands/progress.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/tuplesort.h"

#include "namesim.h"

/* Columns of the sort tuples: key hash, fingerprint|flag, heap TID. */
#define SORT_COL_HASH		1
#define SORT_COL_FP			2
#define SORT_COL_TID		3

typedef struct NamesimBuildState
{
	Tuplesortstate *sort;
	TupleTableSlot *slot;
	MemoryContext tmpcxt;
	double		rows;
	double		postings;
	NamesimKey *keys;
} NamesimBuildState;

static void
namesim_build_callback(Relation index, ItemPointer tid, Datum *values,
					   bool *isnull, bool tupleIsAlive, void *state)
{
	NamesimBuildState *bs = (NamesimBuildState *) state;
	MemoryContext oldcxt;
	NormName   *name;
	int			nkeys;

	if (isnull[0])
		return;

	oldcxt = MemoryContextSwitchTo(bs->tmpcxt);
	name = DatumGetNormName(values[0]);
	nkeys = NamesimNameKeys(name, bs->keys);
	for (int i = 0; i < nkeys; i++)
	{
		TupleTableSlot *slot = bs->slot;

		ExecClearTuple(slot);
		slot->tts_values[0] = Int64GetDatum((int64) bs->keys[i].hash);
		slot->tts_values[1] = Int32GetDatum((int32) (bs->keys[i].fp |
													 (i == 0 ? NAMESIM_PRIMARY_FLAG : 0)));
		slot->tts_values[2] = PointerGetDatum(tid);
		slot->tts_isnull[0] = slot->tts_isnull[1] = slot->tts_isnull[2] = false;
		ExecStoreVirtualTuple(slot);
		tuplesort_puttupleslot(bs->sort, slot);
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(bs->tmpcxt);

	bs->rows += 1;
	bs->postings += nkeys;
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64) bs->rows);
}

/* Writes bucket chains page by page during the build (no WAL yet). */
typedef struct NamesimChainWriter
{
	Relation	index;
	uint32		bucket;
	Buffer		primary;		/* pinned and locked while its bucket is open */
	Buffer		current;		/* last page of the chain (may be primary) */
	uint32		entries;
} NamesimChainWriter;

static void
chain_open(NamesimChainWriter *w, uint32 bucket)
{
	w->bucket = bucket;
	w->primary = ReadBuffer(w->index, NAMESIM_BUCKET_BLKNO(bucket));
	LockBuffer(w->primary, BUFFER_LOCK_EXCLUSIVE);
	w->current = w->primary;
	w->entries = 0;
}

static void
chain_close(NamesimChainWriter *w)
{
	NamesimPageOpaque opaque = NamesimPageGetOpaque(BufferGetPage(w->primary));

	opaque->chain_entries = w->entries;
	opaque->freehint = BufferGetBlockNumber(w->current);
	if (w->current != w->primary)
	{
		MarkBufferDirty(w->current);
		UnlockReleaseBuffer(w->current);
	}
	MarkBufferDirty(w->primary);
	UnlockReleaseBuffer(w->primary);
	w->primary = w->current = InvalidBuffer;
}

static void
chain_append(NamesimChainWriter *w, const NamesimEntry *e)
{
	Page		page = BufferGetPage(w->current);

	if (!NamesimPageAppend(page, e, 1))
	{
		Buffer		newbuf = NamesimNewBuffer(w->index);
		Page		newpage = BufferGetPage(newbuf);

		NamesimInitPage(newpage, NAMESIM_OVERFLOW, w->bucket);
		NamesimPageGetOpaque(page)->next = BufferGetBlockNumber(newbuf);
		if (w->current != w->primary)
		{
			MarkBufferDirty(w->current);
			UnlockReleaseBuffer(w->current);
		}
		w->current = newbuf;
		if (!NamesimPageAppend(newpage, e, 1))
			elog(ERROR, "namesim posting does not fit an empty page");
	}
	w->entries++;
}

/* Write the metapage and nbuckets empty primary pages, blocks 0..nbuckets. */
static void
namesim_write_skeleton(Relation index, uint32 nbuckets, uint64 rows,
					   uint64 postings)
{
	Buffer		buf;

	buf = NamesimNewBuffer(index);
	Assert(BufferGetBlockNumber(buf) == NAMESIM_METAPAGE_BLKNO);
	NamesimInitMetaPage(BufferGetPage(buf), nbuckets, rows, postings);
	MarkBufferDirty(buf);
	UnlockReleaseBuffer(buf);

	for (uint32 b = 0; b < nbuckets; b++)
	{
		buf = NamesimNewBuffer(index);
		Assert(BufferGetBlockNumber(buf) == NAMESIM_BUCKET_BLKNO(b));
		NamesimInitPage(BufferGetPage(buf), NAMESIM_PRIMARY, b);
		NamesimPageGetOpaque(BufferGetPage(buf))->freehint = BufferGetBlockNumber(buf);
		MarkBufferDirty(buf);
		UnlockReleaseBuffer(buf);
	}
}

IndexBuildResult *
namesimbuild(Relation heap, Relation index, IndexInfo *indexInfo)
{
	NamesimBuildState bs;
	IndexBuildResult *result;
	TupleDesc	desc;
	AttrNumber	attnums[1] = {SORT_COL_HASH};
	Oid			sortops[1] = {Int8LessOperator};
	Oid			collations[1] = {InvalidOid};
	bool		nullsfirst[1] = {false};
	NamesimOptions *opts = (NamesimOptions *) index->rd_options;
	NamesimChainWriter w;
	uint32		nbuckets;
	uint32		nbuckets_log2;
	double		written = 0;
	bool		open = false;

	if (RelationGetNumberOfBlocks(index) != 0)
		elog(ERROR, "index \"%s\" already contains data", RelationGetRelationName(index));

	/* 1. scan the table into the sort */
	desc = CreateTemplateTupleDesc(3);
	TupleDescInitEntry(desc, SORT_COL_HASH, "hash", INT8OID, -1, 0);
	TupleDescInitEntry(desc, SORT_COL_FP, "fp", INT4OID, -1, 0);
	TupleDescInitEntry(desc, SORT_COL_TID, "tid", TIDOID, -1, 0);
	bs.sort = tuplesort_begin_heap(desc, 1, attnums, sortops, collations,
								   nullsfirst, maintenance_work_mem, NULL,
								   TUPLESORT_NONE);
	bs.slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	bs.tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "namesim build",
									  ALLOCSET_DEFAULT_SIZES);
	bs.rows = bs.postings = 0;
	bs.keys = palloc(sizeof(NamesimKey) * NAMESIM_MAX_NAME_KEYS);

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, NAMESIM_PHASE_SCAN);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL,
								 (int64) Max(heap->rd_rel->reltuples, 0));
	table_index_build_scan(heap, index, indexInfo, true, true,
						   namesim_build_callback, &bs, NULL);

	/* 2. sort the postings by key hash, that is by bucket */
	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, NAMESIM_PHASE_SORT);
	tuplesort_performsort(bs.sort);

	/* 3. write the pages bucket by bucket */
	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, NAMESIM_PHASE_WRITE);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL, (int64) bs.postings);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, 0);

	nbuckets = NamesimChooseBuckets(bs.postings, opts ? opts->buckets : 0);
	namesim_write_skeleton(index, nbuckets, (uint64) bs.rows, (uint64) bs.postings);
	for (nbuckets_log2 = 0; (((uint32) 1) << nbuckets_log2) < nbuckets; nbuckets_log2++)
		;

	w.index = index;
	while (tuplesort_gettupleslot(bs.sort, true, false, bs.slot, NULL))
	{
		bool		isnull;
		uint32		hash = (uint32) DatumGetInt64(slot_getattr(bs.slot, SORT_COL_HASH, &isnull));
		uint32		bucket = NamesimBucket(hash, nbuckets_log2);
		NamesimEntry e;

		e.fpflags = (uint16) DatumGetInt32(slot_getattr(bs.slot, SORT_COL_FP, &isnull));
		e.tid = *((ItemPointer) DatumGetPointer(slot_getattr(bs.slot, SORT_COL_TID, &isnull)));

		if (open && bucket != w.bucket)
		{
			chain_close(&w);
			open = false;
		}
		if (!open)
		{
			chain_open(&w, bucket);
			open = true;
		}
		chain_append(&w, &e);

		written += 1;
		if ((uint64) written % 10000 == 0)
		{
			pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64) written);
			CHECK_FOR_INTERRUPTS();
		}
	}
	if (open)
		chain_close(&w);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64) written);

	tuplesort_end(bs.sort);
	ExecDropSingleTupleTableSlot(bs.slot);
	MemoryContextDelete(bs.tmpcxt);

	/* 4. WAL-log every page at once */
	if (RelationNeedsWAL(index))
		log_newpage_range(index, MAIN_FORKNUM, 0,
						  RelationGetNumberOfBlocks(index), true);

	result = palloc(sizeof(IndexBuildResult));
	result->heap_tuples = bs.rows;
	result->index_tuples = bs.rows;
	return result;
}

/*
 * The init fork of an unlogged index: a metapage and the minimum number of
 * empty buckets, written straight to storage and WAL-logged, as for any
 * init fork.
 */
void
namesimbuildempty(Relation index)
{
	PGAlignedBlock buf;
	Page		page = (Page) buf.data;

	NamesimInitMetaPage(page, NAMESIM_MIN_BUCKETS, 0, 0);
	PageSetChecksumInplace(page, NAMESIM_METAPAGE_BLKNO);
	smgrextend(RelationGetSmgr(index), INIT_FORKNUM, NAMESIM_METAPAGE_BLKNO,
			   (char *) page, true);
	log_newpage(&(RelationGetSmgr(index))->smgr_rnode.node, INIT_FORKNUM,
				NAMESIM_METAPAGE_BLKNO, page, true);

	for (uint32 b = 0; b < NAMESIM_MIN_BUCKETS; b++)
	{
		BlockNumber blkno = NAMESIM_BUCKET_BLKNO(b);

		NamesimInitPage(page, NAMESIM_PRIMARY, b);
		NamesimPageGetOpaque(page)->freehint = blkno;
		PageSetChecksumInplace(page, blkno);
		smgrextend(RelationGetSmgr(index), INIT_FORKNUM, blkno, (char *) page, true);
		log_newpage(&(RelationGetSmgr(index))->smgr_rnode.node, INIT_FORKNUM,
					blkno, page, true);
	}
	smgrimmedsync(RelationGetSmgr(index), INIT_FORKNUM);
}
