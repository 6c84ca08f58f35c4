/*
 * namesim_scan.c
 *	  Index scans, bitmap scans and ordered scans of a namesim index.
 *
 * A scan is answered in one go at its first call: each qual (name % q, or
 * name %> name_query(q, t)) is turned into a candidate set by probing the
 * buckets of the query's block keys, with prefix filtering (the query
 * tokens whose keys have the most postings are skipped while the scorer's
 * upper bound for matching only them stays below the threshold) and a
 * per-candidate upper bound; several quals intersect their sets.  Without
 * ORDER BY the candidates come back in TID order with recheck.  With ORDER
 * BY name <-> q, every key of q is probed and the candidates come back by
 * decreasing upper bound, the lower bound 1 - UB of their distance reported
 * for the executor to recheck and reorder; then every other row at distance
 * 1 (from the qual's candidate set if there is a qual, else by reading all
 * primary postings).  See namesim_build.c for why this is exact.
 *
 * Why heap TIDs remembered across calls are safe against VACUUM: every
 * tuple is returned with recheck under the scan's MVCC snapshot, and a TID
 * reused after VACUUM holds a tuple inserted after that, which the snapshot
 * does not see (and whose own posting the scan has not collected).
 */
#include "postgres.h"

#include "access/relscan.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "nodes/tidbitmap.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "namesim.h"

/*
 * Slack when comparing bounds with thresholds: more candidates, never fewer,
 * whatever rounding the scorer's float arithmetic does.
 */
#define NAMESIM_BOUND_SLACK		1e-6

/*
 * Reading the skipped tokens' postings to complete candidates' masks pays
 * when there are fewer than this many such postings per candidate.
 */
#define NAMESIM_REFINE_POSTINGS_PER_CANDIDATE	2000

/* A candidate row: its TID, the query tokens it shares keys with, its bound. */
typedef struct NamesimCand
{
	ItemPointerData tid;
	char		status;			/* simplehash */
	bool		taken;			/* already put in the result list */
	uint64		mask;
	float4		ub;
} NamesimCand;

#define SH_PREFIX		candhash
#define SH_ELEMENT_TYPE NamesimCand
#define SH_KEY_TYPE		ItemPointerData
#define SH_KEY			tid
#define SH_HASH_KEY(tb, key)	NamesimTidHash(key, 0)
#define SH_EQUAL(tb, a, b)		ItemPointerEquals(&(a), &(b))
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

typedef struct NamesimResult
{
	ItemPointerData tid;
	float4		ub;
} NamesimResult;

typedef struct NamesimScanOpaqueData
{
	MemoryContext cxt;			/* everything of one scan; reset by rescan */
	bool		started;
	bool		ordered;		/* ORDER BY <-> with a non-null query */
	bool		orderbynull;	/* ORDER BY <-> NULL */
	Oid			orderbytype;	/* FLOAT4OID or FLOAT8OID */

	NamesimResult *results;		/* rows to return first, in order */
	int			nresults;
	int			pos;

	/* then, if tail is set, every indexed row not in "exclude" at distance 1 */
	bool		tail;
	candhash_hash *exclude;
	BlockNumber tailblk;
	BlockNumber nblocks;
	ItemPointerData *batch;		/* primary postings of the current page */
	NamesimEntry *decoded;		/* all postings of the current page */
	int			nbatch;
	int			batchpos;
} NamesimScanOpaqueData;

typedef NamesimScanOpaqueData *NamesimScanOpaque;

IndexScanDesc
namesimbeginscan(Relation index, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
	NamesimScanOpaque so = palloc0(sizeof(NamesimScanOpaqueData));

	so->cxt = AllocSetContextCreate(CurrentMemoryContext, "namesim scan",
									ALLOCSET_DEFAULT_SIZES);
	if (norderbys > 0)
	{
		scan->xs_orderbyvals = palloc0(sizeof(Datum) * norderbys);
		scan->xs_orderbynulls = palloc(sizeof(bool) * norderbys);
	}
	scan->opaque = so;
	return scan;
}

