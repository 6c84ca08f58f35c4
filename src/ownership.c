/*
 * ownership.c
 *	  The ownership roll-up: which entities are blocked because blocked
 *	  parties own them (OFAC's 50% rule, the EU and UK rules), plus an
 *	  informational look-through of effective indirect shares.
 *
 * The caller gives two queries: one returning ownership edges (owner, owned,
 * share in percent [, joint_group]) and one returning the ids of listed
 * parties.  Both run through SPI with the caller's privileges.  The edges
 * are interned into a graph held in a dedicated memory context: a dynahash
 * maps each id string to a dense node number, the edges sit in one array
 * and two CSR indexes (out-edges by owner, in-edges by owned entity) give
 * adjacency in O(1).  Shares are converted once to exact scaled integers
 * (units of 10^-9 percent), so "exactly 50%" never drifts.
 *
 * OFAC / EU: a FIFO worklist fixed point.  Listed parties start blocked;
 * popping a blocked node adds each of its stakes to the owned entity's
 * blocked share, and an entity whose blocked share reaches 50% becomes
 * blocked (once) and is pushed.  Each edge is touched at most once, so the
 * run is O(V + E) and terminates on cycles; it computes the least fixed
 * point (entities in a cycle never block each other without a listed
 * party behind them).  FIFO order equals synchronous rounds, which gives
 * every blocked entity a round number and so an acyclic "why" path.
 *
 * UK: holdings of different designated persons are not added up.  One pass
 * per controller (a listed party, or a joint arrangement with a listed
 * member): the same worklist, restricted to what that controller holds
 * directly or through entities it controls (> 50%).  Work is the sum of
 * the controllers' reaches.
 *
 * Look-through (not a legal rule): effective share = sum over simple paths
 * from a listed party through non-listed entities of the product of the
 * shares, computed exactly in numeric by depth-first search with a budget
 * on path steps (cycles are cut because a path never revisits an entity).
 *
 * Each returned entity carries a jsonb basis (the owners, controllers or
 * paths that add up to its share); ownership_explain builds the same
 * reasoning for any one entity, blocked or not.  See doc/ownership.md.
 */
#include "postgres.h"

#include <limits.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(ownership_rollup);
PG_FUNCTION_INFO_V1(ownership_explain);

/* Shares are held as integers in units of 10^-SHARE_SCALE percent. */
#define SHARE_SCALE			9
#define SHARE_UNIT			INT64CONST(1000000000)
#define SHARE_FULL			(100 * SHARE_UNIT)
#define SHARE_HALF			(50 * SHARE_UNIT)

/* Rows fetched from the caller's queries per SPI round trip. */
#define FETCH_BATCH			10000

/* Look-through: path steps allowed per call, and paths shown per entity. */
#define LOOKTHROUGH_MAX_STEPS	1000000
#define LOOKTHROUGH_SHOWN_PATHS	20

/* Conversions of recently seen share values, keyed by their bytes. */
#define SHARE_CACHE_SIZE	1024
#define SHARE_CACHE_BYTES	16

/* Examples named in a data-quality warning. */
#define WARNING_EXAMPLES	3

typedef enum OwnershipRule
{
	RULE_OFAC,
	RULE_EU,
	RULE_UK,
	RULE_LOOKTHROUGH
} OwnershipRule;

static const char *const rule_names[] = {"ofac", "eu", "uk", "lookthrough"};

/* Key of the id -> node hash: the bytes of an id (not NUL-terminated). */
typedef struct IdKey
{
	const char *str;
	int			len;
} IdKey;

/* Ids shorter than this are kept inside their hash entry (one cache miss). */
#define ID_INLINE_BYTES		24

typedef struct IdEntry
{
	IdKey		key;
	int32		index;
	char		inline_id[ID_INLINE_BYTES];
} IdEntry;

typedef struct OwnEdge
{
	int32		owner;
	int32		owned;
	int32		group;			/* joint arrangement number, -1 = none */
	int64		share;			/* scaled */
} OwnEdge;

typedef struct ShareCacheEntry
{
	int			len;			/* -1 = empty */
	char		bytes[SHARE_CACHE_BYTES];
	int64		scaled;
} ShareCacheEntry;

typedef struct OwnGraph
{
	MemoryContext cxt;
	HTAB	   *node_ids;
	int32		nnodes;
	int32		maxnodes;
	char	  **ids;			/* NUL-terminated copies */
	bool	   *listed;
	HTAB	   *group_ids;
	int32		ngroups;
	int32		maxgroups;
	char	  **groups;
	OwnEdge    *edges;
	int32		nedges;
	int32		maxedges;
	int32	   *out_start;		/* CSR: out-edges of node v are */
	int32	   *out_edge;		/* out_edge[out_start[v] .. out_start[v+1]) */
	int32	   *in_start;
	int32	   *in_edge;
	int32	   *group_start;	/* edges of each joint arrangement */
	int32	   *group_edge;
	ShareCacheEntry *share_cache;
} OwnGraph;

/* Result of the OFAC / EU fixed point. */
typedef struct AggregateRun
{
	bool	   *blocked;
	int32	   *round;			/* 0 = listed */
	int64	   *share;			/* blocked share held in each entity */
	int32	   *parent;			/* earlier-round owner on the "why" path */
} AggregateRun;

/* One controller's holding in one entity (UK). */
typedef struct ControllerHolding
{
	int64		share;
	const char *name;
	char	   *json;
} ControllerHolding;

/* A look-through path found to one entity. */
typedef struct FoundPath
{
	Numeric		share;
	char	   *json;
} FoundPath;

/* One row of the roll-up. */
typedef struct RollupRow
{
	const char *entity;
	Numeric		share;
	char	   *basis;
} RollupRow;

/* ---------------------------------------------------------------------
 * Shares
 * --------------------------------------------------------------------- */

/* Text of a scaled share, exact, without trailing zeros ("50", "33.5"). */
static char *
share_text(int64 scaled)
{
	char		frac[SHARE_SCALE + 1];
	int64		f = scaled % SHARE_UNIT;
	int			n;

	if (f == 0)
		return psprintf(INT64_FORMAT, scaled / SHARE_UNIT);
	snprintf(frac, sizeof(frac), "%09lld", (long long) f);
	for (n = SHARE_SCALE; n > 0 && frac[n - 1] == '0'; n--)
		frac[n - 1] = '\0';
	return psprintf(INT64_FORMAT ".%s", scaled / SHARE_UNIT, frac);
}

static Numeric
share_numeric(int64 scaled)
{
	return DatumGetNumeric(DirectFunctionCall3(numeric_in,
											   CStringGetDatum(share_text(scaled)),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

static Numeric
numeric_trimmed(Numeric n)
{
	return DatumGetNumeric(DirectFunctionCall1(numeric_trim_scale,
											   NumericGetDatum(n)));
}

static char *
numeric_text(Numeric n)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out,
											   NumericGetDatum(numeric_trimmed(n))));
}

/*
 * Convert a share in percent to scaled units, or fail naming the edge: the
 * share must be in (0, 100] with at most SHARE_SCALE decimal places.
 */
