/*
 * namesim_utils.c
 *	  Pages, the metapage and block keys of the namesim index.
 *
 * Everything that knows the byte layout of a namesim page lives here: page
 * initialization and the check of the page id and flags done on every read,
 * the metapage (magic, version, bucket count, and the ICU and normname
 * versions that produced the indexed names), appending postings, and the
 * mapping from a name to its distinct block keys, their bucket and their
 * fingerprint.  Build, insert, scan, vacuum and check all go through these,
 * so they agree on where a key lives.
 */
#include "postgres.h"

#include <math.h>

#include <unicode/uversion.h>

#include "access/htup_details.h"
#include "common/hashfn.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "namesim.h"

/* Seed that makes the fingerprint independent of the bucket hash. */
#define NAMESIM_FP_SEED		0x5bd1e995

static int
namesim_key_cmp(const void *a, const void *b)
{
	uint32		ha = ((const NamesimKey *) a)->hash;
	uint32		hb = ((const NamesimKey *) b)->hash;

	return (ha > hb) - (ha < hb);
}

/*
 * The distinct block keys of a name, sorted by hash, each with the mask of
 * the tokens that have it.  murmurhash32 is a bijection of uint32, so equal
 * hashes mean equal keys.  A name without any key gets the single key 0 so
 * that every indexed row has at least one posting.  Returns the count.
 */
int
NamesimNameKeys(const NormName *name, NamesimKey *keys)
{
	uint32		tokkeys[NAMESIM_MAX_TOKEN_KEYS];
	int			n = 0;
	int			ntokens = Min(name->ntokens, NORMNAME_MAX_TOKENS);

	for (int i = 0; i < ntokens; i++)
	{
		int			nk = NameTokenBlockKeys(name, i, tokkeys);

		if (nk < 0 || nk > NAMESIM_MAX_TOKEN_KEYS)
			elog(ERROR, "block key count %d out of range", nk);
		for (int k = 0; k < nk; k++)
		{
			keys[n].hash = murmurhash32(tokkeys[k]);
			keys[n].fp = (uint16) (murmurhash32(tokkeys[k] ^ NAMESIM_FP_SEED) & NAMESIM_FP_MASK);
			keys[n].tokens = UINT64CONST(1) << i;
			n++;
		}
	}
	if (n == 0)
	{
		keys[0].hash = murmurhash32(0);
		keys[0].fp = (uint16) (murmurhash32(0 ^ NAMESIM_FP_SEED) & NAMESIM_FP_MASK);
		keys[0].tokens = 0;
		return 1;
	}

	qsort(keys, n, sizeof(NamesimKey), namesim_key_cmp);

	/* merge duplicates, OR-ing their token masks */
	{
		int			out = 0;

		for (int i = 1; i < n; i++)
		{
			if (keys[i].hash == keys[out].hash)
				keys[out].tokens |= keys[i].tokens;
			else
				keys[++out] = keys[i];
		}
		n = out + 1;
	}
	return n;
}

/*
 * The bucket of a key hash: hash * nbuckets / 2^32, which grows with the
 * hash, so postings sorted by hash come grouped by bucket for any count.
 */
uint32
NamesimBucket(uint32 hash, uint32 nbuckets)
{
	return (uint32) (((uint64) hash * nbuckets) >> 32);
}

/*
 * Bucket count for a number of postings: such that the buckets' packed
 * pages are about NAMESIM_BUILD_FILL full, unless the user asked for a
 * count.
 */
uint32
NamesimChooseBuckets(double postings, int requested)
{
	double		want;

	if (requested > 0)
		want = requested;
	else
		want = ceil(postings * NAMESIM_PACKED_POSTING_BYTES /
					(NAMESIM_PAGE_SPACE * NAMESIM_BUILD_FILL));
	return (uint32) Max(NAMESIM_MIN_BUCKETS, Min(want, NAMESIM_MAX_BUCKETS));
}

void
NamesimInitPage(Page page, uint16 flags, uint32 bucket)
{
	NamesimPageOpaque opaque;

	PageInit(page, BLCKSZ, sizeof(NamesimPageOpaqueData));
	opaque = NamesimPageGetOpaque(page);
	opaque->next = InvalidBlockNumber;
	opaque->freehint = InvalidBlockNumber;
	opaque->chain_entries = 0;
	opaque->bucket = bucket;
	opaque->packed_len = 0;
	opaque->flags = flags;
	opaque->page_id = NAMESIM_PAGE_ID;
}

