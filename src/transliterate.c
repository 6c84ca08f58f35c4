/*
 * transliterate.c
 *	  ICU transliterators and the Chinese word segmenter, created once per
 *	  backend and cached.
 *
 * Opening an ICU transliterator parses its rules (milliseconds), so each one
 * is opened on first use and kept for the life of the backend; the handles
 * are ICU-allocated (malloc), the pointers live in this module.  A backend is
 * single-threaded and every parallel worker is its own process, so the cache
 * needs no locking.  Pure Latin input never gets here (normalize.c folds it
 * with the normalizer alone); only text with letters of another script pays
 * for "Any-Latin", and only Latin letters that do not decompose to ASCII pay
 * for "Latin-ASCII".
 *
 * Cyrillic and Greek go through the BGN/PCGN romanizations first: sanctions
 * lists spell Russian names that way ("Vladimirovich", "Shoygu"), where ICU's
 * default (ISO 9 style) would give "Vladimirovic".  Everything else uses
 * ICU's default Any-Latin (Han-Latin pinyin, Revised Romanization for Hangul,
 * Hepburn-like kana, ...).
 */
#include "postgres.h"

#include "name_tokens.h"

#include <unicode/ubrk.h>
#include <unicode/utrans.h>

static UTransliterator *transliterators[NAME_TRANS_COUNT];
static UBreakIterator *han_word_breaker;

static const char *const transliterator_ids[NAME_TRANS_COUNT] = {
	"Russian-Latin/BGN; Greek-Latin/BGN; Any-Latin",
	"Latin-ASCII",
	"Traditional-Simplified",
	"Han-Latin",
};

static UTransliterator *
get_transliterator(NameTransliterator which)
{
	if (transliterators[which] == NULL)
	{
		UErrorCode	status = U_ZERO_ERROR;
		UChar		id[128];
		UTransliterator *t;

		u_uastrcpy(id, transliterator_ids[which]);
		t = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &status);
		if (U_FAILURE(status) || t == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
					 errmsg("could not open ICU transliterator \"%s\": %s",
							transliterator_ids[which], u_errorName(status))));
		transliterators[which] = t;
	}
	return transliterators[which];
}

/*
 * Transliterate src with the given transliterator; returns a palloc'd buffer
 * (not NUL-terminated) and its length in *dstlen.
 */
UChar *
NameTransliterate(NameTransliterator which, const UChar *src, int32 srclen,
				  int32 *dstlen)
{
	UTransliterator *t = get_transliterator(which);
	int32		capacity = srclen * 4 + 16;

	for (;;)
	{
		UErrorCode	status = U_ZERO_ERROR;
		UChar	   *buf = palloc(capacity * sizeof(UChar));
		int32		len = srclen;
		int32		limit = srclen;

		memcpy(buf, src, srclen * sizeof(UChar));
		utrans_transUChars(t, buf, &len, capacity, 0, &limit, &status);
		if (status == U_BUFFER_OVERFLOW_ERROR)
		{
			pfree(buf);
			if (capacity > 64 * 1024 * 1024 / (int32) sizeof(UChar))
				elog(ERROR, "ICU transliteration output too large");
			capacity *= 4;
			continue;
		}
		if (U_FAILURE(status))
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
					 errmsg("ICU transliterator \"%s\" failed: %s",
							transliterator_ids[which], u_errorName(status))));
		*dstlen = len;
		return buf;
	}
}

/*
 * Split a run of Han characters into dictionary words with ICU's word break
 * iterator (the CJK dictionary).  Writes the end offset of each word into
 * bounds and returns the number of words.
 */
int
HanSegmentWords(const UChar *src, int32 len, int32 *bounds, int maxbounds)
{
	UErrorCode	status = U_ZERO_ERROR;
	int			n = 0;
	int32		pos;

	if (han_word_breaker == NULL)
	{
		han_word_breaker = ubrk_open(UBRK_WORD, "zh", NULL, 0, &status);
		if (U_FAILURE(status))
		{
			han_word_breaker = NULL;
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
					 errmsg("could not open ICU word break iterator: %s",
							u_errorName(status))));
		}
	}
	ubrk_setText(han_word_breaker, src, len, &status);
	if (U_FAILURE(status))
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("ICU word break iterator failed: %s", u_errorName(status))));
	ubrk_first(han_word_breaker);
	while ((pos = ubrk_next(han_word_breaker)) != UBRK_DONE && n < maxbounds)
		bounds[n++] = pos;
	if (n == 0 || bounds[n - 1] != len)
	{
		if (n == maxbounds)
			bounds[n - 1] = len;
		else
			bounds[n++] = len;
	}
	return n;
}