void
namesimrescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys,
			  int norderbys)
{
	NamesimScanOpaque so = (NamesimScanOpaque) scan->opaque;

	if (keys && scan->numberOfKeys > 0)
		memmove(scan->keyData, keys, scan->numberOfKeys * sizeof(ScanKeyData));
	if (orderbys && scan->numberOfOrderBys > 0)
		memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));

	MemoryContextReset(so->cxt);
	so->started = false;
	so->ordered = so->orderbynull = false;
	so->results = NULL;
	so->nresults = so->pos = 0;
	so->tail = false;
	so->exclude = NULL;
	so->batch = NULL;
	so->decoded = NULL;
	so->nbatch = so->batchpos = 0;
	so->orderbytype = FLOAT8OID;
	if (scan->numberOfOrderBys > 0)
		so->orderbytype = get_func_rettype(scan->orderByData[0].sk_func.fn_oid);
}

void
namesimendscan(IndexScanDesc scan)
{
	NamesimScanOpaque so = (NamesimScanOpaque) scan->opaque;

	MemoryContextDelete(so->cxt);
	pfree(so);
	scan->opaque = NULL;
}

/* Calls fn for every posting of a bucket's chain, page by page. */
typedef void (*NamesimPostingFn) (const NamesimEntry *e, void *arg);

static void
namesim_read_bucket(Relation index, uint32 bucket, NamesimEntry *entries,
					NamesimPostingFn fn, void *arg)
{
	BlockNumber blkno = NAMESIM_BUCKET_BLKNO(bucket);

	while (BlockNumberIsValid(blkno))
	{
		int			n = NamesimReadPage(index, blkno, entries, &blkno);

		for (int i = 0; i < n; i++)
			fn(&entries[i], arg);
		CHECK_FOR_INTERRUPTS();
	}
}

/* The chain posting count of a bucket, from its primary page. */
static uint32
namesim_bucket_count(Relation index, uint32 bucket)
{
	BlockNumber blkno = NAMESIM_BUCKET_BLKNO(bucket);
	Buffer		buf = ReadBuffer(index, blkno);
	uint32		count;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	NamesimCheckPage(index, BufferGetPage(buf), blkno, NAMESIM_PRIMARY);
	count = NamesimPageGetOpaque(BufferGetPage(buf))->chain_entries;
	UnlockReleaseBuffer(buf);
	return count;
}

/* State of probing one bucket for the query keys that fall in it. */
typedef struct NamesimProbe
{
	candhash_hash *cands;
	const NamesimKey *keys;		/* the probed keys of this bucket */
	int			nkeys;
	bool		insert;			/* add new candidates, or only refine masks */
} NamesimProbe;

static void
namesim_probe_posting(const NamesimEntry *e, void *arg)
{
	NamesimProbe *p = (NamesimProbe *) arg;
	uint16		fp = NamesimEntryFp(e);

	for (int k = 0; k < p->nkeys; k++)
	{
		if (p->keys[k].fp == fp)
		{
			NamesimCand *c;

			if (p->insert)
			{
				bool		found;

				c = candhash_insert(p->cands, e->tid, &found);
				if (!found)
				{
					c->mask = 0;
					c->taken = false;
				}
			}
			else if ((c = candhash_lookup(p->cands, e->tid)) == NULL)
				continue;
			c->mask |= p->keys[k].tokens;
		}
	}
}

/* Probes the buckets of keys[0..nkeys) (sorted by hash) into cands. */
static void
namesim_probe_keys(Relation index, uint32 nbuckets, const NamesimKey *keys,
				   int nkeys, candhash_hash *cands, bool insert)
{
	NamesimEntry *entries = palloc(sizeof(NamesimEntry) * NAMESIM_PAGE_MAX_POSTINGS);

	for (int start = 0; start < nkeys;)
	{
		uint32		bucket = NamesimBucket(keys[start].hash, nbuckets);
		int			end = start + 1;
		NamesimProbe p;

		while (end < nkeys && NamesimBucket(keys[end].hash, nbuckets) == bucket)
			end++;
		p.cands = cands;
		p.keys = &keys[start];
		p.nkeys = end - start;
		p.insert = insert;
		namesim_read_bucket(index, bucket, entries, namesim_probe_posting, &p);
		start = end;
	}
	pfree(entries);
}

/*
 * The candidates for query q, with their upper bounds.
 *
 * Ordered (no threshold): every row sharing a key with q.
 * With a threshold: prefix filtering chooses the query tokens to skip (the
 * costliest first, while the bound for matching only them stays below the
 * threshold); rows sharing a key with a probed token are the candidates.
 * Their masks are then completed by reading the skipped tokens' buckets
 * for candidates only, when that costs less than rechecking the rows it
 * may rule out; otherwise skipped tokens count as matched.  Rows whose
 * bound is below the threshold are left out.  *all is set (and NULL
 * returned) when every row may match.
 */
