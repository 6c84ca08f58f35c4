/*
 * normalize.c
 *	  The name normalization pipeline: raw text in any script -> NormName.
 *
 * Steps (each one is shown by sanctions.normalize_debug):
 *	1. validate: the database must be UTF8; the input at most
 *	   NORMNAME_MAX_INPUT_CHARS characters; control characters, bidi and
 *	   zero-width formatting characters, unassigned/private-use code points,
 *	   emoji and combining marks with no base letter are rejected.  ZWNJ/ZWJ
 *	   (legitimate in Persian and Indic spelling), soft hyphens and variation
 *	   selectors are invisible presentation hints and are dropped.
 *	2. NFKC with case folding (ICU's NFKC_Casefold).
 *	3. Han runs: legal forms (有限公司 at the end, 株式会社 at the start) and
 *	   frequent business words are recognised before transliteration; the
 *	   rest is split into dictionary words, each romanized as one pinyin
 *	   token; a standalone Han or Hangul name of 2-4 characters is read as
 *	   surname + given name ("陈天新" -> chen tianxin).
 *	4. Other scripts: ICU "Russian-Latin/BGN; Greek-Latin/BGN; Any-Latin"
 *	   (transliterate.c), only when a letter of a non-Latin script is present
 *	   (pure ASCII and Latin input never pay for it).
 *	5. Fold to ASCII: canonical decomposition, marks dropped, a few letters
 *	   without decomposition mapped (æ, ø, ł, þ, ...), ICU "Latin-ASCII" only
 *	   for the rare letters left; digits of any script become ASCII digits;
 *	   a letter nothing could romanize is spelled "u" + its hex code point.
 *	6. Tokenize: letters and digits make tokens; apostrophes join ("O'Brien"
 *	   -> obrien); hyphens, dots, slashes and every other symbol separate
 *	   ("AL-QAEDA" -> al qaeda, "J.P." -> j p); commas split the name into
 *	   parts ("SURNAME, Given").
 *	7. Rules: legal forms (longest alias first, anywhere; aliases of two or
 *	   three letters only at the ends of the name, see legal_forms.c) become
 *	   one canonical LEGAL_FORM token; titles are removed from names that are
 *	   not organizations' (an organization has a legal form or an org word).
 *	8. Canonical order: words and initials sorted bytewise, then numbers, then
 *	   legal forms.  Rules 7 are rerun on the sorted sequence until nothing
 *	   changes, so the output read back gives the same value (idempotence).
 *	9. Kind hint: organization (legal form / org word / Han business text),
 *	   person ("SURNAME, Given" with 1-3 words before the comma and no
 *	   number, or a Han / Hangul personal name), else unknown.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/json.h"

#include "name_tokens.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>

#define MAX_SHOWN_INPUT_BYTES	200
#define MAX_TOKEN_BYTES			255
#define MAX_HAN_WORDS			256
#define MAX_RULE_ROUNDS			16

/*
 * Report input that names nothing (or breaks a limit) the way input
 * functions do: the input (clipped) in the message, the reason in the detail.
 */
static void
NameReportInvalid(const char *raw, int rawlen, int sqlstate, const char *detail)
{
	int			shownlen = pg_mbcliplen(raw, rawlen, MAX_SHOWN_INPUT_BYTES);
	char	   *shown = pnstrdup(raw, shownlen);

	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("invalid input syntax for type normname: \"%s%s\"",
					shown, shownlen < rawlen ? "..." : ""),
			 errdetail("%s", detail)));
}

static void
NameWorkTokensAppend(NameWorkTokens *t, const char *s, int len, uint8 cls,
					 int segment)
{
	if (t->n == t->cap)
	{
		t->cap = t->cap ? t->cap * 2 : 16;
		t->tok = t->tok ? repalloc(t->tok, t->cap * sizeof(NameWorkToken))
			: palloc(t->cap * sizeof(NameWorkToken));
	}
	t->tok[t->n].str = pnstrdup(s, len);
	t->tok[t->n].len = len;
	t->tok[t->n].cls = cls;
	t->tok[t->n].segment = segment;
	t->tok[t->n].legal_word = -1;
	t->tok[t->n].title_word = -1;
	t->n++;
}

const char *
NameTokenClassName(uint8 cls)
{
	switch (cls)
	{
		case NAME_TOKEN_WORD:
			return "word";
		case NAME_TOKEN_LEGAL_FORM:
			return "legal_form";
		case NAME_TOKEN_NUMBER:
			return "number";
		case NAME_TOKEN_INITIAL:
			return "initial";
	}
	return "unknown";
}

/* ---- debug output (a JSON object built as text) ---- */

static void
debug_string(StringInfo debug, const char *key, const char *val, int len)
{
	char	   *v;

	if (debug == NULL)
		return;
	v = pnstrdup(val, len);
	appendStringInfo(debug, ",\"%s\":", key);
	escape_json(debug, v);
	pfree(v);
}

