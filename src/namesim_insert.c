/*
 * namesim_insert.c
 *	  Inserting one row into a namesim index.
 *
 * A row's name has a few distinct block keys; each goes to its bucket.  For
 * each bucket touched, the inserter locks the bucket's primary page (which
 * serializes changes to that chain), follows the chain from the bucket's
 * free-space hint to the first page with room, appends the postings there,
 * or links a new overflow page at the end, and bumps the chain's posting
 * count.  All of it is one generic WAL record (primary page, target page,
 * and the new page when the chain grows), so a crash leaves the chain either
 * unchanged or complete.  Postings are appended, never shifted, so the
 * record holds only the new bytes.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "namesim.h"

static void
namesim_bucket_insert(Relation index, uint32 bucket, const NamesimEntry *entries,
					  int n)
{
	BlockNumber primblk = NAMESIM_BUCKET_BLKNO(bucket);
	Buffer		primbuf;
	Buffer		buf;
	Page		page;
	NamesimPageOpaque opaque;
	BlockNumber blkno;
	bool		fits = false;
	GenericXLogState *state;
	Page		xprim;
	Page		xpage;
	Buffer		newbuf = InvalidBuffer;

	primbuf = ReadBuffer(index, primblk);
	LockBuffer(primbuf, BUFFER_LOCK_EXCLUSIVE);
	page = BufferGetPage(primbuf);
	NamesimCheckPage(index, page, primblk, NAMESIM_PRIMARY);
	opaque = NamesimPageGetOpaque(page);

	/* walk from the free-space hint to the first page with room */
	blkno = BlockNumberIsValid(opaque->freehint) ? opaque->freehint : primblk;
	buf = primbuf;
	if (blkno != primblk)
	{
		buf = ReadBuffer(index, blkno);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	}
	for (;;)
	{
		BlockNumber next;

		page = BufferGetPage(buf);
		NamesimCheckPage(index, page, blkno, NAMESIM_PRIMARY | NAMESIM_OVERFLOW);
		if (NamesimPageGetOpaque(page)->bucket != bucket)
			ereport(ERROR,
					(errcode(ERRCODE_INDEX_CORRUPTED),
					 errmsg("index \"%s\" has page %u of bucket %u in the chain of bucket %u",
							RelationGetRelationName(index), blkno,
							NamesimPageGetOpaque(page)->bucket, bucket),
					 errhint("Please REINDEX it.")));
		if (PageGetExactFreeSpace(page) >= sizeof(NamesimEntry) * n)
		{
			fits = true;
			break;
		}
		next = NamesimPageGetOpaque(page)->next;
		if (!BlockNumberIsValid(next))
			break;
		if (buf != primbuf)
			UnlockReleaseBuffer(buf);
		blkno = next;
		buf = ReadBuffer(index, blkno);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	}

	if (!fits)
		newbuf = NamesimNewBuffer(index);

	/* one WAL record: primary page, target page, and the new page if any */
	state = GenericXLogStart(index);
	xprim = GenericXLogRegisterBuffer(state, primbuf, 0);
	xpage = (buf == primbuf) ? xprim : GenericXLogRegisterBuffer(state, buf, 0);
	if (fits)
	{
		if (!NamesimPageAppend(xpage, entries, n))
			elog(ERROR, "namesim page has no room after all");
		NamesimPageGetOpaque(xprim)->freehint = blkno;
	}
	else
	{
		Page		xnew = GenericXLogRegisterBuffer(state, newbuf, GENERIC_XLOG_FULL_IMAGE);

		NamesimInitPage(xnew, NAMESIM_OVERFLOW, bucket);
		if (!NamesimPageAppend(xnew, entries, n))
			elog(ERROR, "namesim postings do not fit an empty page");
		NamesimPageGetOpaque(xpage)->next = BufferGetBlockNumber(newbuf);
		NamesimPageGetOpaque(xprim)->freehint = BufferGetBlockNumber(newbuf);
	}
	NamesimPageGetOpaque(xprim)->chain_entries += n;
	GenericXLogFinish(state);

	if (BufferIsValid(newbuf))
		UnlockReleaseBuffer(newbuf);
	if (buf != primbuf)
		UnlockReleaseBuffer(buf);
	UnlockReleaseBuffer(primbuf);
}

bool
namesiminsert(Relation index, Datum *values, bool *isnull,
			  ItemPointer ht_ctid, Relation heapRel,
			  IndexUniqueCheck checkUnique, bool indexUnchanged,
			  IndexInfo *indexInfo)
{
	MemoryContext tmpcxt;
	MemoryContext oldcxt;
	NamesimMetaCache *meta;
	NamesimKey *keys;
	NamesimEntry *entries;
	int			nkeys;
	int			start;

	if (isnull[0])
		return false;

	meta = NamesimGetMeta(index);

	tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "namesim insert",
								   ALLOCSET_SMALL_SIZES);
	oldcxt = MemoryContextSwitchTo(tmpcxt);

	keys = palloc(sizeof(NamesimKey) * NAMESIM_MAX_NAME_KEYS);
	entries = palloc(sizeof(NamesimEntry) * NAMESIM_MAX_NAME_KEYS);
	nkeys = NamesimNameKeys(DatumGetNormName(values[0]), keys);
	for (int i = 0; i < nkeys; i++)
	{
		entries[i].fpflags = keys[i].fp | (i == 0 ? NAMESIM_PRIMARY_FLAG : 0);
		entries[i].tid = *ht_ctid;
	}

	/* keys are sorted by hash, so the keys of one bucket are adjacent */
	start = 0;
	while (start < nkeys)
	{
		uint32		bucket = NamesimBucket(keys[start].hash, meta->nbuckets_log2);
		int			end = start + 1;

		while (end < nkeys && NamesimBucket(keys[end].hash, meta->nbuckets_log2) == bucket)
			end++;
		namesim_bucket_insert(index, bucket, &entries[start], end - start);
		start = end;
	}

	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(tmpcxt);
	return false;
}
