/*
 * normname.c
 *	  The sanctions.normname type: text and binary I/O, casts, comparison
 *	  operators, btree and hash support, and the SQL-callable helpers
 *	  (normalize, tokens, token_classes, name_kind, normalize_debug,
 *	  icu_version).
 *
 * Equality, ordering and hashing look at the canonical text only; the token
 * descriptors and the kind hint are derived from it.  The text output is the
 * canonical text, except that a name whose kind hint is "person" is printed
 * "first, rest" (a comma after the first token): read back, that comma makes
 * the pipeline derive the same hint, so output -> input gives an equal value
 * with the same derived data.  The binary form is the text form.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "normname.h"

#include <unicode/uchar.h>
#include <unicode/uversion.h>

#define NORMNAME_BINARY_VERSION 1

PG_FUNCTION_INFO_V1(normname_in);
PG_FUNCTION_INFO_V1(normname_out);
PG_FUNCTION_INFO_V1(normname_recv);
PG_FUNCTION_INFO_V1(normname_send);
PG_FUNCTION_INFO_V1(normname_from_text);
PG_FUNCTION_INFO_V1(normname_to_text);
PG_FUNCTION_INFO_V1(normname_eq);
PG_FUNCTION_INFO_V1(normname_ne);
PG_FUNCTION_INFO_V1(normname_lt);
PG_FUNCTION_INFO_V1(normname_le);
PG_FUNCTION_INFO_V1(normname_gt);
PG_FUNCTION_INFO_V1(normname_ge);
PG_FUNCTION_INFO_V1(normname_cmp);
PG_FUNCTION_INFO_V1(normname_hash);
PG_FUNCTION_INFO_V1(normname_hash_extended);
PG_FUNCTION_INFO_V1(normname_normalize);
PG_FUNCTION_INFO_V1(normname_tokens);
PG_FUNCTION_INFO_V1(normname_token_classes);
PG_FUNCTION_INFO_V1(normname_kind);
PG_FUNCTION_INFO_V1(normname_normalize_debug);
PG_FUNCTION_INFO_V1(normname_icu_version);

static NormName *
checked_normname(Datum d)
{
	NormName   *n = DatumGetNormName(d);

	if (n->version != NORMNAME_FORMAT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("unsupported normname format version %d", n->version),
				 errhint("Re-normalize the stored names from their raw text.")));
	return n;
}

/* The text form: canonical text, "first, rest" for person names. */
static char *
normname_to_cstring(const NormName *n)
{
	const char *text = NormNameText(n);
	char	   *out = palloc(n->textlen + 2);

	if (n->kind == NORMNAME_KIND_PERSON && n->ntokens > 1)
	{
		int			first = n->tokens[0].len;

		memcpy(out, text, first);
		out[first] = ',';
		memcpy(out + first + 1, text + first, n->textlen - first);
		out[n->textlen + 1] = '\0';
	}
	else
	{
		memcpy(out, text, n->textlen);
		out[n->textlen] = '\0';
	}
	return out;
}

Datum
normname_in(PG_FUNCTION_ARGS)
{
	char	   *s = PG_GETARG_CSTRING(0);

	PG_RETURN_NORMNAME(NormalizeName(s, strlen(s)));
}

Datum
normname_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(normname_to_cstring(checked_normname(PG_GETARG_DATUM(0))));
}

Datum
normname_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version = pq_getmsgint(buf, 1);
	char	   *s;
	int			nbytes;

	if (version != NORMNAME_BINARY_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported normname binary format version %d", version)));
	s = pq_getmsgtext(buf, buf->len - buf->cursor, &nbytes);
	PG_RETURN_NORMNAME(NormalizeName(s, nbytes));
}