static char *
utf16_to_utf8(const UChar *s, int32 len)
{
	UErrorCode	status = U_ZERO_ERROR;
	int32		outlen;
	char	   *out = palloc(len * 3 + 1);

	u_strToUTF8(out, len * 3 + 1, &outlen, s, len, &status);
	if (U_FAILURE(status))
		elog(ERROR, "could not convert UTF-16 to UTF-8: %s", u_errorName(status));
	out[outlen] = '\0';
	return out;
}

static void
debug_utf16(StringInfo debug, const char *key, const UChar *s, int32 len)
{
	char	   *v;

	if (debug == NULL)
		return;
	v = utf16_to_utf8(s, len);
	debug_string(debug, key, v, strlen(v));
	pfree(v);
}

/* ---- step 1: validation ---- */

static bool
is_emoji(UChar32 c)
{
	/* (c) (R) and TM are legacy symbols in company names, not emoji */
	if (c < 0x2190)
		return false;
	return u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) ||
		u_hasBinaryProperty(c, UCHAR_REGIONAL_INDICATOR) ||
		u_hasBinaryProperty(c, UCHAR_EMOJI_MODIFIER);
}

static bool
is_invisible_hint(UChar32 c)
{
	return c == 0x200C || c == 0x200D ||	/* ZWNJ, ZWJ */
		c == 0x00AD ||			/* soft hyphen */
		(c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF);
}

/*
 * Check every code point of s (UTF-16) and return a cleaned copy: whitespace
 * of any kind becomes a space, invisible hints are dropped, anything that
 * cannot be part of a written name raises an error.
 */
static UChar *
validate_utf16(const char *raw, int rawlen, const UChar *s, int32 len,
			   int32 *outlen)
{
	UChar	   *out = palloc((len + 1) * sizeof(UChar));
	int32		i = 0;
	int32		n = 0;
	bool		prev_is_base = false;

	while (i < len)
	{
		UChar32		c;
		int32		gc;
		char		detail[160];

		U16_NEXT(s, i, len, c);
		gc = U_GET_GC_MASK(c);

		if (c == '\t' || c == '\n' || c == '\r' || u_isUWhiteSpace(c))
		{
			out[n++] = ' ';
			prev_is_base = false;
			continue;
		}
		if (gc & U_GC_CC_MASK)
		{
			snprintf(detail, sizeof(detail),
					 "The name contains the control character U+%04X.", (unsigned) c);
			NameReportInvalid(raw, rawlen, ERRCODE_INVALID_TEXT_REPRESENTATION, detail);
		}
		if (is_invisible_hint(c))
			continue;
		if (gc & U_GC_CF_MASK)
		{
			snprintf(detail, sizeof(detail),
					 "The name contains the invisible formatting character U+%04X (bidi control, zero-width or similar).",
					 (unsigned) c);
			NameReportInvalid(raw, rawlen, ERRCODE_INVALID_TEXT_REPRESENTATION, detail);
		}
		if (gc & (U_GC_CN_MASK | U_GC_CO_MASK | U_GC_CS_MASK))
		{
			snprintf(detail, sizeof(detail),
					 "The name contains U+%04X, an unassigned or private-use code point.",
					 (unsigned) c);
			NameReportInvalid(raw, rawlen, ERRCODE_INVALID_TEXT_REPRESENTATION, detail);
		}
		if (is_emoji(c))
		{
			snprintf(detail, sizeof(detail),
					 "The name contains the emoji or pictograph U+%04X.", (unsigned) c);
			NameReportInvalid(raw, rawlen, ERRCODE_INVALID_TEXT_REPRESENTATION, detail);
		}
		if (gc & U_GC_M_MASK)
		{
			if (!prev_is_base)
			{
				snprintf(detail, sizeof(detail),
						 "The name contains the combining mark U+%04X with no letter to combine with.",
						 (unsigned) c);
				NameReportInvalid(raw, rawlen, ERRCODE_INVALID_TEXT_REPRESENTATION, detail);
			}
		}
		else
			prev_is_base = (gc & (U_GC_L_MASK | U_GC_N_MASK)) != 0;
		U16_APPEND_UNSAFE(out, n, c);
	}
	*outlen = n;
	return out;
}

/* ---- step 2: NFKC + case folding ---- */

static UChar *
apply_normalizer(const UNormalizer2 *norm, const UChar *s, int32 len, int32 *outlen)
{
	int32		capacity = len * 3 + 16;

	for (;;)
	{
		UErrorCode	status = U_ZERO_ERROR;
		UChar	   *out = palloc(capacity * sizeof(UChar));
		int32		n = unorm2_normalize(norm, s, len, out, capacity, &status);

		if (status == U_BUFFER_OVERFLOW_ERROR)
		{
			pfree(out);
			capacity = n + 16;
			continue;
		}
		if (U_FAILURE(status))
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
					 errmsg("ICU normalization failed: %s", u_errorName(status))));
		*outlen = n;
		return out;
	}
}