static int64
share_scaled(Datum value, const char *owner, const char *owned)
{
	Numeric		n = DatumGetNumeric(value);
	Datum		zero = DirectFunctionCall1(int4_numeric, Int32GetDatum(0));
	Datum		hundred = DirectFunctionCall1(int4_numeric, Int32GetDatum(100));
	int32		scale;

	if (numeric_is_nan(n) || numeric_is_inf(n) ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, value, zero)) <= 0 ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, value, hundred)) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("share %s of ownership edge from \"%s\" to \"%s\" is out of range",
						DatumGetCString(DirectFunctionCall1(numeric_out, value)),
						owner, owned),
				 errdetail("Shares are percentages greater than 0 and at most 100."),
				 errhint("Filter or correct the edge in the edges query.")));

	scale = DatumGetInt32(DirectFunctionCall1(numeric_scale, value));
	if (scale > SHARE_SCALE)
	{
		Datum		rounded = DirectFunctionCall2(numeric_round, value,
												  Int32GetDatum(SHARE_SCALE));

		if (!DatumGetBool(DirectFunctionCall2(numeric_eq, rounded, value)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("share %s of ownership edge from \"%s\" to \"%s\" has more than %d decimal places",
							DatumGetCString(DirectFunctionCall1(numeric_out, value)),
							owner, owned, SHARE_SCALE),
					 errdetail("Shares are computed exactly to %d decimal places of a percent.",
							   SHARE_SCALE),
					 errhint("Round the share in the edges query, e.g. round(share, %d).",
							 SHARE_SCALE)));
		value = rounded;
	}
	value = DirectFunctionCall2(numeric_mul, value,
								DirectFunctionCall1(int8_numeric,
													Int64GetDatum(SHARE_UNIT)));
	return DatumGetInt64(DirectFunctionCall1(numeric_int8, value));
}

/*
 * share_scaled through a small direct-mapped cache on the numeric's bytes:
 * shares repeat (100, 50, 25 ...), and equal bytes are an equal value.
 * Only valid shares are cached, so errors still name their edge.
 */
static int64
share_scaled_cached(ShareCacheEntry *cache, Datum value, const char *owner,
					const char *owned)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(value);
	ShareCacheEntry *entry;
	const char *bytes;
	int			len;

	if (VARATT_IS_COMPRESSED(v) || VARATT_IS_EXTERNAL(v) ||
		VARSIZE_ANY_EXHDR(v) > SHARE_CACHE_BYTES)
		return share_scaled(value, owner, owned);
	bytes = VARDATA_ANY(v);
	len = VARSIZE_ANY_EXHDR(v);
	entry = &cache[hash_bytes((const unsigned char *) bytes, len) % SHARE_CACHE_SIZE];
	if (entry->len != len || memcmp(entry->bytes, bytes, len) != 0)
	{
		entry->scaled = share_scaled(value, owner, owned);
		entry->len = len;
		memcpy(entry->bytes, bytes, len);
	}
	return entry->scaled;
}

/* ---------------------------------------------------------------------
 * The graph: interning ids, loading the queries, building adjacency
 * --------------------------------------------------------------------- */

static uint32
id_hash(const void *key, Size keysize)
{
	const IdKey *k = (const IdKey *) key;

	return hash_bytes((const unsigned char *) k->str, k->len);
}

static int
id_match(const void *key1, const void *key2, Size keysize)
{
	const IdKey *a = (const IdKey *) key1;
	const IdKey *b = (const IdKey *) key2;

	return (a->len == b->len && memcmp(a->str, b->str, a->len) == 0) ? 0 : 1;
}

static HTAB *
id_table_create(OwnGraph *g, const char *name)
{
	HASHCTL		ctl;

	ctl.keysize = sizeof(IdKey);
	ctl.entrysize = sizeof(IdEntry);
	ctl.hash = id_hash;
	ctl.match = id_match;
	ctl.hcxt = g->cxt;
	return hash_create(name, 1024, &ctl,
					   HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
}

/*
 * Number of an id in table, adding it (and a NUL-terminated copy of the
 * id to *names, grown as needed) when new.
 */
static int32
intern_id(OwnGraph *g, HTAB *table, char ***names, int32 *count, int32 *max,
		  const char *str, int len)
{
	IdKey		key;
	IdEntry    *entry;
	bool		found;

	key.str = str;
	key.len = len;
	entry = (IdEntry *) hash_search(table, &key, HASH_ENTER, &found);
	if (!found)
	{
		/* dynahash never moves entries, so the inline copy is stable */
		char	   *copy = len < ID_INLINE_BYTES ? entry->inline_id :
			MemoryContextAlloc(g->cxt, len + 1);

		memcpy(copy, str, len);
		copy[len] = '\0';
		entry->key.str = copy;
		if (*count >= *max)
		{
			if (*max >= INT_MAX / 2)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("too many distinct ids in the ownership roll-up")));
			*max *= 2;
			*names = repalloc_huge(*names, sizeof(char *) * (Size) *max);
		}
		(*names)[*count] = copy;
		entry->index = (*count)++;
	}
	return entry->index;
}

static int32
intern_node(OwnGraph *g, text *id)
{
	int32		before = g->maxnodes;
	int32		n;

	n = intern_id(g, g->node_ids, &g->ids, &g->nnodes, &g->maxnodes,
				  VARDATA_ANY(id), VARSIZE_ANY_EXHDR(id));
	if (g->maxnodes != before)
	{
		g->listed = repalloc_huge(g->listed, sizeof(bool) * (Size) g->maxnodes);
		memset(g->listed + before, 0, sizeof(bool) * (Size) (g->maxnodes - before));
	}
	return n;
}

static int32
node_lookup(OwnGraph *g, const char *id)
{
	IdKey		key;
	IdEntry    *entry;

	key.str = id;
	key.len = strlen(id);
	entry = (IdEntry *) hash_search(g->node_ids, &key, HASH_FIND, NULL);
	return entry ? entry->index : -1;
}

static OwnGraph *
graph_create(void)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "ownership roll-up",
											  ALLOCSET_DEFAULT_SIZES);
	OwnGraph   *g = MemoryContextAllocZero(cxt, sizeof(OwnGraph));

	g->cxt = cxt;
	g->node_ids = id_table_create(g, "ownership node ids");
	g->group_ids = id_table_create(g, "ownership joint arrangements");
	g->maxnodes = 1024;
	g->ids = MemoryContextAllocHuge(cxt, sizeof(char *) * g->maxnodes);
	g->listed = MemoryContextAllocHuge(cxt, sizeof(bool) * g->maxnodes);
	memset(g->listed, 0, sizeof(bool) * g->maxnodes);
	g->maxgroups = 16;
	g->groups = MemoryContextAlloc(cxt, sizeof(char *) * g->maxgroups);
	g->maxedges = 4096;
	g->edges = MemoryContextAllocHuge(cxt, sizeof(OwnEdge) * g->maxedges);
	g->share_cache = MemoryContextAlloc(cxt, sizeof(ShareCacheEntry) * SHARE_CACHE_SIZE);
	for (int i = 0; i < SHARE_CACHE_SIZE; i++)
		g->share_cache[i].len = -1;
	return g;
}