static candhash_hash *
namesim_candidates(IndexScanDesc scan, const NormName *q, double threshold,
				   bool ordered, bool *all)
{
	Relation	index = scan->indexRelation;
	NamesimMetaCache *meta = NamesimGetMeta(index);
	int			ntok = Min(q->ntokens, NORMNAME_MAX_TOKENS);
	uint64		allmask = (ntok == 64) ? ~UINT64CONST(0) : ((UINT64CONST(1) << ntok) - 1);
	uint64		skip = 0;
	float4	   *w = palloc(sizeof(float4) * Max(ntok, 1));
	NamesimKey *keys = palloc(sizeof(NamesimKey) * NAMESIM_MAX_NAME_KEYS);
	NamesimKey *probed = palloc(sizeof(NamesimKey) * NAMESIM_MAX_NAME_KEYS);
	NamesimKey *skipped = palloc(sizeof(NamesimKey) * NAMESIM_MAX_NAME_KEYS);
	uint32	   *keycount = palloc0(sizeof(uint32) * NAMESIM_MAX_NAME_KEYS);
	double		skipped_postings = 0;
	int			nkeys;
	int			nprobed = 0;
	int			nskipped = 0;
	candhash_hash *cands;
	candhash_iterator it;
	NamesimCand *c;
	double		t = threshold - NAMESIM_BOUND_SLACK;

	*all = false;
	NameTokenWeights(q, w);
	nkeys = NamesimNameKeys(q, keys);

	if (!ordered)
	{
		double		cost[NORMNAME_MAX_TOKENS];
		int			order[NORMNAME_MAX_TOKENS];

		if (NameSimUpperBound(q, w, 0) >= t)
		{
			*all = true;		/* even rows sharing nothing may match */
			return NULL;
		}
		if (NameSimUpperBound(q, w, allmask) < t)
			return candhash_create(CurrentMemoryContext, 16, NULL); /* none can */

		/* prefix filtering: skip the costliest tokens while UB stays < t */
		for (int i = 0; i < ntok; i++)
		{
			cost[i] = 0;
			order[i] = i;
		}
		for (int k = 0; k < nkeys; k++)
		{
			keycount[k] = namesim_bucket_count(index,
											   NamesimBucket(keys[k].hash, meta->nbuckets));
			for (int i = 0; i < ntok; i++)
				if (keys[k].tokens & (UINT64CONST(1) << i))
					cost[i] += keycount[k];
		}
		for (int i = 1; i < ntok; i++)	/* insertion sort by cost, desc */
		{
			int			o = order[i];
			int			j = i;

			while (j > 0 && cost[order[j - 1]] < cost[o])
			{
				order[j] = order[j - 1];
				j--;
			}
			order[j] = o;
		}
		for (int i = 0; i < ntok; i++)
		{
			uint64		bit = UINT64CONST(1) << order[i];

			if (NameSimUpperBound(q, w, skip | bit) < t)
				skip |= bit;
		}
	}

	for (int k = 0; k < nkeys; k++)
	{
		if (ordered || (keys[k].tokens & ~skip) != 0)
			probed[nprobed++] = keys[k];
		else
		{
			skipped[nskipped++] = keys[k];
			skipped_postings += keycount[k];
		}
	}

	cands = candhash_create(CurrentMemoryContext, 256, NULL);
	namesim_probe_keys(index, meta->nbuckets, probed, nprobed, cands, true);

	/*
	 * Complete the masks from the skipped tokens' buckets if reading them
	 * (about a microsecond per thousand postings) is cheaper than rechecking
	 * the candidates (several microseconds each).
	 */
	if (nskipped > 0 && cands->members > 0 &&
		skipped_postings < cands->members * NAMESIM_REFINE_POSTINGS_PER_CANDIDATE)
	{
		namesim_probe_keys(index, meta->nbuckets, skipped, nskipped, cands, false);
		skip = 0;
	}

	/* bound every candidate; skipped tokens not looked at count as matched */
	candhash_start_iterate(cands, &it);
	while ((c = candhash_iterate(cands, &it)) != NULL)
	{
		c->ub = NameSimUpperBound(q, w, (c->mask & allmask) | skip);
		if (!ordered && c->ub < t)
			candhash_delete_item(cands, c);
	}
	return cands;
}

