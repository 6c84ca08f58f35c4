/*
 * namesim_vacuum.c
 *	  VACUUM of a namesim index: removing postings of dead rows.
 *
 * Bucket by bucket, under the exclusive lock of the bucket's primary page
 * (so no insert into the chain runs meanwhile), every page of the chain is
 * compacted in place: postings of dead TIDs are dropped and the survivors
 * are rewritten, packed ones packed and plain ones plain (a subset of a
 * page's postings always fits it again).  Each changed page is one generic WAL record together with
 * the primary page, whose chain posting count goes down by what the page
 * lost.  Pages stay in their chain; the bucket's free-space hint is pointed
 * at the first page that now has room, so later inserts fill it.  Rows are
 * counted by their primary posting.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"

#include "namesim.h"

/* A page "has room" for the hint when a typical name's postings fit. */
#define NAMESIM_HINT_ROOM	(16 * sizeof(NamesimEntry))

static void
namesim_vacuum_bucket(Relation index, uint32 bucket, IndexBulkDeleteResult *stats,
					  IndexBulkDeleteCallback callback, void *callback_state)
{
	BlockNumber primblk = NAMESIM_BUCKET_BLKNO(bucket);
	Buffer		primbuf = ReadBuffer(index, primblk);
	BlockNumber blkno = primblk;
	BlockNumber hint = InvalidBlockNumber;
	BlockNumber last = primblk;
	NamesimEntry *entries = palloc(sizeof(NamesimEntry) * NAMESIM_PAGE_MAX_POSTINGS);
	NamesimEntry *keep = palloc(sizeof(NamesimEntry) * NAMESIM_PAGE_MAX_POSTINGS);

	LockBuffer(primbuf, BUFFER_LOCK_EXCLUSIVE);
	NamesimCheckPage(index, BufferGetPage(primbuf), primblk, NAMESIM_PRIMARY);

	while (BlockNumberIsValid(blkno))
	{
		Buffer		buf = (blkno == primblk) ? primbuf : ReadBuffer(index, blkno);
		Page		page;
		int			n;
		int			npacked;
		int			nkeep = 0;
		int			nkeep_packed = 0;
		BlockNumber next;

		if (buf != primbuf)
			LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		page = BufferGetPage(buf);
		NamesimCheckPage(index, page, blkno, NAMESIM_PRIMARY | NAMESIM_OVERFLOW);
		npacked = NamesimPageDecodePacked(index, page, blkno, entries);
		n = NamesimPageDecode(index, page, blkno, entries);

		for (int i = 0; i < n; i++)
		{
			if (callback(&entries[i].tid, callback_state))
			{
				if (NamesimEntryIsPrimary(&entries[i]))
					stats->tuples_removed += 1;
			}
			else
			{
				keep[nkeep++] = entries[i];
				if (i < npacked)
					nkeep_packed++;
				if (NamesimEntryIsPrimary(&entries[i]))
					stats->num_index_tuples += 1;
			}
		}

		if (nkeep < n)
		{
			GenericXLogState *state = GenericXLogStart(index);
			Page		xprim = GenericXLogRegisterBuffer(state, primbuf, 0);
			Page		xpage = (buf == primbuf) ? xprim :
				GenericXLogRegisterBuffer(state, buf, 0);
			NamesimPageOpaque popaque = NamesimPageGetOpaque(xprim);

			NamesimPageRewrite(xpage, keep, nkeep_packed,
							   keep + nkeep_packed, nkeep - nkeep_packed);
			popaque->chain_entries -= Min(popaque->chain_entries, (uint32) (n - nkeep));
			GenericXLogFinish(state);
			page = BufferGetPage(buf);
		}

		if (!BlockNumberIsValid(hint) && PageGetExactFreeSpace(page) >= NAMESIM_HINT_ROOM)
			hint = blkno;
		last = blkno;
		next = NamesimPageGetOpaque(page)->next;
		if (buf != primbuf)
			UnlockReleaseBuffer(buf);
		blkno = next;
		vacuum_delay_point();
	}

	if (!BlockNumberIsValid(hint))
		hint = last;
	if (NamesimPageGetOpaque(BufferGetPage(primbuf))->freehint != hint)
	{
		GenericXLogState *state = GenericXLogStart(index);
		Page		xprim = GenericXLogRegisterBuffer(state, primbuf, 0);

		NamesimPageGetOpaque(xprim)->freehint = hint;
		GenericXLogFinish(state);
	}
	UnlockReleaseBuffer(primbuf);
	pfree(entries);
	pfree(keep);
}

IndexBulkDeleteResult *
namesimbulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
				  IndexBulkDeleteCallback callback, void *callback_state)
{
	Relation	index = info->index;
	NamesimMetaCache *meta = NamesimGetMeta(index);

	if (stats == NULL)
		stats = palloc0(sizeof(IndexBulkDeleteResult));
	/* counts are of this pass; a second pass recounts the survivors */
	stats->num_index_tuples = 0;

	for (uint32 b = 0; b < meta->nbuckets; b++)
		namesim_vacuum_bucket(index, b, stats, callback, callback_state);

	stats->num_pages = RelationGetNumberOfBlocks(index);
	return stats;
}

/* Counts rows (primary postings) when no bulk delete ran. */
static double
namesim_count_rows(Relation index)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	double		rows = 0;
	NamesimEntry *entries = palloc(sizeof(NamesimEntry) * NAMESIM_PAGE_MAX_POSTINGS);

	for (BlockNumber blkno = NAMESIM_BUCKET_BLKNO(0); blkno < nblocks; blkno++)
	{
		int			n = NamesimReadPage(index, blkno, entries, NULL);

		for (int i = 0; i < n; i++)
			if (NamesimEntryIsPrimary(&entries[i]))
				rows += 1;
		vacuum_delay_point();
	}
	return rows;
}

IndexBulkDeleteResult *
namesimvacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	Relation	index = info->index;

	if (info->analyze_only)
		return stats;

	if (stats == NULL)
	{
		stats = palloc0(sizeof(IndexBulkDeleteResult));
		stats->num_index_tuples = namesim_count_rows(index);
	}
	stats->num_pages = RelationGetNumberOfBlocks(index);
	return stats;
}