static bool
is_text_type(Oid type)
{
	return type == TEXTOID || type == VARCHAROID;
}

/* Error context naming which of the caller's queries was running. */
static void
query_error_context(void *arg)
{
	errcontext("%s query of the ownership roll-up", (const char *) arg);
}

/* Open a cursor on a caller's query, failing clearly if it returns no rows. */
static Portal
open_query(const char *query, const char *what)
{
	SPIPlanPtr	plan = SPI_prepare(query, 0, NULL);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for %s query: %s", what,
			 SPI_result_code_string(SPI_result));
	if (!SPI_is_cursor_plan(plan))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s query does not return rows", what),
				 errdetail("The %s query must be a single SELECT (or a statement with RETURNING).",
						   what)));
	return SPI_cursor_open(NULL, plan, NULL, NULL, false);
}

static void
check_column(TupleDesc desc, int col, bool numeric, const char *what,
			 const char *shape)
{
	Form_pg_attribute att = TupleDescAttr(desc, col);

	if (numeric ? att->atttypid != NUMERICOID : !is_text_type(att->atttypid))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s query must return %s", what, shape),
				 errdetail("Column %d \"%s\" has type %s, expected %s.",
						   col + 1, NameStr(att->attname),
						   format_type_be(att->atttypid),
						   numeric ? "numeric" : "text"),
				 errhint("Cast column %d to %s in the %s query.",
						 col + 1, numeric ? "numeric" : "text", what)));
}

static char *
datum_id_text(Datum d, bool isnull)
{
	return isnull ? pstrdup("NULL") :
		psprintf("\"%s\"", TextDatumGetCString(d));
}

static void
add_edge(OwnGraph *g, int32 owner, int32 owned, int32 group, int64 share)
{
	OwnEdge    *e;

	if (g->nedges >= g->maxedges)
	{
		if (g->maxedges >= INT_MAX / 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many ownership edges")));
		g->maxedges *= 2;
		g->edges = repalloc_huge(g->edges, sizeof(OwnEdge) * (Size) g->maxedges);
	}
	e = &g->edges[g->nedges++];
	e->owner = owner;
	e->owned = owned;
	e->group = group;
	e->share = share;
}

/*
 * Run the edges query and intern its rows.  Self-ownership is dropped with
 * one warning (a holding in oneself makes no owner blocked).
 */
static void
load_edges(OwnGraph *g, const char *query)
{
	static const char *shape =
		"columns (owner text, owned text, share numeric [, joint_group text])";
	Portal		portal = open_query(query, "edges");
	TupleDesc	desc = portal->tupDesc;
	bool		has_group;
	int64		row = 0;
	int64		self_edges = 0;
	char	   *self_example = NULL;
	MemoryContext row_cxt = AllocSetContextCreate(CurrentMemoryContext,
												  "ownership edge rows",
												  ALLOCSET_DEFAULT_SIZES);

	if (desc->natts != 3 && desc->natts != 4)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("edges query must return %s", shape),
				 errdetail("The query returns %d columns.", desc->natts),
				 errhint("Select the owner id, the owned entity id and the share in percent, optionally a joint arrangement id.")));
	check_column(desc, 0, false, "edges", shape);
	check_column(desc, 1, false, "edges", shape);
	check_column(desc, 2, true, "edges", shape);
	has_group = desc->natts == 4;
	if (has_group)
		check_column(desc, 3, false, "edges", shape);

	for (;;)
	{
		uint64		i;
		MemoryContext spi_cxt;

		SPI_cursor_fetch(portal, true, FETCH_BATCH);
		if (SPI_processed == 0)
			break;
		spi_cxt = MemoryContextSwitchTo(row_cxt);
		for (i = 0; i < SPI_processed; i++)
		{
			/* owner, owned, share, joint_group */
			Datum		values[4];
			bool		nulls[4] = {true, true, true, true};
			MemoryContext old;
			int32		owner,
						owned,
						group = -1;
			int64		share;

			CHECK_FOR_INTERRUPTS();
			heap_deform_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
							  values, nulls);
			if (!has_group)
				nulls[3] = true;
			row++;
			if (nulls[0] || nulls[1])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("ownership edge from %s to %s has a null id",
								datum_id_text(values[0], nulls[0]),
								datum_id_text(values[1], nulls[1])),
						 errdetail("Row " INT64_FORMAT " of the edges query has a null %s.",
								   row, nulls[0] ? "owner" : "owned entity"),
						 errhint("Filter out rows with unknown parties in the edges query.")));
			if (nulls[2])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("ownership edge from %s to %s has a null share",
								datum_id_text(values[0], false),
								datum_id_text(values[1], false)),
						 errdetail("Row " INT64_FORMAT " of the edges query has no share.", row),
						 errhint("Filter out holdings of unknown size in the edges query; they cannot be counted.")));

			old = MemoryContextSwitchTo(g->cxt);
			owner = intern_node(g, DatumGetTextPP(values[0]));
			owned = intern_node(g, DatumGetTextPP(values[1]));
			if (!nulls[3])
			{
				text	   *t = DatumGetTextPP(values[3]);

				group = intern_id(g, g->group_ids, &g->groups, &g->ngroups,
								  &g->maxgroups, VARDATA_ANY(t),
								  VARSIZE_ANY_EXHDR(t));
			}
			MemoryContextSwitchTo(old);
			share = share_scaled_cached(g->share_cache, values[2], g->ids[owner],
										g->ids[owned]);
			if (owner == owned)
			{
				if (self_edges++ == 0)
					self_example = MemoryContextStrdup(g->cxt,
													   psprintf("Entity \"%s\" is recorded as owning %s%% of itself.",
																g->ids[owner], share_text(share)));
				continue;
			}
			add_edge(g, owner, owned, group, share);
		}
		MemoryContextSwitchTo(spi_cxt);
		MemoryContextReset(row_cxt);
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	MemoryContextDelete(row_cxt);

	if (self_edges > 0)
		ereport(WARNING,
				(errmsg("ignoring " INT64_FORMAT " self-ownership edge%s",
						self_edges, self_edges == 1 ? "" : "s"),
				 errdetail("%s", self_example),
				 errhint("Shares an entity holds in itself (treasury shares) make no owner blocked; they are left out of the roll-up.")));
}

