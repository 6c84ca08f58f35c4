/*
 * namesim.c
 *	  The namesim access method handler: capabilities, reloptions, the cost
 *	  estimate and the operator class validator.
 *
 * namesim indexes one sanctions.normname column for the similarity
 * operators: % (GUC threshold), %> with a sanctions.namequery (threshold in
 * the operand) and ORDER BY <-> (nearest names).  The cost estimate prices
 * what a scan really does: read the bucket chains of the query's block keys
 * (random page reads), compare the postings' fingerprints, bound each
 * candidate and fetch the candidates from the heap; all of it before the
 * first row, since the scan computes its answer at once.  An ordered scan
 * may go on to enumerate every other row, which the total cost includes and
 * LIMIT discounts.
 */
#include "postgres.h"

#include "access/amvalidate.h"
#include "access/htup_details.h"
#include "access/reloptions.h"
#include "catalog/namespace.h"
#include "catalog/pg_amop.h"
#include "catalog/pg_amproc.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_type.h"
#include "commands/progress.h"
#include "commands/vacuum.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/regproc.h"
#include "utils/selfuncs.h"
#include "utils/spccache.h"
#include "utils/syscache.h"

#include "namesim.h"

/* Keys assumed for a query that is not a constant at plan time. */
#define NAMESIM_DEFAULT_QUERY_KEYS	8

/*
 * Comparing a posting's fingerprint, in a tight loop over a page, costs
 * about a tenth of an operator call.
 */
#define NAMESIM_POSTING_COST	0.1

/* Candidates per matching row assumed by the cost estimate. */
#define NAMESIM_CANDIDATES_PER_MATCH	3.0

static relopt_kind namesim_relopt_kind;

/* Registers the reloptions; called from _PG_init. */
void
NamesimInit(void)
{
	namesim_relopt_kind = add_reloption_kind();
	add_int_reloption(namesim_relopt_kind, "buckets",
					  "Number of hash buckets of a namesim index (0: chosen from the data at build time)",
					  0, 0, NAMESIM_MAX_BUCKETS, AccessExclusiveLock);
}

static bytea *
namesimoptions(Datum reloptions, bool validate)
{
	static const relopt_parse_elt tab[] = {
		{"buckets", RELOPT_TYPE_INT, offsetof(NamesimOptions, buckets)}
	};

	return (bytea *) build_reloptions(reloptions, validate, namesim_relopt_kind,
									  sizeof(NamesimOptions), tab, lengthof(tab));
}

static char *
namesimbuildphasename(int64 phasenum)
{
	switch (phasenum)
	{
		case PROGRESS_CREATEIDX_SUBPHASE_INITIALIZE:
			return "initializing";
		case NAMESIM_PHASE_SCAN:
			return "scanning table";
		case NAMESIM_PHASE_SORT:
			return "sorting postings";
		case NAMESIM_PHASE_WRITE:
			return "writing buckets";
		default:
			return NULL;
	}
}

/*
 * Number of distinct block keys of the query operand of an index clause
 * (normname or namequery), or the default when it is not a constant.
 */
static int
namesim_operand_keys(Node *operand, Oid opfamily, Oid opno)
{
	int			strategy;
	NamesimKey *keys;
	const NormName *q;
	int			n;

	if (operand == NULL || !IsA(operand, Const) || ((Const *) operand)->constisnull)
		return NAMESIM_DEFAULT_QUERY_KEYS;
	strategy = get_op_opfamily_strategy(opno, opfamily);
	if (strategy == NAMESIM_SIMILAR_QUERY_STRATEGY)
		q = NameQueryGetName(DatumGetNameQuery(((Const *) operand)->constvalue));
	else
		q = DatumGetNormName(((Const *) operand)->constvalue);
	keys = palloc(sizeof(NamesimKey) * NAMESIM_MAX_NAME_KEYS);
	n = NamesimNameKeys(q, keys);
	pfree(keys);
	return n;
}

