/*
 * namesim.h
 *	  The namesim index access method: on-disk layout, scan state and the
 *	  functions shared by its phases (build, insert, scan, vacuum, check).
 *
 * A namesim index is an inverted file keyed by the scorer's token block keys
 * (similarity.h), hashed into a fixed number of buckets chosen at build time.
 * Block 0 is the metapage; blocks 1..nbuckets are the buckets' primary pages;
 * every later block is an overflow page chained from exactly one bucket.
 * A page holds fixed-size postings (key fingerprint, heap TID) appended in
 * order.  See namesim_build.c for the design and why the scan is exact.
 */
#ifndef SANCTIONS_NAMESIM_H
#define SANCTIONS_NAMESIM_H

#include "postgres.h"

#include "access/amapi.h"
#include "access/generic_xlog.h"
#include "access/itup.h"
#include "access/relscan.h"
#include "common/hashfn.h"
#include "nodes/execnodes.h"
#include "nodes/pathnodes.h"
#include "storage/bufmgr.h"
#include "utils/relcache.h"

#include "normname.h"
#include "similarity.h"

/* Operator strategies of the operator class (see sanctions--1.0.sql). */
#define NAMESIM_SIMILAR_STRATEGY		1	/* normname % normname (GUC threshold) */
#define NAMESIM_SIMILAR_QUERY_STRATEGY	2	/* normname %> namequery (own threshold) */
#define NAMESIM_DISTANCE_STRATEGY		3	/* normname <-> normname, ORDER BY */
#define NAMESIM_NSTRATEGIES				3

/* Identification of pages and of the metapage. */
#define NAMESIM_PAGE_ID			0xFF8E
#define NAMESIM_MAGIC			0x4E53494D	/* "NSIM" */
#define NAMESIM_VERSION			1

#define NAMESIM_METAPAGE_BLKNO	0
#define NAMESIM_BUCKET_BLKNO(b)	((BlockNumber) (b) + 1)

/* Page flags */
#define NAMESIM_META			(1 << 0)
#define NAMESIM_PRIMARY			(1 << 1)	/* first page of a bucket */
#define NAMESIM_OVERFLOW		(1 << 2)	/* later page of a bucket chain */

/* Bucket count, chosen at build (reloption "buckets"). */
#define NAMESIM_MIN_BUCKETS		16
#define NAMESIM_MAX_BUCKETS		(1 << 20)
#define NAMESIM_BUILD_FILL		0.85	/* target fill of a bucket's pages */

/*
 * A posting: the fingerprint of a block key (the bucket is given by the page)
 * and the heap TID of a row having that key.  The high bit marks the row's
 * one "primary" posting, so that every indexed row can be enumerated once.
 * This is the form of postings in memory and of "plain" postings on a page.
 */
typedef struct NamesimEntry
{
	uint16		fpflags;
	ItemPointerData tid;
} NamesimEntry;

#define NAMESIM_FP_MASK			0x7FFF
#define NAMESIM_PRIMARY_FLAG	0x8000
#define NamesimEntryFp(e)		((e)->fpflags & NAMESIM_FP_MASK)
#define NamesimEntryIsPrimary(e) (((e)->fpflags & NAMESIM_PRIMARY_FLAG) != 0)

/*
 * Special space of every page.
 *
 * A bucket page holds first "packed" postings (written by the build: groups
 * of one fingerprint, uint16 fingerprint, uint16 count, then per posting a
 * varbyte of (TID delta << 1 | primary flag), TIDs ascending), packed_len
 * bytes; then, from the next 2-byte boundary to pd_lower, plain
 * NamesimEntry postings appended by inserts.
 */
typedef struct NamesimPageOpaqueData
{
	BlockNumber next;			/* next page of the bucket chain, or Invalid */
	BlockNumber freehint;		/* primary only: first chain page likely to
								 * have room */
	uint32		chain_entries;	/* primary only: postings in the whole chain */
	uint32		bucket;			/* bucket this page belongs to */
	uint16		packed_len;		/* bytes of packed postings */
	uint16		flags;
	uint16		page_id;		/* NAMESIM_PAGE_ID */
} NamesimPageOpaqueData;

typedef NamesimPageOpaqueData *NamesimPageOpaque;

#define NAMESIM_CONTENTS_OFF	MAXALIGN(SizeOfPageHeaderData)
#define NAMESIM_PAGE_SPACE \
	(BLCKSZ - NAMESIM_CONTENTS_OFF - MAXALIGN(sizeof(NamesimPageOpaqueData)))
#define NamesimPageGetOpaque(page) \
	((NamesimPageOpaque) PageGetSpecialPointer(page))
#define NamesimPagePlainOff(page) \
	(NAMESIM_CONTENTS_OFF + SHORTALIGN(NamesimPageGetOpaque(page)->packed_len))
/* the plain postings of a page */
#define NamesimPageGetEntries(page) \
	((NamesimEntry *) ((char *) (page) + NamesimPagePlainOff(page)))
#define NamesimPageGetNEntries(page) \
	((((PageHeader) (page))->pd_lower - NamesimPagePlainOff(page)) / sizeof(NamesimEntry))
/* a page holds fewer postings than this (each takes at least a byte) */
#define NAMESIM_PAGE_MAX_POSTINGS	NAMESIM_PAGE_SPACE

/* Bytes per posting assumed when choosing the bucket count (packed pages). */
#define NAMESIM_PACKED_POSTING_BYTES	3.0