/* The ICU version linked into this server, as ICU reports it. */
void
NamesimIcuVersion(uint8 *version)
{
	UVersionInfo v;

	u_getVersion(v);
	memcpy(version, v, 4);
}

void
NamesimInitMetaPage(Page page, uint32 nbuckets, uint64 rows, uint64 postings)
{
	NamesimMetaPageData *meta;
	NamesimInitPage(page, NAMESIM_META, 0);
	meta = NamesimPageGetMeta(page);
	memset(meta, 0, sizeof(NamesimMetaPageData));
	meta->magic = NAMESIM_MAGIC;
	meta->version = NAMESIM_VERSION;
	meta->nbuckets = nbuckets;
	meta->normname_version = NORMNAME_FORMAT_VERSION;
	NamesimIcuVersion(meta->icu_version);
	meta->build_rows = rows;
	meta->build_postings = postings;
	((PageHeader) page)->pd_lower =
		((char *) meta + sizeof(NamesimMetaPageData)) - (char *) page;
}

/*
 * Verify that a page read from disk is a namesim page of the expected kind
 * (any of expected_flags); an error otherwise, as amcheck would report it.
 */
void
NamesimCheckPage(Relation index, Page page, BlockNumber blkno,
				 uint16 expected_flags)
{
	NamesimPageOpaque opaque;

	if (PageIsNew(page) ||
		((PageHeader) page)->pd_special != BLCKSZ - MAXALIGN(sizeof(NamesimPageOpaqueData)))
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" contains unexpected zero or foreign page at block %u",
						RelationGetRelationName(index), blkno),
				 errhint("Please REINDEX it.")));
	opaque = NamesimPageGetOpaque(page);
	if (opaque->page_id != NAMESIM_PAGE_ID || (opaque->flags & expected_flags) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" has a corrupted page at block %u",
						RelationGetRelationName(index), blkno),
				 errdetail("Page id is %04X with flags %X, expected id %04X with flags %X.",
						   opaque->page_id, opaque->flags, NAMESIM_PAGE_ID, expected_flags),
				 errhint("Please REINDEX it.")));
	if (((PageHeader) page)->pd_lower < NAMESIM_CONTENTS_OFF ||
		((PageHeader) page)->pd_lower > ((PageHeader) page)->pd_upper ||
		(!(opaque->flags & NAMESIM_META) &&
		 (((PageHeader) page)->pd_lower < NamesimPagePlainOff(page) ||
		  (((PageHeader) page)->pd_lower - NamesimPagePlainOff(page)) % sizeof(NamesimEntry) != 0)))
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" has a page with a bad free-space pointer at block %u",
						RelationGetRelationName(index), blkno),
				 errhint("Please REINDEX it.")));
}

/*
 * The metapage's bucket count, cached in the relcache entry (it is fixed
 * from build to the next REINDEX, which gives the index a new relcache
 * entry).  Warns once per backend and index if the index was built by a
 * different ICU, whose normalization may differ from today's.
 */
NamesimMetaCache *
NamesimGetMeta(Relation index)
{
	Buffer		buf;
	Page		page;
	NamesimMetaPageData *meta;
	NamesimMetaCache *cache;
	uint8		icu[4];

	if (index->rd_amcache != NULL)
		return (NamesimMetaCache *) index->rd_amcache;

	buf = ReadBuffer(index, NAMESIM_METAPAGE_BLKNO);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	NamesimCheckPage(index, page, NAMESIM_METAPAGE_BLKNO, NAMESIM_META);
	meta = NamesimPageGetMeta(page);
	if (meta->magic != NAMESIM_MAGIC || meta->version != NAMESIM_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" has an unsupported metapage",
						RelationGetRelationName(index)),
				 errdetail("Magic is %08X version %u, expected %08X version %u.",
						   meta->magic, meta->version, NAMESIM_MAGIC, NAMESIM_VERSION),
				 errhint("Please REINDEX it.")));
	if (meta->nbuckets < NAMESIM_MIN_BUCKETS || meta->nbuckets > NAMESIM_MAX_BUCKETS)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" has a bad bucket count %u",
						RelationGetRelationName(index), meta->nbuckets),
				 errhint("Please REINDEX it.")));

	NamesimIcuVersion(icu);
	if (memcmp(icu, meta->icu_version, 4) != 0 ||
		meta->normname_version != NORMNAME_FORMAT_VERSION)
		ereport(WARNING,
				(errmsg("index \"%s\" was built with ICU %u.%u and normname format %u, this server uses ICU %u.%u and format %u",
						RelationGetRelationName(index),
						meta->icu_version[0], meta->icu_version[1], meta->normname_version,
						icu[0], icu[1], NORMNAME_FORMAT_VERSION),
				 errdetail("Names normalized by another ICU version may get other block keys."),
				 errhint("Rebuild the index with REINDEX.")));

	cache = MemoryContextAlloc(index->rd_indexcxt, sizeof(NamesimMetaCache));
	cache->nbuckets = meta->nbuckets;
	UnlockReleaseBuffer(buf);

	index->rd_amcache = cache;
	return cache;
}

