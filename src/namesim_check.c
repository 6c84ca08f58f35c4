/*
 * namesim_check.c
 *	  sanctions.namesim_check(index, heapallindexed): verifies a namesim
 *	  index, as amcheck verifies a btree.
 *
 * It takes ShareLock on the table and the index (writes wait, reads go on).
 * Structure: the metapage (magic, version, power-of-two bucket count); each
 * bucket's chain: page ids and flags, bucket numbers, no page reached twice, valid
 * TIDs, the free-space hint inside the chain, and the chain's posting count
 * equal to its postings.  Every page outside the chains must be unused (an
 * all-zero page left by an extension that a crash interrupted).
 * With heapallindexed, every row visible to a fresh MVCC snapshot must have
 * every posting its name's block keys call for, in the right bucket, with
 * exactly one primary posting.  Any violation raises ERRCODE_INDEX_CORRUPTED.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/relation.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "catalog/pg_am.h"
#include "commands/defrem.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "namesim.h"

/* One posting as found in the index, with its bucket. */
typedef struct NamesimPostingKey
{
	ItemPointerData tid;
	uint16		fpflags;
	uint32		bucket;
} NamesimPostingKey;

typedef struct NamesimPostingEntry
{
	NamesimPostingKey key;
	char		status;
} NamesimPostingEntry;

static inline uint32
namesim_posting_hash(NamesimPostingKey k)
{
	return NamesimTidHash(k.tid, k.bucket ^ ((uint32) k.fpflags << 20));
}

static inline bool
namesim_posting_equal(NamesimPostingKey a, NamesimPostingKey b)
{
	return ItemPointerEquals(&a.tid, &b.tid) && a.fpflags == b.fpflags &&
		a.bucket == b.bucket;
}

#define SH_PREFIX		postingset
#define SH_ELEMENT_TYPE NamesimPostingEntry
#define SH_KEY_TYPE		NamesimPostingKey
#define SH_KEY			key
#define SH_HASH_KEY(tb, key)	namesim_posting_hash(key)
#define SH_EQUAL(tb, a, b)		namesim_posting_equal(a, b)
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

typedef struct NamesimCheckState
{
	Relation	index;
	uint32		nbuckets_log2;
	postingset_hash *postings;	/* NULL unless heapallindexed */
	NamesimKey *keys;
	MemoryContext tmpcxt;
	double		rows;
} NamesimCheckState;

static void
namesim_corrupt(Relation index, const char *what, BlockNumber blkno)
{
	ereport(ERROR,
			(errcode(ERRCODE_INDEX_CORRUPTED),
			 errmsg("index \"%s\" is corrupted at block %u: %s",
					RelationGetRelationName(index), blkno, what),
			 errhint("Please REINDEX it.")));
}

/* Walks and checks one bucket chain; remembers postings if asked to. */
static void
namesim_check_bucket(NamesimCheckState *cs, uint32 bucket, bool *visited,
					 BlockNumber nblocks)
{
	Relation	index = cs->index;
	BlockNumber primblk = NAMESIM_BUCKET_BLKNO(bucket);
	Buffer		primbuf = ReadBuffer(index, primblk);
	BlockNumber blkno = primblk;
	BlockNumber freehint;
	uint32		chain_entries;
	uint64		counted = 0;
	bool		hint_in_chain = false;

	LockBuffer(primbuf, BUFFER_LOCK_SHARE);
	NamesimCheckPage(index, BufferGetPage(primbuf), primblk, NAMESIM_PRIMARY);
	freehint = NamesimPageGetOpaque(BufferGetPage(primbuf))->freehint;
	chain_entries = NamesimPageGetOpaque(BufferGetPage(primbuf))->chain_entries;

	while (BlockNumberIsValid(blkno))
	{
		Buffer		buf;
		Page		page;
		NamesimPageOpaque opaque;
		NamesimEntry *entries;
		int			n;

		if (blkno >= nblocks)
			namesim_corrupt(index, "chain link points past the end of the index", blkno);
		if (visited[blkno])
			namesim_corrupt(index, "page is reached twice through bucket chains", blkno);
		visited[blkno] = true;

		buf = (blkno == primblk) ? primbuf : ReadBuffer(index, blkno);
		if (buf != primbuf)
			LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		NamesimCheckPage(index, page, blkno,
						 blkno == primblk ? NAMESIM_PRIMARY : NAMESIM_OVERFLOW);
		opaque = NamesimPageGetOpaque(page);
		if (opaque->bucket != bucket)
			namesim_corrupt(index, "page belongs to another bucket than its chain", blkno);
		if (blkno == freehint)
			hint_in_chain = true;

		entries = NamesimPageGetEntries(page);
		n = NamesimPageGetNEntries(page);
		for (int i = 0; i < n; i++)
		{
			ItemPointer tid = &entries[i].tid;

			if (!ItemPointerIsValid(tid) ||
				ItemPointerGetOffsetNumberNoCheck(tid) > MaxHeapTuplesPerPage)
				namesim_corrupt(index, "posting has an invalid heap TID", blkno);
			if (cs->postings)
			{
				NamesimPostingKey k;
				bool		found;

				k.tid = *tid;
				k.fpflags = entries[i].fpflags;
				k.bucket = bucket;
				postingset_insert(cs->postings, k, &found);
			}
		}
		counted += n;
		blkno = opaque->next;
		if (buf != primbuf)
			UnlockReleaseBuffer(buf);
		CHECK_FOR_INTERRUPTS();
	}

	if (!hint_in_chain)
		namesim_corrupt(index, "free-space hint of the bucket is outside its chain", primblk);
	if (counted != chain_entries)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" is corrupted at block %u: bucket %u counts %u postings but holds " UINT64_FORMAT,
						RelationGetRelationName(index), primblk, bucket,
						chain_entries, counted),
				 errhint("Please REINDEX it.")));
	UnlockReleaseBuffer(primbuf);
}