/* Contents of the metapage. */
typedef struct NamesimMetaPageData
{
	uint32		magic;
	uint32		version;
	uint32		nbuckets;
	uint32		normname_version;	/* NORMNAME_FORMAT_VERSION at build */
	uint8		icu_version[4];		/* ICU that normalized the indexed names */
	uint64		build_rows;		/* rows indexed by the build */
	uint64		build_postings; /* postings written by the build */
} NamesimMetaPageData;

#define NamesimPageGetMeta(page) ((NamesimMetaPageData *) PageGetContents(page))

/* Relation options (WITH (buckets = n)). */
typedef struct NamesimOptions
{
	int32		vl_len_;
	int			buckets;		/* 0 = choose from the data */
} NamesimOptions;

/*
 * A distinct block key of a name: its hash (which picks the bucket), its
 * fingerprint and the mask of the name's tokens that have it.
 */
typedef struct NamesimKey
{
	uint32		hash;
	uint16		fp;
	uint64		tokens;
} NamesimKey;

/* Hash of a heap TID, for the scan's and the checker's hash tables. */
static inline uint32
NamesimTidHash(ItemPointerData tid, uint32 salt)
{
	uint32		h = murmurhash32(ItemPointerGetBlockNumberNoCheck(&tid) ^ salt);

	return murmurhash32(h ^ ItemPointerGetOffsetNumberNoCheck(&tid));
}

#define NAMESIM_MAX_NAME_KEYS	(NORMNAME_MAX_TOKENS * NAMESIM_MAX_TOKEN_KEYS)

/* Cached copy of the metapage (rd_amcache). */
typedef struct NamesimMetaCache
{
	uint32		nbuckets;
} NamesimMetaCache;

/*
 * sanctions.namequery: a name with its own similarity threshold, so that
 * "name %> sanctions.name_query('...', 0.8)" stays indexable.  The NormName
 * varlena (4-byte header) follows the fixed part.
 */
typedef struct NameQuery
{
	int32		vl_len_;
	float4		threshold;
	/* NormName follows */
} NameQuery;

#define NAMEQUERY_HDRSZ			sizeof(NameQuery)
#define NameQueryGetName(nq)	((NormName *) ((char *) (nq) + NAMEQUERY_HDRSZ))
#define DatumGetNameQuery(d)	((NameQuery *) PG_DETOAST_DATUM(d))

/* namesim.c */
extern void NamesimInit(void);

/* namesim_build.c */
extern IndexBuildResult *namesimbuild(Relation heap, Relation index,
									  struct IndexInfo *indexInfo);
extern void namesimbuildempty(Relation index);

/* namesim_insert.c */
extern bool namesiminsert(Relation index, Datum *values, bool *isnull,
						  ItemPointer ht_ctid, Relation heapRel,
						  IndexUniqueCheck checkUnique, bool indexUnchanged,
						  struct IndexInfo *indexInfo);

/* namesim_vacuum.c */
extern IndexBulkDeleteResult *namesimbulkdelete(IndexVacuumInfo *info,
												IndexBulkDeleteResult *stats,
												IndexBulkDeleteCallback callback,
												void *callback_state);
extern IndexBulkDeleteResult *namesimvacuumcleanup(IndexVacuumInfo *info,
												   IndexBulkDeleteResult *stats);

/* namesim_scan.c */
extern IndexScanDesc namesimbeginscan(Relation index, int nkeys, int norderbys);
extern void namesimrescan(IndexScanDesc scan, ScanKey keys, int nkeys,
						  ScanKey orderbys, int norderbys);
extern bool namesimgettuple(IndexScanDesc scan, ScanDirection dir);
extern int64 namesimgetbitmap(IndexScanDesc scan, TIDBitmap *tbm);
extern void namesimendscan(IndexScanDesc scan);

/* Build sub-phases reported in pg_stat_progress_create_index. */
#define NAMESIM_PHASE_SCAN		2
#define NAMESIM_PHASE_SORT		3
#define NAMESIM_PHASE_WRITE		4

/* namesim_utils.c */
extern int	NamesimNameKeys(const NormName *name, NamesimKey *keys);
extern uint32 NamesimBucket(uint32 hash, uint32 nbuckets);
extern uint32 NamesimChooseBuckets(double postings, int requested);
extern void NamesimInitPage(Page page, uint16 flags, uint32 bucket);
extern void NamesimInitMetaPage(Page page, uint32 nbuckets, uint64 rows,
								uint64 postings);
extern void NamesimCheckPage(Relation index, Page page, BlockNumber blkno,
							 uint16 expected_flags);
extern NamesimMetaCache *NamesimGetMeta(Relation index);
extern Buffer NamesimNewBuffer(Relation index);
extern bool NamesimPageAppend(Page page, const NamesimEntry *entries, int n);
extern int	NamesimEntryCmp(const void *a, const void *b);
extern int	NamesimPack(const NamesimEntry *sorted, int n, char *dst, int space,
						int *used);
extern int	NamesimPageDecodePacked(Relation index, Page page, BlockNumber blkno,
									NamesimEntry *out);
extern int	NamesimPageDecode(Relation index, Page page, BlockNumber blkno,
							  NamesimEntry *out);
extern int	NamesimReadPage(Relation index, BlockNumber blkno, NamesimEntry *entries,
							BlockNumber *next);
extern void NamesimPageRewrite(Page page, const NamesimEntry *packed, int npacked,
							   const NamesimEntry *plain, int nplain);
extern void NamesimIcuVersion(uint8 *version);

#endif							/* SANCTIONS_NAMESIM_H */