static const UNormalizer2 *
get_normalizer(bool nfkc_casefold)
{
	UErrorCode	status = U_ZERO_ERROR;
	const UNormalizer2 *norm;

	norm = nfkc_casefold ? unorm2_getNFKCCasefoldInstance(&status)
		: unorm2_getNFDInstance(&status);
	if (U_FAILURE(status))
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not get ICU normalizer: %s", u_errorName(status))));
	return norm;
}

/* ---- step 3: Han and Hangul text ---- */

static UScriptCode
script_of(UChar32 c)
{
	UErrorCode	status = U_ZERO_ERROR;

	return uscript_getScript(c, &status);
}

static bool
is_han(UChar32 c)
{
	return script_of(c) == USCRIPT_HAN;
}

static bool
is_hangul(UChar32 c)
{
	return script_of(c) == USCRIPT_HANGUL;
}

/*
 * Append the romanization of s as one word (syllables joined) to buf; han:
 * s is Han text (the plain Han-Latin transliterator is much cheaper than the
 * compound Any-Latin one and gives the same pinyin).
 */
static void
append_joined_word(StringInfo buf, const UChar *s, int32 len, bool han)
{
	int32		tlen;
	UChar	   *t = NameTransliterate(han ? NAME_TRANS_HAN_LATIN : NAME_TRANS_ANY_LATIN,
									  s, len, &tlen);
	char	   *u = utf16_to_utf8(t, tlen);

	for (char *p = u; *p; p++)
		if (*p != ' ' && *p != '\'' && *p != '-')
			appendStringInfoChar(buf, *p);
	pfree(u);
	pfree(t);
}

/*
 * Romanize Han text that is neither legal form nor business word: one token
 * per dictionary word (ICU's CJK dictionary).  Characters the dictionary does
 * not know as part of a word (trade names, transliterated foreign names) are
 * grouped in twos, the last group taking an odd one ("晶华启迪" -> jinghua
 * qidi, "三顺达" -> sanshunda), the way such names are written in pinyin.
 */
static void
append_han_words(StringInfo buf, const UChar *s, int32 len)
{
	int32		bounds[MAX_HAN_WORDS];
	int			nwords = HanSegmentWords(s, len, bounds, MAX_HAN_WORDS);
	int			w = 0;

	while (w < nwords)
	{
		int32		wstart = w > 0 ? bounds[w - 1] : 0;
		int			run = 0;

		/* count single-character words from here */
		while (w + run < nwords &&
			   u_countChar32(s + (w + run > 0 ? bounds[w + run - 1] : 0),
							 bounds[w + run] - (w + run > 0 ? bounds[w + run - 1] : 0)) == 1)
			run++;
		if (run == 0)
		{
			appendStringInfoChar(buf, ' ');
			append_joined_word(buf, s + wstart, bounds[w] - wstart, true);
			w++;
			continue;
		}
		while (run > 0)
		{
			int			take = (run == 3 || run == 1) ? run : 2;
			int32		gstart = w > 0 ? bounds[w - 1] : 0;

			appendStringInfoChar(buf, ' ');
			append_joined_word(buf, s + gstart, bounds[w + take - 1] - gstart, true);
			w += take;
			run -= take;
		}
	}
	appendStringInfoChar(buf, ' ');
}

/* Does the Han text contain a business word of two or more characters? */
static bool
has_east_asian_business_word(const UChar *s, int32 len)
{
	for (int32 i = 0; i < len; i++)
	{
		const char *latin;

		if (HanBusinessWordMatch(s + i, len - i, false, &latin) > 0)
			return true;
	}
	return false;
}

/*
 * Process one run of Han characters into Latin text in buf: legal forms that
 * close or open the run and business words first, dictionary words for the
 * rest.
 * Returns true if the run is an organization's.
 */
static bool
romanize_han_run(StringInfo buf, const UChar *s, int32 len)
{
	const char *legal[8];
	int			nlegal = 0;
	int32		pending = 0;	/* start of Han text not yet emitted */
	int32		i = 0;
	bool		org;
	int			m;

	/* legal forms close the name, possibly stacked, or open it */
	while (nlegal < (int) lengthof(legal) &&
		   (m = HanLegalFormSuffix(s, len, &legal[nlegal])) > 0)
	{
		len -= m;
		nlegal++;
	}
	if (nlegal < (int) lengthof(legal) &&
		(m = HanLegalFormPrefix(s, len, &legal[nlegal])) > 0)
	{
		s += m;
		len -= m;
		nlegal++;
	}
	org = nlegal > 0 || has_east_asian_business_word(s, len);

	while (i < len)
	{
		const char *latin;

		if ((m = HanBusinessWordMatch(s + i, len - i, org, &latin)) > 0)
		{
			if (pending < i)
				append_han_words(buf, s + pending, i - pending);
			appendStringInfo(buf, " %s ", latin);
			i += m;
			pending = i;
		}
		else
			i++;
	}
	if (pending < len)
		append_han_words(buf, s + pending, len - pending);
	for (int k = nlegal - 1; k >= 0; k--)
		appendStringInfo(buf, " %s ", legal[k]);
	return org;
}