Datum
normname_send(PG_FUNCTION_ARGS)
{
	NormName   *n = checked_normname(PG_GETARG_DATUM(0));
	char	   *s = normname_to_cstring(n);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint8(&buf, NORMNAME_BINARY_VERSION);
	pq_sendtext(&buf, s, strlen(s));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
normname_from_text(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_NORMNAME(NormalizeName(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
}

Datum
normname_to_text(PG_FUNCTION_ARGS)
{
	NormName   *n = checked_normname(PG_GETARG_DATUM(0));

	PG_RETURN_TEXT_P(cstring_to_text(normname_to_cstring(n)));
}

/* ---- comparison: canonical text, bytewise ---- */

static int
normname_compare(NormName *a, NormName *b)
{
	int			r = memcmp(NormNameText(a), NormNameText(b), Min(a->textlen, b->textlen));

	if (r != 0)
		return r;
	return (int) a->textlen - (int) b->textlen;
}

#define NORMNAME_CMP_FUNC(name, op) \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	NormName   *a = checked_normname(PG_GETARG_DATUM(0)); \
	NormName   *b = checked_normname(PG_GETARG_DATUM(1)); \
	int			r = normname_compare(a, b); \
	PG_FREE_IF_COPY(a, 0); \
	PG_FREE_IF_COPY(b, 1); \
	PG_RETURN_BOOL(r op 0); \
}

NORMNAME_CMP_FUNC(normname_eq, ==)
NORMNAME_CMP_FUNC(normname_ne, !=)
NORMNAME_CMP_FUNC(normname_lt, <)
NORMNAME_CMP_FUNC(normname_le, <=)
NORMNAME_CMP_FUNC(normname_gt, >)
NORMNAME_CMP_FUNC(normname_ge, >=)

Datum
normname_cmp(PG_FUNCTION_ARGS)
{
	NormName   *a = checked_normname(PG_GETARG_DATUM(0));
	NormName   *b = checked_normname(PG_GETARG_DATUM(1));
	int			r = normname_compare(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_INT32(r < 0 ? -1 : (r > 0 ? 1 : 0));
}

Datum
normname_hash(PG_FUNCTION_ARGS)
{
	NormName   *n = checked_normname(PG_GETARG_DATUM(0));
	Datum		h = hash_any((const unsigned char *) NormNameText(n), n->textlen);

	PG_FREE_IF_COPY(n, 0);
	PG_RETURN_DATUM(h);
}

Datum
normname_hash_extended(PG_FUNCTION_ARGS)
{
	NormName   *n = checked_normname(PG_GETARG_DATUM(0));
	Datum		h = hash_any_extended((const unsigned char *) NormNameText(n),
									  n->textlen, PG_GETARG_INT64(1));

	PG_FREE_IF_COPY(n, 0);
	PG_RETURN_DATUM(h);
}

/* ---- SQL helpers ---- */

Datum
normname_normalize(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	NormName   *n = NormalizeName(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));

	PG_RETURN_TEXT_P(cstring_to_text_with_len(NormNameText(n), n->textlen));
}

static ArrayType *
text_array(Datum *elems, int n)
{
	return construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT);
}

Datum
normname_tokens(PG_FUNCTION_ARGS)
{
	NormName   *n = checked_normname(PG_GETARG_DATUM(0));
	Datum	   *elems = palloc(Max(n->ntokens, 1) * sizeof(Datum));

	for (int i = 0; i < n->ntokens; i++)
		elems[i] = PointerGetDatum(cstring_to_text_with_len(NormNameTokenText(n, i),
															n->tokens[i].len));
	PG_RETURN_ARRAYTYPE_P(text_array(elems, n->ntokens));
}

Datum
normname_token_classes(PG_FUNCTION_ARGS)
{
	NormName   *n = checked_normname(PG_GETARG_DATUM(0));
	Datum	   *elems = palloc(Max(n->ntokens, 1) * sizeof(Datum));

	for (int i = 0; i < n->ntokens; i++)
		elems[i] = CStringGetTextDatum(NameTokenClassName(n->tokens[i].cls));
	PG_RETURN_ARRAYTYPE_P(text_array(elems, n->ntokens));
}

Datum
normname_kind(PG_FUNCTION_ARGS)
{
	NormName   *n = checked_normname(PG_GETARG_DATUM(0));

	PG_RETURN_TEXT_P(cstring_to_text(NormNameKindName(n->kind)));
}

Datum
normname_normalize_debug(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	StringInfoData debug;

	initStringInfo(&debug);
	(void) NormalizeNameDebug(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &debug);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(debug.data)));
}

Datum
normname_icu_version(PG_FUNCTION_ARGS)
{
	UVersionInfo icu;
	UVersionInfo unicode;
	char		icu_str[U_MAX_VERSION_STRING_LENGTH];
	char		unicode_str[U_MAX_VERSION_STRING_LENGTH];

	u_getVersion(icu);
	u_versionToString(icu, icu_str);
	u_getUnicodeVersion(unicode);
	u_versionToString(unicode, unicode_str);
	PG_RETURN_TEXT_P(cstring_to_text(psprintf("ICU %s, Unicode %s", icu_str, unicode_str)));
}