/* Query name and threshold of a qual. */
static const NormName *
namesim_qual_query(ScanKey key, double *threshold)
{
	if (key->sk_strategy == NAMESIM_SIMILAR_QUERY_STRATEGY)
	{
		NameQuery  *nq = DatumGetNameQuery(key->sk_argument);

		*threshold = nq->threshold;
		return NameQueryGetName(nq);
	}
	if (key->sk_strategy != NAMESIM_SIMILAR_STRATEGY)
		elog(ERROR, "unrecognized namesim strategy %d", key->sk_strategy);
	*threshold = similarity_threshold;
	return DatumGetNormName(key->sk_argument);
}

static int
namesim_result_tid_cmp(const void *a, const void *b)
{
	return ItemPointerCompare(&((NamesimResult *) a)->tid, &((NamesimResult *) b)->tid);
}

static int
namesim_result_ub_cmp(const void *a, const void *b)
{
	const NamesimResult *ra = a;
	const NamesimResult *rb = b;

	if (ra->ub != rb->ub)
		return (ra->ub > rb->ub) ? -1 : 1;
	return ItemPointerCompare((ItemPointer) &ra->tid, (ItemPointer) &rb->tid);
}

/*
 * Computes the scan's answer: the ordered result list and whether a tail of
 * remaining rows follows.  Returns false if no row can qualify.
 */
static bool
namesim_scan_start(IndexScanDesc scan)
{
	NamesimScanOpaque so = (NamesimScanOpaque) scan->opaque;
	MemoryContext oldcxt = MemoryContextSwitchTo(so->cxt);
	candhash_hash *qualset = NULL;
	candhash_iterator it;
	NamesimCand *c;
	int			n;

	so->started = true;

	for (int i = 0; i < scan->numberOfKeys; i++)
	{
		ScanKey		key = &scan->keyData[i];
		const NormName *q;
		double		threshold;
		bool		all;
		candhash_hash *set;

		if (key->sk_flags & SK_ISNULL)
		{
			MemoryContextSwitchTo(oldcxt);
			return false;		/* strict operator: nothing matches NULL */
		}
		q = namesim_qual_query(key, &threshold);
		set = namesim_candidates(scan, q, threshold, false, &all);
		if (all)
			continue;
		if (qualset == NULL)
			qualset = set;
		else
		{
			/* intersect: keep the rows of qualset that are in set */
			candhash_start_iterate(qualset, &it);
			while ((c = candhash_iterate(qualset, &it)) != NULL)
				if (candhash_lookup(set, c->tid) == NULL)
					candhash_delete_item(qualset, c);
		}
	}

	if (scan->numberOfOrderBys > 0)
	{
		ScanKey		key = &scan->orderByData[0];

		if (key->sk_flags & SK_ISNULL)
			so->orderbynull = true;
		else
		{
			bool		all;
			candhash_hash *orderset;

			orderset = namesim_candidates(scan, DatumGetNormName(key->sk_argument),
										  0, true, &all);
			so->ordered = true;
			so->results = palloc(sizeof(NamesimResult) * Max(orderset->members, 1));
			n = 0;
			candhash_start_iterate(orderset, &it);
			while ((c = candhash_iterate(orderset, &it)) != NULL)
			{
				if (qualset)
				{
					NamesimCand *qc = candhash_lookup(qualset, c->tid);

					if (qc == NULL)
						continue;
					qc->taken = true;
				}
				so->results[n].tid = c->tid;
				so->results[n].ub = c->ub;
				n++;
			}
			qsort(so->results, n, sizeof(NamesimResult), namesim_result_ub_cmp);
			so->nresults = n;
			so->exclude = orderset;
		}
	}

	if (qualset)
	{
		/* qual rows not returned yet: all of them, or those after the ordered */
		NamesimResult *rest = palloc(sizeof(NamesimResult) * Max(qualset->members, 1));
		int			nrest = 0;

		candhash_start_iterate(qualset, &it);
		while ((c = candhash_iterate(qualset, &it)) != NULL)
		{
			if (c->taken)
				continue;
			rest[nrest].tid = c->tid;
			rest[nrest].ub = 0;
			nrest++;
		}
		qsort(rest, nrest, sizeof(NamesimResult), namesim_result_tid_cmp);
		if (so->nresults == 0)
		{
			so->results = rest;
			so->nresults = nrest;
		}
		else if (nrest > 0)
		{
			so->results = repalloc(so->results, sizeof(NamesimResult) * (so->nresults + nrest));
			memcpy(so->results + so->nresults, rest, sizeof(NamesimResult) * nrest);
			so->nresults += nrest;
		}
	}
	else
	{
		/* no restricting qual: all indexed rows follow the ordered ones */
		so->tail = true;
		so->tailblk = NAMESIM_BUCKET_BLKNO(0);
		so->nblocks = RelationGetNumberOfBlocks(scan->indexRelation);
		so->batch = palloc(sizeof(ItemPointerData) * NAMESIM_PAGE_MAX_POSTINGS);
		so->decoded = palloc(sizeof(NamesimEntry) * NAMESIM_PAGE_MAX_POSTINGS);
	}

	MemoryContextSwitchTo(oldcxt);
	return true;
}