/*
 * A new page at the end of the index, pinned and exclusively locked; the
 * caller initializes it (through generic WAL when the index is logged).
 */
Buffer
NamesimNewBuffer(Relation index)
{
	Buffer		buf;
	bool		needLock = !RELATION_IS_LOCAL(index);

	if (needLock)
		LockRelationForExtension(index, ExclusiveLock);
	buf = ReadBuffer(index, P_NEW);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	if (needLock)
		UnlockRelationForExtension(index, ExclusiveLock);
	return buf;
}

/* Append n postings to a page if they fit; false if they do not. */
bool
NamesimPageAppend(Page page, const NamesimEntry *entries, int n)
{
	PageHeader	hdr = (PageHeader) page;
	Size		len = sizeof(NamesimEntry) * n;

	if (hdr->pd_lower + len > hdr->pd_upper)
		return false;
	memcpy((char *) page + hdr->pd_lower, entries, len);
	hdr->pd_lower += len;
	return true;
}

/* Order of packed postings: fingerprint, then TID. */
int
NamesimEntryCmp(const void *a, const void *b)
{
	const NamesimEntry *ea = a;
	const NamesimEntry *eb = b;

	if (NamesimEntryFp(ea) != NamesimEntryFp(eb))
		return NamesimEntryFp(ea) < NamesimEntryFp(eb) ? -1 : 1;
	return ItemPointerCompare((ItemPointer) &ea->tid, (ItemPointer) &eb->tid);
}

/* A TID as one ascending number: block, then 11 bits of offset. */
static inline uint64
namesim_tid_value(const ItemPointerData *tid)
{
	return ((uint64) ItemPointerGetBlockNumberNoCheck(tid) << 11) |
		ItemPointerGetOffsetNumberNoCheck(tid);
}

static inline int
namesim_varbyte_len(uint64 v)
{
	int			len = 1;

	while (v >= 0x80)
	{
		v >>= 7;
		len++;
	}
	return len;
}

/*
 * Packs postings sorted by NamesimEntryCmp into dst, as many as fit in
 * space bytes; returns how many were packed and sets *used to the bytes.
 */
int
NamesimPack(const NamesimEntry *sorted, int n, char *dst, int space, int *used)
{
	int			pos = 0;
	int			i = 0;

	StaticAssertStmt(MaxHeapTuplesPerPage < 2048, "heap offsets must fit 11 bits");
	while (i < n)
	{
		uint16		fp = NamesimEntryFp(&sorted[i]);
		uint16		count = 0;
		uint64		prev = 0;
		int			hdr = pos;
		uint64		first = (namesim_tid_value(&sorted[i].tid) << 1) | 1;

		if (pos + 4 + namesim_varbyte_len(first) > space)
			break;
		pos += 4;
		while (i < n && NamesimEntryFp(&sorted[i]) == fp && count < PG_UINT16_MAX)
		{
			uint64		tv = namesim_tid_value(&sorted[i].tid);
			uint64		v = ((tv - prev) << 1) | (NamesimEntryIsPrimary(&sorted[i]) ? 1 : 0);

			if (pos + namesim_varbyte_len(v) > space)
				break;
			while (v >= 0x80)
			{
				dst[pos++] = (char) (0x80 | (v & 0x7F));
				v >>= 7;
			}
			dst[pos++] = (char) v;
			prev = tv;
			count++;
			i++;
		}
		memcpy(dst + hdr, &fp, sizeof(uint16));
		memcpy(dst + hdr + 2, &count, sizeof(uint16));
	}
	*used = pos;
	return i;
}