/*
 * A name that is nothing but 2-4 Han characters or 2-4 Hangul syllables is a
 * personal name: surname (one character, or two for a Chinese compound
 * surname) + given name as one token ("陈天新" -> chen tianxin, "김정은" ->
 * gim jeongeun).
 */
static bool
romanize_east_asian_person(StringInfo buf, const UChar *s, int32 len)
{
	int			nchars = u_countChar32(s, len);
	int32		surname_end = 0;
	bool		han = true;
	bool		hangul = true;
	const char *latin;

	if (nchars < 2 || nchars > 4)
		return false;
	for (int32 i = 0; i < len;)
	{
		UChar32		c;

		U16_NEXT(s, i, len, c);
		han = han && is_han(c);
		hangul = hangul && is_hangul(c);
	}
	if (!han && !hangul)
		return false;
	if (han && (HanLegalFormSuffix(s, len, &latin) > 0 || has_east_asian_business_word(s, len)))
		return false;
	if (han && nchars >= 3 && HanCompoundSurname(s, len))
		U16_FWD_N(s, surname_end, len, 2);
	else
		U16_FWD_1(s, surname_end, len);
	append_joined_word(buf, s, surname_end, han);
	appendStringInfoChar(buf, ' ');
	append_joined_word(buf, s + surname_end, len - surname_end, han);
	return true;
}

static void
append_utf16(StringInfo buf, const UChar *s, int32 len)
{
	char	   *u = utf16_to_utf8(s, len);

	appendStringInfoString(buf, u);
	pfree(u);
}

/*
 * Replace every Han run of s by its romanization, and every Hangul run by
 * its romanization as one word; other text is copied.  Sets the Han flags of
 * toks.  Traditional characters are simplified first and the iteration mark
 * 々 repeats the character before it.
 */
static UChar *
romanize_east_asian(const UChar *src, int32 srclen, int32 *outlen,
					NameWorkTokens *toks)
{
	StringInfoData buf;
	UChar	   *s;
	int32		len;
	int32		i = 0;
	int32		start = 0;
	int32		trim_start = 0;
	int32		trim_end;
	UErrorCode	status = U_ZERO_ERROR;
	UChar	   *out;
	int32		n;

	s = NameTransliterate(NAME_TRANS_HANT_HANS, src, srclen, &len);
	for (int32 k = 1; k < len; k++)
		if (s[k] == 0x3005 && !U16_IS_SURROGATE(s[k - 1]))
			s[k] = s[k - 1];

	initStringInfo(&buf);
	trim_end = len;
	while (trim_start < len && s[trim_start] == ' ')
		trim_start++;
	while (trim_end > trim_start && s[trim_end - 1] == ' ')
		trim_end--;
	if (romanize_east_asian_person(&buf, s + trim_start, trim_end - trim_start))
		toks->han_person = true;
	else
	{
		while (i < len)
		{
			UChar32		c;
			int32		at = i;
			bool		han;

			U16_NEXT(s, i, len, c);
			han = is_han(c);
			if (!han && !is_hangul(c))
				continue;
			/* a Han or Hangul run starts at 'at' */
			if (start < at)
				append_utf16(&buf, s + start, at - start);
			while (i < len)
			{
				int32		next = i;

				U16_NEXT(s, next, len, c);
				if (han ? !is_han(c) : !is_hangul(c))
					break;
				i = next;
			}
			if (han)
			{
				if (romanize_han_run(&buf, s + at, i - at))
					toks->han_org = true;
			}
			else
			{
				appendStringInfoChar(&buf, ' ');
				append_joined_word(&buf, s + at, i - at, false);
				appendStringInfoChar(&buf, ' ');
			}
			start = i;
		}
		if (start < len)
			append_utf16(&buf, s + start, len - start);
	}
	out = palloc((buf.len + 1) * sizeof(UChar));
	u_strFromUTF8(out, buf.len + 1, &n, buf.data, buf.len, &status);
	if (U_FAILURE(status))
		elog(ERROR, "could not convert UTF-8 to UTF-16: %s", u_errorName(status));
	pfree(buf.data);
	*outlen = n;
	return out;
}

/* ---- step 5: fold to ASCII ---- */

/* Latin letters that have no canonical decomposition to ASCII. */
static const char *
latin_letter_ascii(UChar32 c)
{
	switch (c)
	{
		case 0x00E6:			/* æ */
			return "ae";
		case 0x0153:			/* œ */
			return "oe";
		case 0x00F8:			/* ø */
			return "o";
		case 0x0142:			/* ł */
			return "l";
		case 0x0111:			/* đ */
		case 0x00F0:			/* ð */
			return "d";
		case 0x00FE:			/* þ */
			return "th";
		case 0x0131:			/* dotless i */
			return "i";
		case 0x0127:			/* ħ */
			return "h";
		case 0x0167:			/* ŧ */
			return "t";
		case 0x014B:			/* ŋ */
			return "ng";
		case 0x0138:			/* ĸ */
			return "k";
		case 0x0140:			/* ŀ */
			return "l";
		case 0x0259:			/* ə (Azerbaijani) */
			return "a";
	}
	return NULL;
}