/* Run the blocked query and mark its ids as listed. */
static void
load_blocked(OwnGraph *g, const char *query)
{
	Portal		portal = open_query(query, "blocked");
	TupleDesc	desc = portal->tupDesc;
	int64		row = 0;

	if (desc->natts != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("blocked query must return one column (id text)"),
				 errdetail("The query returns %d columns.", desc->natts),
				 errhint("Select only the ids of the listed parties.")));
	check_column(desc, 0, false, "blocked", "one column (id text)");

	for (;;)
	{
		uint64		i;

		SPI_cursor_fetch(portal, true, FETCH_BATCH);
		if (SPI_processed == 0)
			break;
		for (i = 0; i < SPI_processed; i++)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(SPI_tuptable->vals[i],
										  SPI_tuptable->tupdesc, 1, &isnull);
			MemoryContext old;

			CHECK_FOR_INTERRUPTS();
			row++;
			if (isnull)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("blocked query returned a null id"),
						 errdetail("Row " INT64_FORMAT " of the blocked query is null.", row),
						 errhint("Filter out null ids in the blocked query.")));
			old = MemoryContextSwitchTo(g->cxt);
			g->listed[intern_node(g, DatumGetTextPP(d))] = true;
			MemoryContextSwitchTo(old);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
}

/* Counting sort of edge numbers by a key (owner, owned or group). */
static void
build_index(OwnGraph *g, int32 nkeys, int keyfield, int32 **start_out,
			int32 **edge_out)
{
	int32	   *start = MemoryContextAllocHuge(g->cxt, sizeof(int32) * ((Size) nkeys + 1));
	int32	   *edge = MemoryContextAllocHuge(g->cxt, sizeof(int32) * ((Size) g->nedges + 1));
	int32	   *fill;
	int32		i,
				k;

	memset(start, 0, sizeof(int32) * ((Size) nkeys + 1));
	for (i = 0; i < g->nedges; i++)
	{
		k = keyfield == 0 ? g->edges[i].owner :
			keyfield == 1 ? g->edges[i].owned : g->edges[i].group;
		if (k >= 0)
			start[k + 1]++;
	}
	for (k = 0; k < nkeys; k++)
		start[k + 1] += start[k];
	fill = palloc(sizeof(int32) * ((Size) nkeys + 1));
	memcpy(fill, start, sizeof(int32) * ((Size) nkeys + 1));
	for (i = 0; i < g->nedges; i++)
	{
		k = keyfield == 0 ? g->edges[i].owner :
			keyfield == 1 ? g->edges[i].owned : g->edges[i].group;
		if (k >= 0)
			edge[fill[k]++] = i;
	}
	pfree(fill);
	*start_out = start;
	*edge_out = edge;
}

static int
cmp_edge_owner_group(const void *a, const void *b, void *arg)
{
	const OwnEdge *edges = (const OwnEdge *) arg;
	const OwnEdge *x = &edges[*(const int32 *) a];
	const OwnEdge *y = &edges[*(const int32 *) b];

	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return 0;
}

/*
 * Build the adjacency, reject duplicate edges and warn about entities whose
 * recorded owners hold more than 100% in total.
 */
static void
graph_finish(OwnGraph *g)
{
	int32		v;
	int64		over_full = 0;
	StringInfoData examples;

	build_index(g, g->nnodes, 0, &g->out_start, &g->out_edge);
	build_index(g, g->nnodes, 1, &g->in_start, &g->in_edge);
	build_index(g, g->ngroups, 2, &g->group_start, &g->group_edge);

	initStringInfo(&examples);
	for (v = 0; v < g->nnodes; v++)
	{
		int32		lo = g->in_start[v],
					hi = g->in_start[v + 1],
					i;
		int64		total = 0;

		CHECK_FOR_INTERRUPTS();
		if (hi - lo > 1)
			qsort_arg(&g->in_edge[lo], hi - lo, sizeof(int32),
					  cmp_edge_owner_group, g->edges);
		for (i = lo; i < hi; i++)
		{
			OwnEdge    *e = &g->edges[g->in_edge[i]];

			total += e->share;
			if (i > lo && cmp_edge_owner_group(&g->in_edge[i - 1], &g->in_edge[i],
											   g->edges) == 0)
			{
				OwnEdge    *p = &g->edges[g->in_edge[i - 1]];

				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("duplicate ownership edge from \"%s\" to \"%s\"",
								g->ids[e->owner], g->ids[e->owned]),
						 errdetail("The edges query returns this pair %stwice, with shares %s and %s.",
								   e->group >= 0 ? "and joint arrangement " : "",
								   share_text(p->share), share_text(e->share)),
						 errhint("Aggregate the edges in the query: sum(share) when they are separate holdings, max(share) when they report the same holding.")));
			}
		}
		if (total > SHARE_FULL)
		{
			if (over_full < WARNING_EXAMPLES)
				appendStringInfo(&examples, "%sThe owners of \"%s\" hold %s%% in total.",
								 over_full > 0 ? " " : "", g->ids[v],
								 share_text(total));
			over_full++;
		}
	}
	if (over_full > 0)
		ereport(WARNING,
				(errmsg("recorded owners of " INT64_FORMAT " entit%s hold more than 100%% in total",
						over_full, over_full == 1 ? "y" : "ies"),
				 errdetail("%s", examples.data),
				 errhint("The roll-up still counts every recorded stake; check the edges for overlapping records, such as one holding recorded at several dates.")));
}

static OwnGraph *
graph_load(const char *edges_query, const char *blocked_query)
{
	OwnGraph   *g = graph_create();
	ErrorContextCallback context;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	context.callback = query_error_context;
	context.previous = error_context_stack;
	error_context_stack = &context;
	context.arg = "edges";
	load_edges(g, edges_query);
	context.arg = "blocked";
	load_blocked(g, blocked_query);
	error_context_stack = context.previous;
	SPI_finish();
	graph_finish(g);
	return g;
}

/* ---------------------------------------------------------------------
 * JSON helpers
 * --------------------------------------------------------------------- */

static void
append_key_string(StringInfo buf, const char *key, const char *value)
{
	escape_json(buf, key);
	appendStringInfoChar(buf, ':');
	escape_json(buf, value);
}

/* Path of nodes from the root of the parent chain down to v. */
static void
append_path(StringInfo buf, OwnGraph *g, const int32 *parent, int32 v)
{
	int32		depth = 0,
				u,
				i;
	int32	   *chain;

	for (u = v; u >= 0; u = parent[u])
		depth++;
	chain = palloc(sizeof(int32) * depth);
	for (u = v, i = depth; u >= 0; u = parent[u])
		chain[--i] = u;
	appendStringInfoString(buf, "\"path\":[");
	for (i = 0; i < depth; i++)
	{
		if (i > 0)
			appendStringInfoChar(buf, ',');
		escape_json(buf, g->ids[chain[i]]);
	}
	appendStringInfoChar(buf, ']');
	pfree(chain);
}

/* Sort edges for display: share descending, then owner id. */
static int
cmp_edge_display(const void *a, const void *b, void *arg)
{
	OwnGraph   *g = (OwnGraph *) arg;
	const OwnEdge *x = &g->edges[*(const int32 *) a];
	const OwnEdge *y = &g->edges[*(const int32 *) b];
	int			c;

	if (x->share != y->share)
		return x->share > y->share ? -1 : 1;
	c = strcmp(g->ids[x->owner], g->ids[y->owner]);
	if (c != 0)
		return c;
	if (x->group == y->group)
		return 0;
	if (x->group < 0 || y->group < 0)
		return x->group < 0 ? -1 : 1;
	return strcmp(g->groups[x->group], g->groups[y->group]);
}