/* heapallindexed: every visible row must have all of its postings. */
static void
namesim_check_row(Relation index, ItemPointer tid, Datum *values, bool *isnull,
				  bool tupleIsAlive, void *state)
{
	NamesimCheckState *cs = (NamesimCheckState *) state;
	MemoryContext oldcxt;
	int			nkeys;

	if (isnull[0])
		return;
	oldcxt = MemoryContextSwitchTo(cs->tmpcxt);
	nkeys = NamesimNameKeys(DatumGetNormName(values[0]), cs->keys);
	for (int i = 0; i < nkeys; i++)
	{
		NamesimPostingKey k;

		k.tid = *tid;
		k.fpflags = cs->keys[i].fp | (i == 0 ? NAMESIM_PRIMARY_FLAG : 0);
		k.bucket = NamesimBucket(cs->keys[i].hash, cs->nbuckets_log2);
		if (postingset_lookup(cs->postings, k) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INDEX_CORRUPTED),
					 errmsg("index \"%s\" lacks a posting of heap row (%u,%u)",
							RelationGetRelationName(index),
							ItemPointerGetBlockNumber(tid),
							ItemPointerGetOffsetNumber(tid)),
					 errdetail("Block key %d of %d of the row's name is not in bucket %u.",
							   i + 1, nkeys, k.bucket),
					 errhint("Please REINDEX it.")));
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(cs->tmpcxt);
	cs->rows += 1;
}

PG_FUNCTION_INFO_V1(namesim_check);
Datum
namesim_check(PG_FUNCTION_ARGS)
{
	Oid			indexoid = PG_GETARG_OID(0);
	bool		heapallindexed = PG_GETARG_BOOL(1);
	Oid			heapoid;
	Relation	heap;
	Relation	index;
	Buffer		buf;
	NamesimMetaPageData meta;
	BlockNumber nblocks;
	bool	   *visited;
	NamesimCheckState cs;

	heapoid = IndexGetRelation(indexoid, true);
	if (!OidIsValid(heapoid))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not an index", get_rel_name(indexoid) ? get_rel_name(indexoid) : "?")));
	heap = table_open(heapoid, ShareLock);
	index = index_open(indexoid, ShareLock);
	if (index->rd_rel->relam != get_index_am_oid("namesim", false))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a namesim index", RelationGetRelationName(index))));
	if (RELATION_IS_OTHER_TEMP(index))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot check temporary indexes of other sessions")));
	if (!index->rd_index->indisvalid)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot check index \"%s\"", RelationGetRelationName(index)),
				 errdetail("Index is not valid.")));

	/* metapage, read from disk rather than from the relcache */
	buf = ReadBuffer(index, NAMESIM_METAPAGE_BLKNO);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	NamesimCheckPage(index, BufferGetPage(buf), NAMESIM_METAPAGE_BLKNO, NAMESIM_META);
	meta = *NamesimPageGetMeta(BufferGetPage(buf));
	UnlockReleaseBuffer(buf);
	if (meta.magic != NAMESIM_MAGIC || meta.version != NAMESIM_VERSION)
		namesim_corrupt(index, "metapage has a wrong magic number or version", 0);
	if (meta.nbuckets_log2 > 20 || meta.nbuckets != (((uint32) 1) << meta.nbuckets_log2))
		namesim_corrupt(index, "metapage has a bad bucket count", 0);

	nblocks = RelationGetNumberOfBlocks(index);
	if (nblocks < meta.nbuckets + 1)
		namesim_corrupt(index, "index is shorter than its buckets", nblocks);

	cs.index = index;
	cs.nbuckets_log2 = meta.nbuckets_log2;
	cs.postings = heapallindexed ?
		postingset_create(CurrentMemoryContext, 1024, NULL) : NULL;
	cs.keys = palloc(sizeof(NamesimKey) * NAMESIM_MAX_NAME_KEYS);
	cs.tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "namesim check",
									  ALLOCSET_DEFAULT_SIZES);
	cs.rows = 0;

	visited = palloc0(sizeof(bool) * nblocks);
	visited[NAMESIM_METAPAGE_BLKNO] = true;
	for (uint32 b = 0; b < meta.nbuckets; b++)
		namesim_check_bucket(&cs, b, visited, nblocks);

	/* pages outside every chain must be unused */
	for (BlockNumber blkno = 0; blkno < nblocks; blkno++)
	{
		Page		page;

		if (visited[blkno])
			continue;
		buf = ReadBuffer(index, blkno);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		if (!PageIsNew(page))
			namesim_corrupt(index, "page is in no bucket chain", blkno);
		UnlockReleaseBuffer(buf);
	}

	if (heapallindexed)
	{
		Snapshot	snapshot = RegisterSnapshot(GetTransactionSnapshot());
		TableScanDesc scan = table_beginscan_strat(heap, snapshot, 0, NULL, true, true);
		IndexInfo  *indexInfo = BuildIndexInfo(index);

		indexInfo->ii_Concurrent = true;
		table_index_build_scan(heap, index, indexInfo, true, false,
							   namesim_check_row, &cs, scan);
		UnregisterSnapshot(snapshot);
	}

	index_close(index, ShareLock);
	table_close(heap, ShareLock);
	PG_RETURN_VOID();
}