static void
namesimcostestimate(PlannerInfo *root, IndexPath *path, double loop_count,
					Cost *indexStartupCost, Cost *indexTotalCost,
					Selectivity *indexSelectivity, double *indexCorrelation,
					double *indexPages)
{
	IndexOptInfo *index = path->indexinfo;
	List	   *quals = get_quals_from_indexclauses(path->indexclauses);
	Relation	rel;
	uint32		nbuckets;
	double		tuples = Max(index->rel->tuples, 1);
	double		pages_per_bucket;
	double		probe_keys = 0;
	double		probe_pages;
	double		scanned;
	double		selectivity;
	double		candidates;
	double		spc_random_page_cost;
	double		spc_seq_page_cost;
	Cost		startup;
	Cost		total;
	ListCell   *lc;

	rel = index_open(index->indexoid, NoLock);
	nbuckets = NamesimGetMeta(rel)->nbuckets;
	index_close(rel, NoLock);

	get_tablespace_page_costs(index->reltablespace, &spc_random_page_cost,
							  &spc_seq_page_cost);

	/* keys probed: each qual's query, and the ordering query */
	foreach(lc, quals)
	{
		RestrictInfo *rinfo = lfirst_node(RestrictInfo, lc);
		OpExpr	   *op = (OpExpr *) rinfo->clause;

		if (IsA(op, OpExpr) && list_length(op->args) == 2)
			probe_keys += namesim_operand_keys(estimate_expression_value(root, lsecond(op->args)),
											   index->opfamily[0], op->opno);
		else
			probe_keys += NAMESIM_DEFAULT_QUERY_KEYS;
	}
	foreach(lc, path->indexorderbys)
	{
		OpExpr	   *op = (OpExpr *) lfirst(lc);

		if (IsA(op, OpExpr) && list_length(op->args) == 2)
			probe_keys += namesim_operand_keys(estimate_expression_value(root, lsecond(op->args)),
											   index->opfamily[0], op->opno);
	}

	pages_per_bucket = Max(1.0, (index->pages - 1) / (double) nbuckets);
	probe_pages = Min(Max(index->pages - 1, 1), Max(probe_keys, 1) * pages_per_bucket);
	scanned = probe_pages * NAMESIM_PAGE_CAPACITY * NAMESIM_BUILD_FILL;

	/* rows fetched from the heap: the candidates, a multiple of the matches */
	selectivity = clauselist_selectivity(root, quals, index->rel->relid,
										 JOIN_INNER, NULL);
	candidates = Min(tuples, Max(1.0, selectivity * tuples * NAMESIM_CANDIDATES_PER_MATCH));
	if (quals == NIL)
		candidates = tuples;	/* an ordered scan may return every row */

	/* the whole probe happens before the first row comes back */
	startup = probe_pages * spc_random_page_cost
		+ scanned * cpu_operator_cost * NAMESIM_POSTING_COST
		+ candidates * cpu_operator_cost	/* the bound, per candidate */
		+ index_other_operands_eval_cost(root, quals);
	total = startup + candidates * cpu_index_tuple_cost;
	if (quals == NIL)
		total += (index->pages - probe_pages) * spc_seq_page_cost;

	*indexStartupCost = startup;
	*indexTotalCost = total;
	*indexSelectivity = candidates / tuples;
	*indexCorrelation = 0;
	*indexPages = probe_pages;
}

/* OID of a type of schema sanctions, or InvalidOid. */
static Oid
namesim_type_oid(const char *name)
{
	Oid			nsp = get_namespace_oid("sanctions", true);

	if (!OidIsValid(nsp))
		return InvalidOid;
	return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
						   CStringGetDatum(name), ObjectIdGetDatum(nsp));
}

/*
 * Checks an operator class of namesim: it indexes sanctions.normname, has
 * the % and %> search operators and the <-> ordering operator with their
 * signatures, and no support function (the block keys are the scorer's).
 */