/* In-edges of v sorted for display. */
static int32 *
sorted_in_edges(OwnGraph *g, int32 v, int32 *count)
{
	int32		n = g->in_start[v + 1] - g->in_start[v];
	int32	   *list = palloc(sizeof(int32) * (n + 1));

	memcpy(list, &g->in_edge[g->in_start[v]], sizeof(int32) * n);
	qsort_arg(list, n, sizeof(int32), cmp_edge_display, g);
	*count = n;
	return list;
}

static void
append_edge_fields(StringInfo buf, OwnGraph *g, OwnEdge *e)
{
	append_key_string(buf, "owner", g->ids[e->owner]);
	appendStringInfo(buf, ",\"share\":%s", share_text(e->share));
	if (e->group >= 0)
	{
		appendStringInfoChar(buf, ',');
		append_key_string(buf, "joint_group", g->groups[e->group]);
	}
}

/* ---------------------------------------------------------------------
 * OFAC and EU: aggregate blocked share, fixed point by FIFO worklist
 * --------------------------------------------------------------------- */

static AggregateRun *
aggregate_run(OwnGraph *g)
{
	AggregateRun *r = palloc(sizeof(AggregateRun));
	int32	   *queue = palloc(sizeof(int32) * ((Size) g->nnodes + 1));
	int32		head = 0,
				tail = 0,
				v;

	r->blocked = palloc0(sizeof(bool) * ((Size) g->nnodes + 1));
	r->round = palloc0(sizeof(int32) * ((Size) g->nnodes + 1));
	r->share = palloc0(sizeof(int64) * ((Size) g->nnodes + 1));
	r->parent = palloc(sizeof(int32) * ((Size) g->nnodes + 1));

	for (v = 0; v < g->nnodes; v++)
	{
		r->parent[v] = -1;
		if (g->listed[v])
		{
			r->blocked[v] = true;
			queue[tail++] = v;
		}
	}
	while (head < tail)
	{
		int32		u = queue[head++];
		int32		i;

		CHECK_FOR_INTERRUPTS();
		for (i = g->out_start[u]; i < g->out_start[u + 1]; i++)
		{
			OwnEdge    *e = &g->edges[g->out_edge[i]];

			r->share[e->owned] += e->share;
			if (!r->blocked[e->owned] && r->share[e->owned] >= SHARE_HALF)
			{
				r->blocked[e->owned] = true;
				r->round[e->owned] = r->round[u] + 1;
				queue[tail++] = e->owned;
			}
		}
	}

	/* "Why" path: the largest stake from an owner blocked in an earlier round. */
	for (v = 0; v < g->nnodes; v++)
	{
		int32		i,
					best = -1;
		int64		best_share = 0;

		CHECK_FOR_INTERRUPTS();
		if (!r->blocked[v] || g->listed[v])
			continue;
		for (i = g->in_start[v]; i < g->in_start[v + 1]; i++)
		{
			OwnEdge    *e = &g->edges[g->in_edge[i]];

			if (!r->blocked[e->owner] || r->round[e->owner] >= r->round[v])
				continue;
			if (best < 0 || e->share > best_share ||
				(e->share == best_share &&
				 strcmp(g->ids[e->owner], g->ids[best]) < 0))
			{
				best = e->owner;
				best_share = e->share;
			}
		}
		r->parent[v] = best;
	}
	pfree(queue);
	return r;
}

static const char *
aggregate_status(OwnGraph *g, AggregateRun *r, int32 v)
{
	return g->listed[v] ? "listed" :
		r->blocked[v] ? "blocked through ownership" : "not blocked";
}

/*
 * Basis or explanation of v under OFAC / EU: its owners, each counted in
 * full when blocked and zero otherwise.  With all_owners false only the
 * counted owners are listed (the basis of a roll-up row).
 */
