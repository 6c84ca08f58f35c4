/*
 * namesim_query.c
 *	  The sanctions.namequery type: a name carrying its own threshold.
 *
 * "similarity(a, b) >= 0.8" is not indexable, and the GUC behind % is one
 * value per session while screening thresholds differ per list and use.  A
 * namequery packs the query name and its threshold into one operand, so
 * "name %> sanctions.name_query('...', 0.8)" is an indexable clause whose
 * threshold travels with it.  Text form: "threshold:name", e.g.
 * "0.85:john smith"; the name part is normalized like sanctions.normname.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/float.h"

#include "namesim.h"

static NameQuery *
namequery_make(const NormName *name, float4 threshold)
{
	Size		namelen = VARSIZE(name);
	NameQuery  *nq;

	if (isnan(threshold) || threshold < 0 || threshold > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("similarity threshold %g is out of range", threshold),
				 errdetail("A similarity threshold is between 0 and 1.")));

	nq = palloc0(NAMEQUERY_HDRSZ + namelen);
	SET_VARSIZE(nq, NAMEQUERY_HDRSZ + namelen);
	nq->threshold = threshold;
	memcpy(NameQueryGetName(nq), name, namelen);
	return nq;
}

PG_FUNCTION_INFO_V1(namequery_in);
Datum
namequery_in(PG_FUNCTION_ARGS)
{
	char	   *orig = PG_GETARG_CSTRING(0);
	char	   *str = pstrdup(orig);
	char	   *colon = strchr(str, ':');
	char	   *end;
	float4		threshold;

	if (colon == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\"", "namequery", str),
				 errdetail("A namequery is written as threshold:name, for example 0.85:john smith.")));
	*colon = '\0';
	threshold = (float4) float8in_internal(str, &end, "namequery", orig);
	*colon = ':';
	while (*end == ' ')
		end++;
	if (end != colon)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s: \"%s\"", "namequery", str),
				 errdetail("The threshold before the colon is not a number.")));

	PG_RETURN_POINTER(namequery_make(NormalizeName(colon + 1, strlen(colon + 1)),
									 threshold));
}

PG_FUNCTION_INFO_V1(namequery_out);
Datum
namequery_out(PG_FUNCTION_ARGS)
{
	NameQuery  *nq = DatumGetNameQuery(PG_GETARG_DATUM(0));
	NormName   *name = NameQueryGetName(nq);
	char	   *threshold = DatumGetCString(DirectFunctionCall1(float4out,
																 Float4GetDatum(nq->threshold)));

	PG_RETURN_CSTRING(psprintf("%s:%.*s", threshold, (int) name->textlen,
							   NormNameText(name)));
}

/* sanctions.name_query(normname, real) */
PG_FUNCTION_INFO_V1(name_query);
Datum
name_query(PG_FUNCTION_ARGS)
{
	NormName   *name = PG_GETARG_NORMNAME(0);

	PG_RETURN_POINTER(namequery_make(name, PG_GETARG_FLOAT4(1)));
}

/* sanctions.name_query(text, real): normalizes the text first */
PG_FUNCTION_INFO_V1(name_query_text);
Datum
name_query_text(PG_FUNCTION_ARGS)
{
	text	   *raw = PG_GETARG_TEXT_PP(0);

	PG_RETURN_POINTER(namequery_make(NormalizeName(VARDATA_ANY(raw), VARSIZE_ANY_EXHDR(raw)),
									 PG_GETARG_FLOAT4(1)));
}

/* sanctions.namequery_name(namequery) and sanctions.namequery_threshold */
PG_FUNCTION_INFO_V1(namequery_name);
Datum
namequery_name(PG_FUNCTION_ARGS)
{
	NameQuery  *nq = DatumGetNameQuery(PG_GETARG_DATUM(0));
	NormName   *name = NameQueryGetName(nq);
	NormName   *copy = palloc(VARSIZE(name));

	memcpy(copy, name, VARSIZE(name));
	PG_RETURN_NORMNAME(copy);
}

PG_FUNCTION_INFO_V1(namequery_threshold);
Datum
namequery_threshold(PG_FUNCTION_ARGS)
{
	NameQuery  *nq = DatumGetNameQuery(PG_GETARG_DATUM(0));

	PG_RETURN_FLOAT4(nq->threshold);
}

/*
 * name %> namequery: the similarity of the name to the query's name reaches
 * the query's threshold (argument order as for name % normname).
 */
PG_FUNCTION_INFO_V1(name_similar_query);
Datum
name_similar_query(PG_FUNCTION_ARGS)
{
	NormName   *name = PG_GETARG_NORMNAME(0);
	NameQuery  *nq = DatumGetNameQuery(PG_GETARG_DATUM(1));

	PG_RETURN_BOOL(NameSimilarity(name, NameQueryGetName(nq)) >= nq->threshold);
}
