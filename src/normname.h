/*
 * normname.h
 *	  The on-disk form of sanctions.normname and the interfaces between the
 *	  modules that build it (normalization) and read it (similarity, namesim).
 *
 * A normname is a varlena holding the canonical form of a name: its tokens
 * in canonical order, each with its class and the per-token keys that the
 * similarity scorer precomputes once (so that comparisons never redo
 * transliteration or phonetic coding).  Everything after the canonical text
 * is derived from it, so two values are equal exactly when their canonical
 * texts are equal, and text output read back gives an equal value.
 *
 * Layout:
 *	  NormName header | NormNameToken tokens[ntokens] | canonical text (no NUL)
 * The canonical text is the tokens joined by single spaces; token i's bytes
 * are text[off .. off+len).
 */
#ifndef SANCTIONS_NORMNAME_H
#define SANCTIONS_NORMNAME_H

#include "postgres.h"
#include "fmgr.h"

#define NORMNAME_FORMAT_VERSION 1

/* Limits (documented in the README). */
#define NORMNAME_MAX_INPUT_CHARS	1000	/* characters of raw input */
#define NORMNAME_MAX_TOKENS			64		/* fits a uint64 token mask */
#define NORMNAME_MAX_TEXT			2000	/* bytes of canonical text */

/* What a token is; the scorer weighs classes differently. */
typedef enum NameTokenClass
{
	NAME_TOKEN_WORD = 0,		/* ordinary name part */
	NAME_TOKEN_LEGAL_FORM = 1,	/* canonical legal form: ltd, llc, jsc ... */
	NAME_TOKEN_NUMBER = 2,		/* digits: must agree exactly */
	NAME_TOKEN_INITIAL = 3		/* single letter standing for a word */
} NameTokenClass;

/* What the whole name looks like it names (a hint; 0 = unknown). */
#define NORMNAME_KIND_UNKNOWN		0
#define NORMNAME_KIND_PERSON		1	/* e.g. "SURNAME, Given" input */
#define NORMNAME_KIND_ORGANIZATION	2	/* has a legal form or org word */

typedef struct NormNameToken
{
	uint16		off;			/* byte offset of the token in the text */
	uint8		len;			/* byte length */
	uint8		cls;			/* NameTokenClass */
	uint32		phonetic;		/* phonetic key (hash; 0 = none) */
	uint32		skeleton;		/* consonant skeleton key (hash; 0 = none) */
} NormNameToken;

typedef struct NormName
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint8		version;		/* NORMNAME_FORMAT_VERSION */
	uint8		kind;			/* NORMNAME_KIND_* */
	uint16		ntokens;
	uint16		textlen;		/* bytes of canonical text */
	uint16		flags;			/* reserved, 0 */
	NormNameToken tokens[FLEXIBLE_ARRAY_MEMBER];
	/* canonical text follows the tokens */
} NormName;

#define NORMNAME_HDRSZ			offsetof(NormName, tokens)
#define NormNameText(n)			((char *) &(n)->tokens[(n)->ntokens])
#define NormNameTokenText(n, i)	(NormNameText(n) + (n)->tokens[i].off)

#define DatumGetNormName(d)		((NormName *) PG_DETOAST_DATUM(d))
#define PG_GETARG_NORMNAME(n)	DatumGetNormName(PG_GETARG_DATUM(n))
#define PG_RETURN_NORMNAME(x)	PG_RETURN_POINTER(x)

/*
 * Normalization (normalize.c): raw text in any script -> a palloc'd NormName
 * in CurrentMemoryContext.  Raises ERROR with a proper errcode on input that
 * names nothing.  NormalizeNameDebug also writes a JSON object describing
 * each step into debug (used by sanctions.normalize_debug).
 */
extern NormName *NormalizeName(const char *raw, int rawlen);
extern NormName *NormalizeNameDebug(const char *raw, int rawlen,
									struct StringInfoData *debug);
extern const char *NormNameKindName(uint8 kind);		/* "person", ... */
extern const char *NameTokenClassName(uint8 cls);	/* "word", "legal_form", ... */

/*
 * Per-token keys (phonetic.c, owned by the similarity module): fills
 * tok->phonetic and tok->skeleton from the token's canonical text.
 */
extern void NameTokenComputeKeys(const char *tok, int len, NameTokenClass cls,
								 NormNameToken *out);

#endif							/* SANCTIONS_NORMNAME_H */