static char *
aggregate_json(OwnGraph *g, AggregateRun *r, OwnershipRule rule, int32 v,
			   bool all_owners)
{
	StringInfoData buf;
	int32		n,
				i;
	int32	   *list = sorted_in_edges(g, v, &n);
	int64		recorded = 0;
	bool		first = true;

	for (i = 0; i < n; i++)
		recorded += g->edges[list[i]].share;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	if (all_owners)
	{
		append_key_string(&buf, "entity", g->ids[v]);
		appendStringInfoChar(&buf, ',');
		append_key_string(&buf, "status", aggregate_status(g, r, v));
		appendStringInfoChar(&buf, ',');
	}
	append_key_string(&buf, "rule", rule_names[rule]);
	appendStringInfo(&buf, ",\"test\":\">= 50\",\"blocked_share\":%s",
					 share_text(r->share[v]));
	if (all_owners)
		appendStringInfo(&buf, ",\"recorded_share\":%s", share_text(recorded));
	appendStringInfoString(&buf, ",\"owners\":[");
	for (i = 0; i < n; i++)
	{
		OwnEdge    *e = &g->edges[list[i]];
		bool		counted = r->blocked[e->owner];

		if (!counted && !all_owners)
			continue;
		if (!first)
			appendStringInfoChar(&buf, ',');
		first = false;
		appendStringInfoChar(&buf, '{');
		append_edge_fields(&buf, g, e);
		appendStringInfoChar(&buf, ',');
		append_key_string(&buf, "status", aggregate_status(g, r, e->owner));
		if (all_owners)
		{
			appendStringInfo(&buf, ",\"counted\":%s,", counted ? "true" : "false");
			append_key_string(&buf, "reason",
							  g->listed[e->owner] ? "a listed owner's stake counts in full" :
							  counted ? "a stake held through a blocked entity counts in full" :
							  "a stake held through an entity that is not blocked counts zero");
		}
		if (counted)
		{
			appendStringInfoChar(&buf, ',');
			append_path(&buf, g, r->parent, e->owner);
		}
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoString(&buf, "]}");
	pfree(list);
	return buf.data;
}

/* ---------------------------------------------------------------------
 * UK: one fixed point per controller, no aggregation across controllers
 * --------------------------------------------------------------------- */

typedef struct UkState
{
	OwnGraph   *g;
	int32	   *seen;			/* pass number that last touched the node */
	int32	   *controlled;		/* pass number that controls the node */
	int64	   *hold;			/* holding of the current controller */
	int32	   *round;
	int32	   *parent;
	int32	   *touched;
	int32		ntouched;
	int32	   *queue;
	List	  **holdings;		/* per node: ControllerHolding list */
	int64	   *best;			/* per node: largest controlling holding */
	int32		target;			/* explain: node whose holdings to keep, or -1 */
} UkState;

static void
uk_touch(UkState *s, int32 pass, int32 v)
{
	if (s->seen[v] != pass)
	{
		s->seen[v] = pass;
		s->hold[v] = 0;
		s->touched[s->ntouched++] = v;
	}
}

/* Is edge e part of the current controller's holdings? */
static bool
uk_counts(UkState *s, int32 pass, int32 group, OwnEdge *e)
{
	if (group >= 0 && e->group == group)
		return true;
	return s->controlled[e->owner] == pass;
}

static char *
uk_controller_json(UkState *s, int32 pass, int32 controller, int32 group,
				   int32 v)
{
	OwnGraph   *g = s->g;
	StringInfoData buf;
	int32		n,
				i;
	int32	   *list = sorted_in_edges(g, v, &n);
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	if (group >= 0)
	{
		int32		lo = g->group_start[group],
					hi = g->group_start[group + 1];
		const char **members = palloc(sizeof(char *) * (hi - lo + 1));
		int32		nm = 0;

		append_key_string(&buf, "controller", g->groups[group]);
		appendStringInfoString(&buf, ",\"kind\":\"joint arrangement\",\"members\":[");
		for (i = lo; i < hi; i++)
			members[nm++] = g->ids[g->edges[g->group_edge[i]].owner];
		qsort(members, nm, sizeof(char *), pg_qsort_strcmp);
		for (i = 0; i < nm; i++)
		{
			if (i > 0 && strcmp(members[i], members[i - 1]) == 0)
				continue;
			if (i > 0)
				appendStringInfoChar(&buf, ',');
			escape_json(&buf, members[i]);
		}
		appendStringInfoChar(&buf, ']');
	}
	else
	{
		append_key_string(&buf, "controller", g->ids[controller]);
		appendStringInfoString(&buf, ",\"kind\":\"listed party\"");
	}
	appendStringInfo(&buf, ",\"share\":%s,\"holdings\":[", share_text(s->hold[v]));
	for (i = 0; i < n; i++)
	{
		OwnEdge    *e = &g->edges[list[i]];

		if (!uk_counts(s, pass, group, e))
			continue;
		if (!first)
			appendStringInfoChar(&buf, ',');
		first = false;
		appendStringInfoChar(&buf, '{');
		append_edge_fields(&buf, g, e);
		if (s->controlled[e->owner] == pass)
		{
			appendStringInfoChar(&buf, ',');
			append_path(&buf, g, s->parent, e->owner);
		}
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoString(&buf, "]}");
	pfree(list);
	return buf.data;
}

/*
 * One controller's pass: a listed party (controller >= 0) holds its own
 * stakes; a joint arrangement (group >= 0) holds the stakes recorded under
 * it.  Both also hold every stake of the entities they control (> 50%).
 */
static void
uk_pass(UkState *s, int32 pass, int32 controller, int32 group)
{
	OwnGraph   *g = s->g;
	int32		head = 0,
				tail = 0,
				i;

	s->ntouched = 0;
	if (group >= 0)
	{
		for (i = g->group_start[group]; i < g->group_start[group + 1]; i++)
		{
			OwnEdge    *e = &g->edges[g->group_edge[i]];

			uk_touch(s, pass, e->owned);
			s->hold[e->owned] += e->share;
			if (s->controlled[e->owned] != pass && s->hold[e->owned] > SHARE_HALF)
			{
				s->controlled[e->owned] = pass;
				s->round[e->owned] = 1;
				s->queue[tail++] = e->owned;
			}
		}
	}
	else
	{
		uk_touch(s, pass, controller);
		s->controlled[controller] = pass;
		s->round[controller] = 0;
		s->queue[tail++] = controller;
	}

	while (head < tail)
	{
		int32		u = s->queue[head++];

		CHECK_FOR_INTERRUPTS();
		for (i = g->out_start[u]; i < g->out_start[u + 1]; i++)
		{
			OwnEdge    *e = &g->edges[g->out_edge[i]];

			if (group >= 0 && e->group == group)
				continue;		/* already counted as the arrangement's own */
			uk_touch(s, pass, e->owned);
			s->hold[e->owned] += e->share;
			if (s->controlled[e->owned] != pass && s->hold[e->owned] > SHARE_HALF)
			{
				s->controlled[e->owned] = pass;
				s->round[e->owned] = s->round[u] + 1;
				s->queue[tail++] = e->owned;
			}
		}
	}

	/* Parents within this pass, then record what the controller holds. */
	for (i = 0; i < tail; i++)
	{
		int32		v = s->queue[i],
					j,
					best = -1;
		int64		best_share = 0;

		for (j = g->in_start[v]; j < g->in_start[v + 1]; j++)
		{
			OwnEdge    *e = &g->edges[g->in_edge[j]];

			if (s->controlled[e->owner] != pass || s->round[e->owner] >= s->round[v])
				continue;
			if (best < 0 || e->share > best_share ||
				(e->share == best_share && strcmp(g->ids[e->owner], g->ids[best]) < 0))
			{
				best = e->owner;
				best_share = e->share;
			}
		}
		s->parent[v] = best;
	}
	for (i = 0; i < s->ntouched; i++)
	{
		int32		v = s->touched[i];
		bool		controls = s->controlled[v] == pass;
		ControllerHolding *h;

		if (v == controller)
			continue;
		if (controls && s->hold[v] > s->best[v])
			s->best[v] = s->hold[v];
		if (s->target >= 0 ? v != s->target : (!controls || g->listed[v]))
			continue;
		h = palloc(sizeof(ControllerHolding));
		h->share = s->hold[v];
		h->name = group >= 0 ? g->groups[group] : g->ids[controller];
		h->json = uk_controller_json(s, pass, controller, group, v);
		s->holdings[v] = lappend(s->holdings[v], h);
	}
}

static UkState *
uk_run(OwnGraph *g, int32 target)
{
	UkState    *s = palloc0(sizeof(UkState));
	Size		n = (Size) g->nnodes + 1;
	int32		v,
				grp,
				pass = 0;

	s->g = g;
	s->target = target;
	s->seen = palloc(sizeof(int32) * n);
	s->controlled = palloc(sizeof(int32) * n);
	for (v = 0; v < g->nnodes; v++)
		s->seen[v] = s->controlled[v] = -1;
	s->hold = palloc0(sizeof(int64) * n);
	s->round = palloc0(sizeof(int32) * n);
	s->parent = palloc(sizeof(int32) * n);
	s->touched = palloc(sizeof(int32) * n);
	s->queue = palloc(sizeof(int32) * n);
	s->holdings = palloc0(sizeof(List *) * n);
	s->best = palloc0(sizeof(int64) * n);
	for (v = 0; v < g->nnodes; v++)
		s->parent[v] = -1;

	for (v = 0; v < g->nnodes; v++)
		if (g->listed[v])
			uk_pass(s, pass++, v, -1);
	for (grp = 0; grp < g->ngroups; grp++)
	{
		bool		has_listed_member = false;
		int32		i;

		for (i = g->group_start[grp]; i < g->group_start[grp + 1]; i++)
			has_listed_member |= g->listed[g->edges[g->group_edge[i]].owner];
		if (has_listed_member)
			uk_pass(s, pass++, -1, grp);
	}
	return s;
}

static int
cmp_holding(const ListCell *a, const ListCell *b)
{
	const ControllerHolding *x = lfirst(a);
	const ControllerHolding *y = lfirst(b);

	if (x->share != y->share)
		return x->share > y->share ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void
append_holdings(StringInfo buf, List *holdings)
{
	ListCell   *lc;
	bool		first = true;

	list_sort(holdings, cmp_holding);
	appendStringInfoString(buf, ",\"controllers\":[");
	foreach(lc, holdings)
	{
		ControllerHolding *h = lfirst(lc);

		if (!first)
			appendStringInfoChar(buf, ',');
		first = false;
		appendStringInfoString(buf, h->json);
	}
	appendStringInfoChar(buf, ']');
}

static const char *uk_note =
"Holdings of different designated persons are not added up unless recorded as a joint arrangement.";

static char *
uk_basis(UkState *s, int32 v)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"rule\":\"uk\",\"test\":\"> 50\",\"blocked_share\":%s",
					 share_text(s->best[v]));
	append_holdings(&buf, s->holdings[v]);
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/* ---------------------------------------------------------------------
 * Look-through: effective share along simple paths (informational)
 * --------------------------------------------------------------------- */

typedef struct LookState
{
	OwnGraph   *g;
	Numeric    *fraction;		/* per edge, its share as a fraction of 1 */
	Numeric    *effective;		/* per node, NULL = not reached */
	int64	   *npaths;
	List	  **paths;			/* per node: first FoundPath entries */
	int64		steps;
	int32		target;
} LookState;

/* Share of edge number i as a fraction of 1, exactly (computed once). */
static Numeric
edge_fraction(LookState *ls, int32 i)
{
	if (ls->fraction[i] == NULL)
		ls->fraction[i] =
			numeric_trimmed(int64_div_fast_to_numeric(ls->g->edges[i].share,
													  SHARE_SCALE + 2));
	return ls->fraction[i];
}

static void
lookthrough_from(LookState *ls, int32 source)
{
	OwnGraph   *g = ls->g;
	Size		n = (Size) g->nnodes + 1;
	int32	   *stack = palloc(sizeof(int32) * n);
	int32	   *next = palloc(sizeof(int32) * n);
	Numeric    *product = palloc(sizeof(Numeric) * n);
	bool	   *on_path = palloc0(sizeof(bool) * n);
	int32		depth = 0;

	stack[0] = source;
	next[0] = g->out_start[source];
	product[0] = int64_to_numeric(100);
	on_path[source] = true;

	while (depth >= 0)
	{
		int32		u = stack[depth];
		int32		edge;
		int32		v;

		CHECK_FOR_INTERRUPTS();
		if (next[depth] >= g->out_start[u + 1])
		{
			on_path[u] = false;
			depth--;
			continue;
		}
		edge = g->out_edge[next[depth]++];
		v = g->edges[edge].owned;
		if (g->listed[v] || on_path[v])
			continue;
		if (++ls->steps > LOOKTHROUGH_MAX_STEPS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("look-through found more than %d ownership paths",
							LOOKTHROUGH_MAX_STEPS),
					 errdetail("The look-through sums every path from a listed party; this graph has too many."),
					 errhint("Restrict the edges query to the neighbourhood of interest, or use a legal rule (ofac, eu, uk), which runs in linear time.")));

		depth++;
		stack[depth] = v;
		next[depth] = g->out_start[v];
		product[depth] = numeric_mul_opt_error(product[depth - 1],
											   edge_fraction(ls, edge), NULL);
		on_path[v] = true;

		ls->effective[v] = ls->effective[v] == NULL ? product[depth] :
			numeric_add_opt_error(ls->effective[v], product[depth], NULL);
		ls->npaths[v]++;
		if ((ls->target < 0 || ls->target == v) &&
			list_length(ls->paths[v]) < LOOKTHROUGH_SHOWN_PATHS)
		{
			FoundPath  *p = palloc(sizeof(FoundPath));
			StringInfoData buf;
			int32		i;

			initStringInfo(&buf);
			appendStringInfoString(&buf, "{\"path\":[");
			for (i = 0; i <= depth; i++)
			{
				if (i > 0)
					appendStringInfoChar(&buf, ',');
				escape_json(&buf, g->ids[stack[i]]);
			}
			appendStringInfo(&buf, "],\"share\":%s}", numeric_text(product[depth]));
			p->share = product[depth];
			p->json = buf.data;
			ls->paths[v] = lappend(ls->paths[v], p);
		}
	}
	pfree(stack);
	pfree(next);
	pfree(product);
	pfree(on_path);
}

static LookState *
lookthrough_run(OwnGraph *g, int32 target)
{
	LookState  *ls = palloc0(sizeof(LookState));
	Size		n = (Size) g->nnodes + 1;
	int32		v;

	ls->g = g;
	ls->target = target;
	ls->effective = palloc0(sizeof(Numeric) * n);
	ls->npaths = palloc0(sizeof(int64) * n);
	ls->paths = palloc0(sizeof(List *) * n);
	ls->fraction = palloc0(sizeof(Numeric) * ((Size) g->nedges + 1));
	for (v = 0; v < g->nnodes; v++)
		if (g->listed[v])
			lookthrough_from(ls, v);
	return ls;
}

static int
cmp_found_path(const ListCell *a, const ListCell *b)
{
	const FoundPath *x = lfirst(a);
	const FoundPath *y = lfirst(b);
	int			c = DatumGetInt32(DirectFunctionCall2(numeric_cmp,
													  NumericGetDatum(x->share),
													  NumericGetDatum(y->share)));

	return c != 0 ? -c : strcmp(x->json, y->json);
}

static void
append_lookthrough(StringInfo buf, LookState *ls, int32 v)
{
	ListCell   *lc;
	bool		first = true;

	appendStringInfo(buf, "\"rule\":\"lookthrough\",\"legal_rule\":false,"
					 "\"note\":\"Effective share multiplied along ownership paths from listed parties through entities that are not listed: a risk indicator, not a legal test.\","
					 "\"effective_share\":%s,\"paths_found\":" INT64_FORMAT ",\"paths\":[",
					 ls->effective[v] ? numeric_text(ls->effective[v]) : "0",
					 ls->npaths[v]);
	list_sort(ls->paths[v], cmp_found_path);
	foreach(lc, ls->paths[v])
	{
		if (!first)
			appendStringInfoChar(buf, ',');
		first = false;
		appendStringInfoString(buf, ((FoundPath *) lfirst(lc))->json);
	}
	appendStringInfoChar(buf, ']');
}

/* ---------------------------------------------------------------------
 * SQL-callable functions
 * --------------------------------------------------------------------- */

static OwnershipRule
parse_rule(FunctionCallInfo fcinfo, int argno)
{
	char	   *name;
	int			i;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("ownership rule must not be null"),
				 errhint("Use one of ofac, eu, uk, lookthrough.")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	for (i = 0; i < (int) lengthof(rule_names); i++)
		if (strcmp(name, rule_names[i]) == 0)
			return (OwnershipRule) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown ownership rule \"%s\"", name),
			 errhint("Use one of ofac, eu, uk, lookthrough.")));
	pg_unreachable();
}