static bool
is_apostrophe(UChar32 c)
{
	return c == 0x2018 || c == 0x2019 || c == 0x201B || c == 0x02BC ||
		c == 0x02BB || c == 0x02B9 || c == 0x00B4 || c == 0x2032 ||
		c == 0x02BF || c == 0x02BE;
}

/*
 * Fold NFD text to the tokenizer's alphabet: ASCII letters, digits,
 * punctuation and spaces.  A letter that no transliterator could romanize
 * (a rare CJK extension character, an archaic jamo) is written as its code
 * point, "u" + hex, so the canonical text is always ASCII and reads back
 * unchanged.  Returns false if a Latin letter was left that Latin-ASCII
 * could spell.
 */
static bool
fold_to_ascii(const UChar *s, int32 len, StringInfo out, bool final)
{
	int32		i = 0;

	while (i < len)
	{
		UChar32		c;
		int32		gc;
		const char *a;

		U16_NEXT(s, i, len, c);
		gc = U_GET_GC_MASK(c);
		if (gc & U_GC_M_MASK)
			continue;
		if (c < 0x80)
			appendStringInfoChar(out, (char) pg_ascii_tolower((unsigned char) c));
		else if (gc & U_GC_ND_MASK)
			appendStringInfoChar(out, (char) ('0' + u_charDigitValue(c)));
		else if (u_isUWhiteSpace(c))
			appendStringInfoChar(out, ' ');
		else if (is_apostrophe(c) || (gc & U_GC_LM_MASK))
			appendStringInfoChar(out, '\'');
		else if (gc & U_GC_PD_MASK)
			appendStringInfoChar(out, '-');
		else if (c == 0x3002 || c == 0x06D4)	/* ideographic / Arabic full stop */
			appendStringInfoChar(out, '.');
		else if (c == 0x3001 || c == 0x060C || c == 0xFF64)
			appendStringInfoChar(out, ',');
		else if (!(gc & U_GC_L_MASK))
			appendStringInfoChar(out, ' ');
		else if ((a = latin_letter_ascii(u_tolower(c))) != NULL)
			appendStringInfoString(out, a);
		else
		{
			UErrorCode	status = U_ZERO_ERROR;

			if (!final && uscript_getScript(c, &status) == USCRIPT_LATIN)
				return false;
			/* a letter ICU cannot romanize: spelled by its code point */
			appendStringInfo(out, "u%04x", (unsigned) u_tolower(c));
		}
	}
	return true;
}

/* ---- step 6: tokenize ---- */

static void
tokenize_folded(const char *raw, int rawlen, const char *s, int len,
				NameWorkTokens *toks)
{
	char	   *cur = palloc(len + 1);
	int			curlen = 0;
	bool		all_digits = true;
	int			segment = 0;
	int			segment_tokens = 0;

	for (int i = 0; i <= len; i++)
	{
		unsigned char c = i < len ? (unsigned char) s[i] : ' ';

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		{
			if (!(c >= '0' && c <= '9'))
				all_digits = false;
			cur[curlen++] = (char) c;
			continue;
		}
		if (c == '\'')
			continue;			/* apostrophes join: O'Brien -> obrien */
		if (curlen > 0)
		{
			uint8		cls;

			if (curlen > MAX_TOKEN_BYTES)
				NameReportInvalid(raw, rawlen, ERRCODE_PROGRAM_LIMIT_EXCEEDED,
								  "A word of the name is longer than 255 bytes.");
			if (all_digits)
				cls = NAME_TOKEN_NUMBER;
			else if (curlen == 1)
				cls = NAME_TOKEN_INITIAL;
			else
				cls = NAME_TOKEN_WORD;
			NameWorkTokensAppend(toks, cur, curlen, cls, segment);
			segment_tokens++;
			curlen = 0;
			all_digits = true;
		}
		if (c == ',' && segment_tokens > 0)
		{
			segment++;
			segment_tokens = 0;
		}
	}
	toks->nsegments = segment + (segment_tokens > 0 ? 1 : 0);
	pfree(cur);
}

/*
 * Steps 1-6 for one string: validation, folding, tokenization.  Used for
 * input names and, once per backend, for the reference data (legal forms,
 * titles), so both are always tokenized alike.
 */