/* Loads the primary postings of the next index page into the batch. */
static bool
namesim_next_batch(IndexScanDesc scan)
{
	NamesimScanOpaque so = (NamesimScanOpaque) scan->opaque;
	Relation	index = scan->indexRelation;

	while (so->tailblk < so->nblocks)
	{
		BlockNumber blkno = so->tailblk++;
		Buffer		buf = ReadBuffer(index, blkno);
		Page		page;
		NamesimEntry *entries;
		int			n;

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		NamesimCheckPage(index, page, blkno, NAMESIM_PRIMARY | NAMESIM_OVERFLOW);
		entries = so->decoded;
		n = NamesimPageDecode(index, page, blkno, entries);
		so->nbatch = so->batchpos = 0;
		for (int i = 0; i < n; i++)
		{
			if (!NamesimEntryIsPrimary(&entries[i]))
				continue;
			if (so->exclude && candhash_lookup(so->exclude, entries[i].tid) != NULL)
				continue;
			so->batch[so->nbatch++] = entries[i].tid;
		}
		UnlockReleaseBuffer(buf);
		CHECK_FOR_INTERRUPTS();
		if (so->nbatch > 0)
			return true;
	}
	return false;
}

static void
namesim_set_orderby(IndexScanDesc scan, float4 ub)
{
	NamesimScanOpaque so = (NamesimScanOpaque) scan->opaque;

	for (int i = 0; i < scan->numberOfOrderBys; i++)
	{
		double		lb = 0;

		if (i == 0 && so->ordered)
			lb = Max(0.0, 1.0 - (double) ub - NAMESIM_BOUND_SLACK);
		if (i == 0 && so->orderbynull)
		{
			scan->xs_orderbyvals[i] = (Datum) 0;
			scan->xs_orderbynulls[i] = true;
			continue;
		}
		scan->xs_orderbyvals[i] = (so->orderbytype == FLOAT4OID) ?
			Float4GetDatum((float4) lb) : Float8GetDatum(lb);
		scan->xs_orderbynulls[i] = false;
	}
	if (scan->numberOfOrderBys > 0)
		scan->xs_recheckorderby = true;
}

bool
namesimgettuple(IndexScanDesc scan, ScanDirection dir)
{
	NamesimScanOpaque so = (NamesimScanOpaque) scan->opaque;

	if (dir != ForwardScanDirection)
		elog(ERROR, "namesim only supports forward scans");

	if (!so->started && !namesim_scan_start(scan))
		return false;

	if (so->pos < so->nresults)
	{
		NamesimResult *r = &so->results[so->pos++];

		scan->xs_heaptid = r->tid;
		scan->xs_recheck = true;
		namesim_set_orderby(scan, r->ub);
		return true;
	}
	if (so->tail)
	{
		if (so->batchpos >= so->nbatch && !namesim_next_batch(scan))
		{
			so->tail = false;
			return false;
		}
		scan->xs_heaptid = so->batch[so->batchpos++];
		scan->xs_recheck = true;
		namesim_set_orderby(scan, 0);
		return true;
	}
	return false;
}

int64
namesimgetbitmap(IndexScanDesc scan, TIDBitmap *tbm)
{
	NamesimScanOpaque so = (NamesimScanOpaque) scan->opaque;
	int64		ntids = 0;

	if (!namesim_scan_start(scan))
		return 0;

	for (int i = 0; i < so->nresults; i++)
		tbm_add_tuples(tbm, &so->results[i].tid, 1, true);
	ntids += so->nresults;

	if (so->tail)
		while (namesim_next_batch(scan))
		{
			tbm_add_tuples(tbm, so->batch, so->nbatch, true);
			ntids += so->nbatch;
		}
	return ntids;
}