static char *
query_arg(FunctionCallInfo fcinfo, int argno, const char *what)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s query must not be null", what)));
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

static int
cmp_row(const void *a, const void *b)
{
	return strcmp(((const RollupRow *) a)->entity, ((const RollupRow *) b)->entity);
}

/*
 * ownership_rollup(edges text, blocked text, rule text)
 *	  Every entity blocked through ownership under the rule (every entity
 *	  with a positive effective share for lookthrough), not the listed ones,
 *	  with its share and a jsonb basis; rows in entity id order.
 */
Datum
ownership_rollup(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *edges_query = query_arg(fcinfo, 0, "edges");
	char	   *blocked_query = query_arg(fcinfo, 1, "blocked");
	OwnershipRule rule = parse_rule(fcinfo, 2);
	OwnGraph   *g;
	MemoryContext old;
	RollupRow  *rows;
	int32		nrows = 0,
				v,
				i;

	InitMaterializedSRF(fcinfo, 0);
	g = graph_load(edges_query, blocked_query);
	old = MemoryContextSwitchTo(g->cxt);
	rows = palloc(sizeof(RollupRow) * ((Size) g->nnodes + 1));

	if (rule == RULE_OFAC || rule == RULE_EU)
	{
		AggregateRun *r = aggregate_run(g);

		for (v = 0; v < g->nnodes; v++)
			if (r->blocked[v] && !g->listed[v])
			{
				rows[nrows].entity = g->ids[v];
				rows[nrows].share = share_numeric(r->share[v]);
				rows[nrows].basis = aggregate_json(g, r, rule, v, false);
				nrows++;
			}
	}
	else if (rule == RULE_UK)
	{
		UkState    *s = uk_run(g, -1);

		for (v = 0; v < g->nnodes; v++)
			if (s->holdings[v] != NIL)
			{
				rows[nrows].entity = g->ids[v];
				rows[nrows].share = share_numeric(s->best[v]);
				rows[nrows].basis = uk_basis(s, v);
				nrows++;
			}
	}
	else
	{
		LookState  *ls = lookthrough_run(g, -1);

		for (v = 0; v < g->nnodes; v++)
			if (ls->effective[v] != NULL)
			{
				StringInfoData buf;

				initStringInfo(&buf);
				appendStringInfoChar(&buf, '{');
				append_lookthrough(&buf, ls, v);
				appendStringInfoChar(&buf, '}');
				rows[nrows].entity = g->ids[v];
				rows[nrows].share = numeric_trimmed(ls->effective[v]);
				rows[nrows].basis = buf.data;
				nrows++;
			}
	}

	qsort(rows, nrows, sizeof(RollupRow), cmp_row);
	for (i = 0; i < nrows; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		CHECK_FOR_INTERRUPTS();
		values[0] = CStringGetTextDatum(rows[i].entity);
		values[1] = NumericGetDatum(rows[i].share);
		values[2] = DirectFunctionCall1(jsonb_in, CStringGetDatum(rows[i].basis));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(g->cxt);
	return (Datum) 0;
}

/*
 * ownership_explain(entity text, edges text, blocked text, rule text)
 *	  Why one entity is, or is not, blocked: its owners, their status, what
 *	  counts and what does not, and the total against the threshold.
 */
Datum
ownership_explain(PG_FUNCTION_ARGS)
{
	char	   *entity;
	char	   *edges_query = query_arg(fcinfo, 1, "edges");
	char	   *blocked_query = query_arg(fcinfo, 2, "blocked");
	OwnershipRule rule = parse_rule(fcinfo, 3);
	OwnGraph   *g;
	MemoryContext old;
	StringInfoData buf;
	int32		v;
	Datum		result;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("entity to explain must not be null")));
	entity = text_to_cstring(PG_GETARG_TEXT_PP(0));
	g = graph_load(edges_query, blocked_query);
	old = MemoryContextSwitchTo(g->cxt);
	v = node_lookup(g, entity);
	initStringInfo(&buf);

	if (v < 0)
	{
		/* Not in any edge nor listed: nothing owns it. */
		appendStringInfoChar(&buf, '{');
		append_key_string(&buf, "entity", entity);
		appendStringInfoString(&buf, ",\"status\":\"not blocked\",");
		append_key_string(&buf, "rule", rule_names[rule]);
		appendStringInfoString(&buf, ",\"owners\":[],\"note\":\"The entity appears in no ownership edge and is not listed.\"}");
	}
	else if (rule == RULE_OFAC || rule == RULE_EU)
		appendStringInfoString(&buf,
							   aggregate_json(g, aggregate_run(g), rule, v, true));
	else
	{
		int32		n,
					i;
		int32	   *list = sorted_in_edges(g, v, &n);
		UkState    *s = rule == RULE_UK ? uk_run(g, v) : NULL;
		LookState  *ls = rule == RULE_LOOKTHROUGH ? lookthrough_run(g, v) : NULL;

		appendStringInfoChar(&buf, '{');
		append_key_string(&buf, "entity", g->ids[v]);
		appendStringInfoChar(&buf, ',');
		append_key_string(&buf, "status",
						  g->listed[v] ? "listed" :
						  s ? (s->best[v] > 0 ? "blocked through ownership" : "not blocked") :
						  "not assessed: lookthrough is not a legal rule");
		appendStringInfoChar(&buf, ',');
		if (s)
		{
			appendStringInfo(&buf, "\"rule\":\"uk\",\"test\":\"> 50\",\"blocked_share\":%s,",
							 share_text(s->best[v]));
			append_key_string(&buf, "note", uk_note);
		}
		else
			append_lookthrough(&buf, ls, v);
		appendStringInfoString(&buf, ",\"owners\":[");
		for (i = 0; i < n; i++)
		{
			OwnEdge    *e = &g->edges[list[i]];

			if (i > 0)
				appendStringInfoChar(&buf, ',');
			appendStringInfoChar(&buf, '{');
			append_edge_fields(&buf, g, e);
			appendStringInfoChar(&buf, ',');
			if (s)
			{
				bool		controlled = s->best[e->owner] > 0;

				append_key_string(&buf, "status",
								  g->listed[e->owner] ? "listed" :
								  controlled ? "blocked through ownership" :
								  "not blocked");
				appendStringInfoChar(&buf, ',');
				append_key_string(&buf, "reason",
								  g->listed[e->owner] ?
								  "a designated person's stake counts toward that person's own holding" :
								  controlled ?
								  "a stake held through an entity a designated person controls counts toward that person's holding" :
								  e->group >= 0 ?
								  "counts only toward its joint arrangement, if a designated person is a member" :
								  "a stake held through an entity no designated person controls counts zero");
			}
			else
				append_key_string(&buf, "status",
								  g->listed[e->owner] ? "listed" : "not listed");
			appendStringInfoChar(&buf, '}');
		}
		appendStringInfoChar(&buf, ']');
		if (s)
			append_holdings(&buf, s->holdings[v]);
		appendStringInfoChar(&buf, '}');
	}

	MemoryContextSwitchTo(old);
	result = DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
	MemoryContextDelete(g->cxt);
	PG_RETURN_DATUM(result);
}