void
NameTokenizeText(const char *raw, int rawlen, NameWorkTokens *toks,
				 StringInfo debug)
{
	StringInfoData folded;
	bool		ascii = true;

	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("sanctions.normname requires a UTF8 database"),
				 errdetail("The database encoding is %s.",
						   GetDatabaseEncodingName()),
				 errhint("Create the database with ENCODING 'UTF8'.")));
	if (pg_mbstrlen_with_len(raw, rawlen) > NORMNAME_MAX_INPUT_CHARS)
		NameReportInvalid(raw, rawlen, ERRCODE_PROGRAM_LIMIT_EXCEEDED,
						  psprintf("The name is longer than %d characters.",
								   NORMNAME_MAX_INPUT_CHARS));

	for (int i = 0; i < rawlen; i++)
		if ((unsigned char) raw[i] >= 0x80)
		{
			ascii = false;
			break;
		}

	initStringInfo(&folded);
	if (ascii)
	{
		/* fast path: no ICU at all */
		for (int i = 0; i < rawlen; i++)
		{
			unsigned char c = (unsigned char) raw[i];

			if (c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
				c = ' ';
			else if (c < 0x20 || c == 0x7F)
			{
				char		detail[80];

				snprintf(detail, sizeof(detail),
						 "The name contains the control character U+%04X.", c);
				NameReportInvalid(raw, rawlen, ERRCODE_INVALID_TEXT_REPRESENTATION, detail);
			}
			appendStringInfoChar(&folded, (char) pg_ascii_tolower(c));
		}
		if (debug)
			appendStringInfoString(debug, ",\"path\":\"ascii\"");
	}
	else
	{
		UErrorCode	status = U_ZERO_ERROR;
		UChar	   *u16 = palloc((rawlen + 1) * sizeof(UChar));
		int32		len;
		UChar	   *clean;
		int32		cleanlen;
		UChar	   *text;
		int32		textlen;
		UChar	   *nfd;
		int32		nfdlen;
		bool		needs_transliteration = false;
		bool		has_east_asian = false;

		u_strFromUTF8(u16, rawlen + 1, &len, raw, rawlen, &status);
		if (U_FAILURE(status))
			NameReportInvalid(raw, rawlen, ERRCODE_INVALID_TEXT_REPRESENTATION,
							  "The name is not valid UTF-8.");
		clean = validate_utf16(raw, rawlen, u16, len, &cleanlen);
		text = apply_normalizer(get_normalizer(true), clean, cleanlen, &textlen);
		debug_utf16(debug, "nfkc_casefold", text, textlen);

		for (int32 i = 0; i < textlen;)
		{
			UChar32		c;
			UScriptCode sc;

			U16_NEXT(text, i, textlen, c);
			status = U_ZERO_ERROR;
			sc = uscript_getScript(c, &status);
			if (sc == USCRIPT_HAN || sc == USCRIPT_HANGUL)
				has_east_asian = true;
			else if (sc != USCRIPT_LATIN && sc != USCRIPT_COMMON &&
					 sc != USCRIPT_INHERITED && u_isalpha(c))
				needs_transliteration = true;
		}
		if (has_east_asian)
		{
			text = romanize_east_asian(text, textlen, &textlen, toks);
			debug_utf16(debug, "han_hangul_romanized", text, textlen);
		}
		if (needs_transliteration)
		{
			text = NameTransliterate(NAME_TRANS_ANY_LATIN, text, textlen, &textlen);
			debug_utf16(debug, "any_latin", text, textlen);
		}
		if (debug)
			appendStringInfo(debug, ",\"path\":\"%s\"",
							 (has_east_asian || needs_transliteration) ? "icu_transliteration"
							 : "latin");
		nfd = apply_normalizer(get_normalizer(false), text, textlen, &nfdlen);
		if (!fold_to_ascii(nfd, nfdlen, &folded, false))
		{
			text = NameTransliterate(NAME_TRANS_LATIN_ASCII, text, textlen, &textlen);
			nfd = apply_normalizer(get_normalizer(false), text, textlen, &nfdlen);
			resetStringInfo(&folded);
			fold_to_ascii(nfd, nfdlen, &folded, true);
		}
	}
	debug_string(debug, "folded", folded.data, folded.len);
	tokenize_folded(raw, rawlen, folded.data, folded.len, toks);
	pfree(folded.data);
}

/* ---- steps 7-8: rules and canonical order ---- */

static int
class_rank(uint8 cls)
{
	switch (cls)
	{
		case NAME_TOKEN_NUMBER:
			return 1;
		case NAME_TOKEN_LEGAL_FORM:
			return 2;
		default:
			return 0;
	}
}

static int
work_token_cmp(const void *a, const void *b)
{
	const NameWorkToken *x = a;
	const NameWorkToken *y = b;
	int			r = class_rank(x->cls) - class_rank(y->cls);

	if (r != 0)
		return r;
	r = strcmp(x->str, y->str);
	if (r != 0)
		return r;
	return x->segment - y->segment;
}

static bool
is_organization(const NameWorkTokens *toks)
{
	if (toks->han_org)
		return true;
	for (int i = 0; i < toks->n; i++)
		if (toks->tok[i].cls == NAME_TOKEN_LEGAL_FORM ||
			OrgWordLookup(toks->tok[i].str))
			return true;
	return false;
}