static bool
namesimvalidate(Oid opclassoid)
{
	bool		result = true;
	HeapTuple	classtup;
	Form_pg_opclass classform;
	Oid			opfamilyoid;
	char	   *opclassname;
	Oid			normname = namesim_type_oid("normname");
	Oid			namequery = namesim_type_oid("namequery");
	CatCList   *oprlist;
	CatCList   *proclist;
	bool		seen[NAMESIM_NSTRATEGIES + 1] = {false};

	classtup = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclassoid));
	if (!HeapTupleIsValid(classtup))
		elog(ERROR, "cache lookup failed for operator class %u", opclassoid);
	classform = (Form_pg_opclass) GETSTRUCT(classtup);
	opfamilyoid = classform->opcfamily;
	opclassname = NameStr(classform->opcname);

	if (classform->opcintype != normname || !OidIsValid(normname))
	{
		ereport(INFO,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("namesim operator class \"%s\" does not index sanctions.normname",
						opclassname)));
		result = false;
	}

	proclist = SearchSysCacheList1(AMPROCNUM, ObjectIdGetDatum(opfamilyoid));
	for (int i = 0; i < proclist->n_members; i++)
	{
		Form_pg_amproc procform = (Form_pg_amproc) GETSTRUCT(&proclist->members[i]->tuple);

		ereport(INFO,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("namesim operator family of \"%s\" contains support function %s, but namesim uses none",
						opclassname, format_procedure(procform->amproc))));
		result = false;
	}

	oprlist = SearchSysCacheList1(AMOPSTRATEGY, ObjectIdGetDatum(opfamilyoid));
	for (int i = 0; i < oprlist->n_members; i++)
	{
		Form_pg_amop oprform = (Form_pg_amop) GETSTRUCT(&oprlist->members[i]->tuple);
		int			strategy = oprform->amopstrategy;
		bool		ok;

		switch (strategy)
		{
			case NAMESIM_SIMILAR_STRATEGY:
			case NAMESIM_SIMILAR_QUERY_STRATEGY:
				ok = oprform->amoppurpose == AMOP_SEARCH &&
					check_amop_signature(oprform->amopopr, BOOLOID, normname,
										 strategy == NAMESIM_SIMILAR_STRATEGY ? normname : namequery);
				break;
			case NAMESIM_DISTANCE_STRATEGY:
				ok = oprform->amoppurpose == AMOP_ORDER &&
					OidIsValid(oprform->amopsortfamily) &&
					(check_amop_signature(oprform->amopopr, FLOAT4OID, normname, normname) ||
					 check_amop_signature(oprform->amopopr, FLOAT8OID, normname, normname));
				break;
			default:
				ok = false;
				break;
		}
		if (!ok)
		{
			ereport(INFO,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("namesim operator family of \"%s\" contains operator %s with invalid strategy number %d, purpose or signature",
							opclassname, format_operator(oprform->amopopr), strategy)));
			result = false;
		}
		else
			seen[strategy] = true;
	}

	for (int s = 1; s <= NAMESIM_NSTRATEGIES; s++)
		if (!seen[s])
		{
			ereport(INFO,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("namesim operator class \"%s\" is missing the operator of strategy %d",
							opclassname, s)));
			result = false;
		}

	ReleaseCatCacheList(proclist);
	ReleaseCatCacheList(oprlist);
	ReleaseSysCache(classtup);
	return result;
}

PG_FUNCTION_INFO_V1(namesim_handler);
Datum
namesim_handler(PG_FUNCTION_ARGS)
{
	IndexAmRoutine *amroutine = makeNode(IndexAmRoutine);

	amroutine->amstrategies = NAMESIM_NSTRATEGIES;
	amroutine->amsupport = 0;
	amroutine->amoptsprocnum = 0;
	amroutine->amcanorder = false;
	amroutine->amcanorderbyop = true;
	amroutine->amcanbackward = false;
	amroutine->amcanunique = false;
	amroutine->amcanmulticol = false;
	amroutine->amoptionalkey = true;	/* ORDER BY <-> alone is a scan */
	amroutine->amsearcharray = false;
	amroutine->amsearchnulls = false;
	amroutine->amstorage = false;
	amroutine->amclusterable = false;
	amroutine->ampredlocks = false;
	amroutine->amcanparallel = false;
	amroutine->amcaninclude = false;
	amroutine->amusemaintenanceworkmem = true;
	amroutine->amparallelvacuumoptions = VACUUM_OPTION_PARALLEL_BULKDEL;
	amroutine->amkeytype = InvalidOid;

	amroutine->ambuild = namesimbuild;
	amroutine->ambuildempty = namesimbuildempty;
	amroutine->aminsert = namesiminsert;
	amroutine->ambulkdelete = namesimbulkdelete;
	amroutine->amvacuumcleanup = namesimvacuumcleanup;
	amroutine->amcanreturn = NULL;
	amroutine->amcostestimate = namesimcostestimate;
	amroutine->amoptions = namesimoptions;
	amroutine->amproperty = NULL;
	amroutine->ambuildphasename = namesimbuildphasename;
	amroutine->amvalidate = namesimvalidate;
	amroutine->amadjustmembers = NULL;
	amroutine->ambeginscan = namesimbeginscan;
	amroutine->amrescan = namesimrescan;
	amroutine->amgettuple = namesimgettuple;
	amroutine->amgetbitmap = namesimgetbitmap;
	amroutine->amendscan = namesimendscan;
	amroutine->ammarkpos = NULL;
	amroutine->amrestrpos = NULL;
	amroutine->amestimateparallelscan = NULL;
	amroutine->aminitparallelscan = NULL;
	amroutine->amparallelrescan = NULL;

	PG_RETURN_POINTER(amroutine);
}