static void
namesim_bad_packing(Relation index, BlockNumber blkno)
{
	ereport(ERROR,
			(errcode(ERRCODE_INDEX_CORRUPTED),
			 errmsg("index \"%s\" has corrupted packed postings at block %u",
					RelationGetRelationName(index), blkno),
			 errhint("Please REINDEX it.")));
}

/* Decodes the packed postings of a page into out; returns their count. */
int
NamesimPageDecodePacked(Relation index, Page page, BlockNumber blkno,
						NamesimEntry *out)
{
	const unsigned char *p = (unsigned char *) page + NAMESIM_CONTENTS_OFF;
	int			len = NamesimPageGetOpaque(page)->packed_len;
	int			pos = 0;
	int			n = 0;

	if (len > (int) NAMESIM_PAGE_SPACE)
		namesim_bad_packing(index, blkno);
	while (pos < len)
	{
		uint16		fp;
		uint16		count;
		uint64		prev = 0;

		if (pos + 4 > len)
			namesim_bad_packing(index, blkno);
		memcpy(&fp, p + pos, sizeof(uint16));
		memcpy(&count, p + pos + 2, sizeof(uint16));
		pos += 4;
		if (count == 0 || (fp & ~NAMESIM_FP_MASK) != 0)
			namesim_bad_packing(index, blkno);
		for (int c = 0; c < count; c++)
		{
			uint64		v = 0;
			int			shift = 0;
			uint64		tv;

			for (;;)
			{
				if (pos >= len || shift > 63)
					namesim_bad_packing(index, blkno);
				v |= (uint64) (p[pos] & 0x7F) << shift;
				shift += 7;
				if ((p[pos++] & 0x80) == 0)
					break;
			}
			tv = prev + (v >> 1);
			prev = tv;
			if (n >= (int) NAMESIM_PAGE_MAX_POSTINGS || (tv >> 11) > MaxBlockNumber)
				namesim_bad_packing(index, blkno);
			out[n].fpflags = fp | ((v & 1) ? NAMESIM_PRIMARY_FLAG : 0);
			ItemPointerSet(&out[n].tid, (BlockNumber) (tv >> 11), (OffsetNumber) (tv & 2047));
			n++;
		}
	}
	return n;
}

/* All postings of a page, packed then plain; returns their count. */
int
NamesimPageDecode(Relation index, Page page, BlockNumber blkno, NamesimEntry *out)
{
	int			n = NamesimPageDecodePacked(index, page, blkno, out);
	int			nplain = NamesimPageGetNEntries(page);

	memcpy(out + n, NamesimPageGetEntries(page), sizeof(NamesimEntry) * nplain);
	return n + nplain;
}

/*
 * Reads the postings of page blkno into entries, holding a share lock only
 * while decoding; returns how many, and the bucket chain's next block in
 * *next if next is not NULL.
 */
int
NamesimReadPage(Relation index, BlockNumber blkno, NamesimEntry *entries,
				BlockNumber *next)
{
	Buffer		buf = ReadBuffer(index, blkno);
	Page		page;
	int			n;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	NamesimCheckPage(index, page, blkno, NAMESIM_PRIMARY | NAMESIM_OVERFLOW);
	n = NamesimPageDecode(index, page, blkno, entries);
	if (next)
		*next = NamesimPageGetOpaque(page)->next;
	UnlockReleaseBuffer(buf);
	return n;
}

/*
 * Rewrites a page's postings: packed ones (sorted) packed, plain ones
 * plain.  Subsets of what a page held always fit again.
 */
void
NamesimPageRewrite(Page page, const NamesimEntry *packed, int npacked,
				   const NamesimEntry *plain, int nplain)
{
	int			used;

	if (NamesimPack(packed, npacked, (char *) page + NAMESIM_CONTENTS_OFF,
					NAMESIM_PAGE_SPACE, &used) != npacked)
		elog(ERROR, "namesim packed postings do not fit their page");
	NamesimPageGetOpaque(page)->packed_len = (uint16) used;
	((PageHeader) page)->pd_lower = NamesimPagePlainOff(page);
	if (!NamesimPageAppend(page, plain, nplain))
		elog(ERROR, "namesim postings do not fit their page");
}