static void
debug_token_list(StringInfo debug, const char *key, const NameWorkToken *tok, int n)
{
	if (debug == NULL)
		return;
	appendStringInfo(debug, ",\"%s\":[", key);
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoChar(debug, ',');
		appendStringInfoString(debug, "{\"token\":");
		escape_json(debug, tok[i].str);
		appendStringInfo(debug, ",\"class\":\"%s\",\"part\":%d}",
						 NameTokenClassName(tok[i].cls), tok[i].segment);
	}
	appendStringInfoChar(debug, ']');
}

static char *
join_tokens(const NameWorkToken *tok, int n, const char *sep)
{
	StringInfoData s;

	initStringInfo(&s);
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoString(&s, sep);
		appendStringInfoString(&s, tok[i].str);
	}
	return s.data;
}

/*
 * One pass of the rules over the token sequence: legal forms, then (for
 * names that are not organizations') titles.  Returns true if anything
 * changed.
 */
static bool
apply_rules(NameWorkTokens *toks, StringInfo rules_log)
{
	NameWorkTokens out = {0};
	bool		changed = false;
	int			i = 0;
	bool	   *head = palloc((toks->n + 1) * sizeof(bool));
	bool	   *tail = palloc((toks->n + 1) * sizeof(bool));

	LegalFormBounds(toks->tok, toks->n, head, tail);
	out.nsegments = toks->nsegments;
	out.han_person = toks->han_person;
	out.han_org = toks->han_org;
	while (i < toks->n)
	{
		const char *canonical;
		int			m = LegalFormMatch(toks->tok, toks->n, i, head, tail, &canonical);

		CHECK_FOR_INTERRUPTS();
		if (m > 0)
		{
			if (m > 1 || toks->tok[i].cls != NAME_TOKEN_LEGAL_FORM ||
				strcmp(canonical, toks->tok[i].str) != 0)
			{
				changed = true;
				if (rules_log)
				{
					char	   *matched = join_tokens(&toks->tok[i], m, " ");

					appendStringInfo(rules_log, "%s{\"rule\":\"legal_form\",\"matched\":",
									 rules_log->len > 0 ? "," : "");
					escape_json(rules_log, matched);
					appendStringInfoString(rules_log, ",\"canonical\":");
					escape_json(rules_log, canonical);
					appendStringInfoChar(rules_log, '}');
				}
			}
			NameWorkTokensAppend(&out, canonical, strlen(canonical),
								 NAME_TOKEN_LEGAL_FORM, toks->tok[i].segment);
			i += m;
		}
		else
		{
			uint8		cls = toks->tok[i].cls;

			/* a legal form that no longer reads as one (moved to the front) */
			if (cls == NAME_TOKEN_LEGAL_FORM)
			{
				cls = toks->tok[i].len == 1 ? NAME_TOKEN_INITIAL : NAME_TOKEN_WORD;
				changed = true;
			}
			NameWorkTokensAppend(&out, toks->tok[i].str, toks->tok[i].len,
								 cls, toks->tok[i].segment);
			i++;
		}
	}
	*toks = out;

	if (!is_organization(toks))
	{
		NameWorkTokens kept = {0};

		kept.nsegments = toks->nsegments;
		kept.han_person = toks->han_person;
		kept.han_org = toks->han_org;
		i = 0;
		while (i < toks->n)
		{
			int			m = PersonTitleMatch(toks->tok, toks->n, i);

			if (m > 0)
			{
				if (rules_log)
				{
					char	   *matched = join_tokens(&toks->tok[i], m, " ");

					appendStringInfo(rules_log, "%s{\"rule\":\"title\",\"removed\":",
									 rules_log->len > 0 ? "," : "");
					escape_json(rules_log, matched);
					appendStringInfoChar(rules_log, '}');
				}
				changed = true;
				i += m;
			}
			else
			{
				NameWorkTokensAppend(&kept, toks->tok[i].str, toks->tok[i].len,
									 toks->tok[i].cls, toks->tok[i].segment);
				i++;
			}
		}
		*toks = kept;
	}
	return changed;
}

/*
 * Rules to a fixpoint in canonical order (see the header comment).  Each
 * round removes tokens or changes classes; the cap only guards against a
 * cycle the data could create.
 */
static void
run_rules(NameWorkTokens *toks, StringInfo rules_log)
{
	int			rounds = 0;

	(void) apply_rules(toks, rules_log);
	do
	{
		qsort(toks->tok, toks->n, sizeof(NameWorkToken), work_token_cmp);
	} while (apply_rules(toks, rules_log) && ++rounds < MAX_RULE_ROUNDS);
	qsort(toks->tok, toks->n, sizeof(NameWorkToken), work_token_cmp);
}

