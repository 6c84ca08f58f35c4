/*
 * name_tokens.h
 *	  Private interface between the modules of the normalization pipeline
 *	  (normalize.c, transliterate.c, legal_forms.c): the working token list
 *	  that the pipeline builds before it is packed into a NormName.
 */
#ifndef SANCTIONS_NAME_TOKENS_H
#define SANCTIONS_NAME_TOKENS_H

#include "normname.h"
#include "lib/stringinfo.h"

#include <unicode/utypes.h>

/* One token while the pipeline works on it. */
typedef struct NameWorkToken
{
	char	   *str;			/* palloc'd, NUL-terminated, lower-case */
	int			len;			/* bytes */
	uint8		cls;			/* NameTokenClass */
	int			segment;		/* comma-separated part of the input it came from */
	int8		legal_word;		/* in some legal-form alias? -1 = not looked up */
	int8		title_word;		/* in some title? -1 = not looked up */
} NameWorkToken;

typedef struct NameWorkTokens
{
	NameWorkToken *tok;
	int			n;
	int			cap;
	int			nsegments;		/* commas seen + 1 */
	bool		han_person;		/* a standalone Han name read as surname + given */
	bool		han_org;		/* Han text with a legal form or business word */
} NameWorkTokens;

/* normalize.c: fold + tokenize one string (no legal-form or title rules). */
extern void NameTokenizeText(const char *raw, int rawlen, NameWorkTokens *out,
							 StringInfo debug);

/* transliterate.c */
typedef enum NameTransliterator
{
	NAME_TRANS_ANY_LATIN = 0,	/* any script -> Latin (Han -> pinyin) */
	NAME_TRANS_LATIN_ASCII,		/* rare Latin letters -> ASCII */
	NAME_TRANS_HANT_HANS,		/* traditional -> simplified Chinese */
	NAME_TRANS_HAN_LATIN,		/* Han -> pinyin (what Any-Latin does to Han) */
	NAME_TRANS_COUNT
} NameTransliterator;

extern UChar *NameTransliterate(NameTransliterator which, const UChar *src,
								int32 srclen, int32 *dstlen);
extern int	HanSegmentWords(const UChar *src, int32 len, int32 *bounds, int maxbounds);

/* legal_forms.c */
extern void LegalFormBounds(NameWorkToken *toks, int ntoks, bool *head,
							bool *tail);
extern int	LegalFormMatch(NameWorkToken *toks, int ntoks, int start,
						   const bool *head, const bool *tail,
						   const char **canonical);
extern int	PersonTitleMatch(NameWorkToken *toks, int ntoks, int start);
extern bool OrgWordLookup(const char *tok);
extern int	HanBusinessWordMatch(const UChar *s, int32 len, bool org_context,
								 const char **english);
extern int	HanLegalFormSuffix(const UChar *s, int32 len, const char **canonical);
extern int	HanLegalFormPrefix(const UChar *s, int32 len, const char **canonical);
extern bool HanCompoundSurname(const UChar *s, int32 len);

#endif							/* SANCTIONS_NAME_TOKENS_H */