static uint8
name_kind(const NameWorkTokens *toks)
{
	int			first_part = 0;
	int			other_parts = 0;

	if (is_organization(toks))
		return NORMNAME_KIND_ORGANIZATION;
	if (toks->han_person)
		return NORMNAME_KIND_PERSON;
	for (int i = 0; i < toks->n; i++)
	{
		if (toks->tok[i].cls == NAME_TOKEN_NUMBER)
			return NORMNAME_KIND_UNKNOWN;	/* an address, a unit */
		if (toks->tok[i].segment == 0)
			first_part++;
		else
			other_parts++;
	}
	if (first_part >= 1 && first_part <= 3 && other_parts >= 1)
		return NORMNAME_KIND_PERSON;
	return NORMNAME_KIND_UNKNOWN;
}

const char *
NormNameKindName(uint8 kind)
{
	switch (kind)
	{
		case NORMNAME_KIND_PERSON:
			return "person";
		case NORMNAME_KIND_ORGANIZATION:
			return "organization";
	}
	return "unknown";
}

/* Pack the final tokens into a NormName. */
static NormName *
build_normname(const char *raw, int rawlen, const NameWorkTokens *toks, uint8 kind)
{
	int			textlen = 0;
	NormName   *result;
	char	   *text;
	int			off = 0;
	Size		size;

	if (toks->n > NORMNAME_MAX_TOKENS)
		NameReportInvalid(raw, rawlen, ERRCODE_PROGRAM_LIMIT_EXCEEDED,
						  psprintf("The name has more than %d words.", NORMNAME_MAX_TOKENS));
	for (int i = 0; i < toks->n; i++)
		textlen += toks->tok[i].len + (i > 0 ? 1 : 0);
	if (textlen > NORMNAME_MAX_TEXT)
		NameReportInvalid(raw, rawlen, ERRCODE_PROGRAM_LIMIT_EXCEEDED,
						  psprintf("The normalized name is longer than %d bytes.",
								   NORMNAME_MAX_TEXT));

	size = NORMNAME_HDRSZ + toks->n * sizeof(NormNameToken) + textlen;
	result = palloc0(size);
	SET_VARSIZE(result, size);
	result->version = NORMNAME_FORMAT_VERSION;
	result->kind = kind;
	result->ntokens = toks->n;
	result->textlen = textlen;
	result->flags = 0;
	text = NormNameText(result);
	for (int i = 0; i < toks->n; i++)
	{
		if (i > 0)
			text[off++] = ' ';
		memcpy(text + off, toks->tok[i].str, toks->tok[i].len);
		result->tokens[i].off = off;
		result->tokens[i].len = toks->tok[i].len;
		result->tokens[i].cls = toks->tok[i].cls;
		NameTokenComputeKeys(toks->tok[i].str, toks->tok[i].len,
							 toks->tok[i].cls, &result->tokens[i]);
		off += toks->tok[i].len;
	}
	return result;
}

/*
 * The whole pipeline.  If debug is not NULL, a JSON object describing each
 * step is written into it.
 */
NormName *
NormalizeNameDebug(const char *raw, int rawlen, StringInfo debug)
{
	NameWorkTokens toks = {0};
	StringInfoData rules_log;
	uint8		kind;
	NormName   *result;

	if (debug)
	{
		char	   *input = pnstrdup(raw, rawlen);

		appendStringInfoString(debug, "{\"input\":");
		escape_json(debug, input);
		initStringInfo(&rules_log);
	}
	NameTokenizeText(raw, rawlen, &toks, debug);
	debug_token_list(debug, "tokens", toks.tok, toks.n);
	if (toks.n == 0)
		NameReportInvalid(raw, rawlen, ERRCODE_INVALID_TEXT_REPRESENTATION,
						  "The name contains no letters or digits.");

	run_rules(&toks, debug ? &rules_log : NULL);

	if (debug)
		appendStringInfo(debug, ",\"rules\":[%s]", rules_log.data);
	if (toks.n == 0)
		NameReportInvalid(raw, rawlen, ERRCODE_INVALID_TEXT_REPRESENTATION,
						  "The name consists only of titles or honorifics.");
	if (toks.n == 1 && toks.tok[0].cls == NAME_TOKEN_LEGAL_FORM)
		NameReportInvalid(raw, rawlen, ERRCODE_INVALID_TEXT_REPRESENTATION,
						  "The name consists only of a legal form.");
	/* (two or more legal forms and nothing else, "EP-LDA", is a name) */

	kind = name_kind(&toks);
	result = build_normname(raw, rawlen, &toks, kind);
	if (debug)
	{
		debug_token_list(debug, "canonical_tokens", toks.tok, toks.n);
		debug_string(debug, "canonical", NormNameText(result), result->textlen);
		appendStringInfo(debug, ",\"kind\":\"%s\"}", NormNameKindName(kind));
	}
	return result;
}

NormName *
NormalizeName(const char *raw, int rawlen)
{
	return NormalizeNameDebug(raw, rawlen, NULL);
}
