/*
 * legal_forms.c
 *	  The name reference data: legal forms, titles, organization words and
 *	  Chinese business words, and the phrase matchers that use them.
 *
 * The data (legal_forms_data.h, generated from data/reference by
 * tools/gen_legal_forms.py) is raw text.  On first use in a backend every
 * alias is tokenized with the very pipeline that tokenizes input names
 * (NameTokenizeText), and the token sequences are put in hash tables in a
 * memory context under TopMemoryContext.  So "Co., Ltd.", "CO.,LTD" and
 * "ООО" are recognised exactly as the pipeline spells them, whatever ICU
 * does, and each canonical form (the alias's "compare" spelling reduced to
 * one token, e.g. "ltd", "ooo", "gmbhcokg") is itself an alias of its own
 * form, so canonical output is recognised again on re-input.
 *
 * Han aliases (有限公司) and Chinese business words are kept as UTF-16 and
 * matched in Han text before transliteration (normalize.c).
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "name_tokens.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>

typedef struct LegalFormSource
{
	const char *canonical;
	const char *alias;
} LegalFormSource;

typedef struct HanWordSource
{
	const char *han;
	const char *english;
} HanWordSource;

#include "legal_forms_data.h"

#define PHRASE_KEY_BYTES	256
#define TAIL_ALIAS_BYTES	2	/* aliases this short: only at the end */
#define END_ALIAS_BYTES		3	/* aliases this short: only at either end */

typedef struct PhraseEntry
{
	char		key[PHRASE_KEY_BYTES];	/* tokens joined by single spaces */
	const char *value;			/* canonical legal form (legal forms only) */
} PhraseEntry;

typedef struct HanPhrase
{
	UChar	   *han;
	int32		len;
	const char *latin;			/* canonical legal form or English words */
} HanPhrase;

static MemoryContext reference_context;
static bool reference_loading;
static HTAB *legal_forms;
static HTAB *legal_words;		/* every word of every legal-form alias */
static int	legal_form_max_tokens;
static HTAB *person_titles;
static HTAB *title_words;		/* every word of every title */
static int	person_title_max_tokens;
static HTAB *org_words;
static HTAB *ambiguous_aliases;
static HanPhrase *han_legal_forms;
static int	n_han_legal_forms;
static HanPhrase *han_words;
static int	n_han_words;
static HanPhrase *han_surnames;
static int	n_han_surnames;

static HTAB *
create_phrase_table(const char *name)
{
	HASHCTL		ctl;

	ctl.keysize = PHRASE_KEY_BYTES;
	ctl.entrysize = sizeof(PhraseEntry);
	ctl.hcxt = reference_context;
	return hash_create(name, 256, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
}

/* Tokenize a reference phrase; returns the joined key or NULL if unusable. */
static char *
phrase_key(const char *phrase, const char *sep, int *ntokens)
{
	NameWorkTokens toks = {0};
	char	   *key;
	int			len = 0;

	NameTokenizeText(phrase, strlen(phrase), &toks, NULL);
	if (toks.n == 0)
		return NULL;
	for (int i = 0; i < toks.n; i++)
		len += toks.tok[i].len + strlen(sep);
	if (len >= PHRASE_KEY_BYTES)
		return NULL;
	key = palloc(len + 1);
	key[0] = '\0';
	for (int i = 0; i < toks.n; i++)
	{
		if (i > 0)
			strcat(key, sep);
		strcat(key, toks.tok[i].str);
	}
	*ntokens = toks.n;
	return key;
}

/* NFKC-casefolded UTF-16 of s if it is all Han, else NULL. */
static UChar *
han_phrase(const char *s, int32 *outlen)
{
	UErrorCode	status = U_ZERO_ERROR;
	int32		len;
	UChar		buf[64];
	UChar	   *out;
	int32		n;
	const UNormalizer2 *norm = unorm2_getNFKCCasefoldInstance(&status);

	u_strFromUTF8(buf, lengthof(buf), &len, s, strlen(s), &status);
	if (U_FAILURE(status) || len == 0)
		return NULL;
	out = MemoryContextAlloc(reference_context, 64 * sizeof(UChar));
	n = unorm2_normalize(norm, buf, len, out, 64, &status);
	if (U_FAILURE(status))
		return NULL;
	for (int32 i = 0; i < n;)
	{
		UChar32		c;

		U16_NEXT(out, i, n, c);
		status = U_ZERO_ERROR;
		if (uscript_getScript(c, &status) != USCRIPT_HAN)
			return NULL;
	}
	*outlen = n;
	return out;
}

static void
add_han_phrase(HanPhrase **list, int *n, int *cap, UChar *han, int32 len,
			   const char *latin)
{
	if (*n == *cap)
	{
		*cap = *cap ? *cap * 2 : 32;
		*list = *list ? repalloc(*list, *cap * sizeof(HanPhrase))
			: MemoryContextAlloc(reference_context, *cap * sizeof(HanPhrase));
	}
	(*list)[*n].han = han;
	(*list)[*n].len = len;
	(*list)[*n].latin = latin;
	(*n)++;
}

/* Longest phrases first, so matching takes the longest at each position. */
static int
han_phrase_cmp(const void *a, const void *b)
{
	return ((const HanPhrase *) b)->len - ((const HanPhrase *) a)->len;
}

/* Enter each space-separated word of key into words. */
static void
add_words(HTAB *words, const char *key)
{
	char		word[PHRASE_KEY_BYTES];
	int			len = 0;

	for (const char *p = key;; p++)
	{
		if (*p == ' ' || *p == '\0')
		{
			word[len] = '\0';
			if (len > 0)
				(void) hash_search(words, word, HASH_ENTER, NULL);
			len = 0;
			if (*p == '\0')
				break;
		}
		else
			word[len++] = *p;
	}
}

static bool
is_ambiguous_alias(const char *key)
{
	return hash_search(ambiguous_aliases, key, HASH_FIND, NULL) != NULL;
}

static void
load_legal_forms(void)
{
	int			cap = 0;

	ambiguous_aliases = create_phrase_table("sanctions ambiguous legal aliases");
	for (int i = 0; i < (int) lengthof(ambiguous_legal_alias_sources); i++)
	{
		int			nt;
		char	   *key = phrase_key(ambiguous_legal_alias_sources[i], " ", &nt);

		if (key != NULL)
			(void) hash_search(ambiguous_aliases, key, HASH_ENTER, NULL);
	}
	legal_forms = create_phrase_table("sanctions legal forms");
	legal_words = create_phrase_table("sanctions legal-form words");
	/* canonical forms map to themselves first: they win over any alias */
	for (int i = 0; i < (int) lengthof(legal_form_sources); i++)
	{
		int			nt;
		char	   *canonical = phrase_key(legal_form_sources[i].canonical, "", &nt);
		PhraseEntry *e;
		bool		found;

		if (canonical == NULL || is_ambiguous_alias(canonical))
			continue;
		e = hash_search(legal_forms, canonical, HASH_ENTER, &found);
		if (!found)
			e->value = MemoryContextStrdup(reference_context, canonical);
		add_words(legal_words, canonical);
		legal_form_max_tokens = Max(legal_form_max_tokens, 1);
	}
	for (int i = 0; i < (int) lengthof(legal_form_sources); i++)
	{
		int			nt;
		char	   *canonical = phrase_key(legal_form_sources[i].canonical, "", &nt);
		PhraseEntry *canon_entry;
		int32		hanlen;
		UChar	   *han;
		char	   *key;
		PhraseEntry *e;
		bool		found;

		CHECK_FOR_INTERRUPTS();
		if (canonical == NULL || is_ambiguous_alias(canonical))
			continue;
		canon_entry = hash_search(legal_forms, canonical, HASH_FIND, NULL);
		han = han_phrase(legal_form_sources[i].alias, &hanlen);
		if (han != NULL)
		{
			add_han_phrase(&han_legal_forms, &n_han_legal_forms, &cap, han, hanlen,
						   canon_entry->value);
			continue;
		}
		key = phrase_key(legal_form_sources[i].alias, " ", &nt);
		/* one letter is an initial; ambiguous words are words */
		if (key == NULL || strlen(key) == 1 || (nt == 1 && is_ambiguous_alias(key)))
			continue;
		e = hash_search(legal_forms, key, HASH_ENTER, &found);
		if (!found)
			e->value = canon_entry->value;
		add_words(legal_words, key);
		legal_form_max_tokens = Max(legal_form_max_tokens, nt);
	}
	if (n_han_legal_forms > 0)
		qsort(han_legal_forms, n_han_legal_forms, sizeof(HanPhrase), han_phrase_cmp);
}

static void
load_words(void)
{
	int			cap = 0;

	person_titles = create_phrase_table("sanctions person titles");
	title_words = create_phrase_table("sanctions title words");
	for (int i = 0; i < (int) lengthof(person_title_sources); i++)
	{
		int			nt;
		char	   *key = phrase_key(person_title_sources[i], " ", &nt);

		if (key == NULL)
			continue;
		(void) hash_search(person_titles, key, HASH_ENTER, NULL);
		add_words(title_words, key);
		person_title_max_tokens = Max(person_title_max_tokens, nt);
	}
	org_words = create_phrase_table("sanctions organization words");
	for (int i = 0; i < (int) lengthof(org_word_sources); i++)
	{
		int			nt;
		char	   *key = phrase_key(org_word_sources[i], " ", &nt);

		if (key != NULL && nt == 1)
			(void) hash_search(org_words, key, HASH_ENTER, NULL);
	}
	for (int i = 0; i < (int) lengthof(han_business_words); i++)
	{
		int32		len;
		UChar	   *han = han_phrase(han_business_words[i].han, &len);

		if (han != NULL)
			add_han_phrase(&han_words, &n_han_words, &cap, han, len,
						   han_business_words[i].english);
	}
	qsort(han_words, n_han_words, sizeof(HanPhrase), han_phrase_cmp);
	cap = 0;
	for (int i = 0; i < (int) lengthof(han_compound_surnames); i++)
	{
		int32		len;
		UChar	   *han = han_phrase(han_compound_surnames[i], &len);

		if (han != NULL)
			add_han_phrase(&han_surnames, &n_han_surnames, &cap, han, len, NULL);
	}
}

/*
 * Build all tables once per backend (on first use).  Returns false while the
 * data itself is being tokenized: no rules apply to reference phrases.
 */
static bool
ensure_loaded(void)
{
	MemoryContext work;
	MemoryContext old;

	if (reference_loading)
		return false;
	if (reference_context != NULL)
		return true;

	reference_loading = true;
	PG_TRY();
	{
		reference_context = AllocSetContextCreate(TopMemoryContext,
												  "sanctions name reference data",
												  ALLOCSET_DEFAULT_SIZES);
		work = AllocSetContextCreate(CurrentMemoryContext,
									 "sanctions reference data loading",
									 ALLOCSET_DEFAULT_SIZES);
		old = MemoryContextSwitchTo(work);
		load_legal_forms();
		load_words();
		MemoryContextSwitchTo(old);
		MemoryContextDelete(work);
	}
	PG_CATCH();
	{
		reference_loading = false;
		if (reference_context != NULL)
			MemoryContextDelete(reference_context);
		reference_context = NULL;
		legal_forms = legal_words = person_titles = title_words = NULL;
		org_words = ambiguous_aliases = NULL;
		han_legal_forms = han_words = han_surnames = NULL;
		n_han_legal_forms = n_han_words = n_han_surnames = 0;
		legal_form_max_tokens = person_title_max_tokens = 0;
		PG_RE_THROW();
	}
	PG_END_TRY();
	reference_loading = false;
	return true;
}

/* Join toks[start .. start+n) into key; false if it does not fit. */
static bool
make_key(const NameWorkToken *toks, int start, int n, char *key)
{
	int			len = 0;

	for (int i = start; i < start + n; i++)
	{
		if (len + toks[i].len + 1 >= PHRASE_KEY_BYTES)
			return false;
		if (i > start)
			key[len++] = ' ';
		memcpy(key + len, toks[i].str, toks[i].len);
		len += toks[i].len;
	}
	key[len] = '\0';
	return true;
}

/*
 * How many tokens from toks[start] on (at most max) are words of some phrase
 * in words: no phrase can be longer, so most positions need no lookup of
 * n-grams at all.  Membership is cached in the tokens.
 */
static int
phrase_run(NameWorkToken *toks, int ntoks, int start, int max, HTAB *words,
		   bool legal)
{
	int			n = 0;

	while (n < max && start + n < ntoks)
	{
		NameWorkToken *t = &toks[start + n];
		int8	   *cached = legal ? &t->legal_word : &t->title_word;

		if (*cached < 0)
			*cached = (t->len < PHRASE_KEY_BYTES &&
					   hash_search(words, t->str, HASH_FIND, NULL) != NULL) ? 1 : 0;
		if (*cached == 0)
			break;
		n++;
	}
	return n;
}

/* The legal form whose alias is exactly toks[start .. start+n), or NULL. */
static const char *
legal_form_lookup(const NameWorkToken *toks, int start, int n)
{
	char		key[PHRASE_KEY_BYTES];
	PhraseEntry *e;

	if (!make_key(toks, start, n, key))
		return NULL;
	e = hash_search(legal_forms, key, HASH_FIND, NULL);
	return e ? e->value : NULL;
}

/*
 * head[i] = the tokens 0 .. i-1 can all be read as legal forms; tail[i] = the
 * tokens i .. ntoks-1 can.  Both arrays have ntoks + 1 entries.
 */
void
LegalFormBounds(NameWorkToken *toks, int ntoks, bool *head, bool *tail)
{
	bool		loaded = ensure_loaded();

	/* head: left to right while every token can be a legal-form word */
	head[0] = true;
	for (int j = 1; j <= ntoks; j++)
	{
		head[j] = false;
		if (!loaded || phrase_run(toks, ntoks, j - 1, 1, legal_words, true) == 0)
		{
			for (int k = j + 1; k <= ntoks; k++)
				head[k] = false;
			break;
		}
		for (int n = 1; n <= Min(legal_form_max_tokens, j) && !head[j]; n++)
			if (head[j - n] && legal_form_lookup(toks, j - n, n) != NULL)
				head[j] = true;
	}
	tail[ntoks] = true;
	for (int i = ntoks - 1; i >= 0; i--)
	{
		int			run = loaded ? phrase_run(toks, ntoks, i, legal_form_max_tokens,
											  legal_words, true) : 0;

		tail[i] = false;
		for (int n = 1; n <= run && !tail[i]; n++)
			if (tail[i + n] && legal_form_lookup(toks, i, n) != NULL)
				tail[i] = true;
	}
}

/*
 * The longest legal-form alias starting at toks[start]; returns its length
 * in tokens (0 if none) and its canonical form.  Short aliases are too
 * often words or name syllables: two letters ("sa", "ao") only count at the
 * end of a name, after something else (everything after them is legal forms
 * too; "Ad" alone is a name), three letters ("ooo", "llc") at either end
 * (head/tail from LegalFormBounds).  Canonical
 * order puts legal forms last, so both are recognised again on re-input.
 */
int
LegalFormMatch(NameWorkToken *toks, int ntoks, int start,
			   const bool *head, const bool *tail, const char **canonical)
{
	if (!ensure_loaded())
		return 0;
	for (int n = phrase_run(toks, ntoks, start, legal_form_max_tokens, legal_words, true);
		 n >= 1; n--)
	{
		const char *value = legal_form_lookup(toks, start, n);
		int			letters = 0;

		if (value == NULL)
			continue;
		for (int i = start; i < start + n; i++)
			letters += toks[i].len;
		if (letters <= TAIL_ALIAS_BYTES && (start == 0 || !tail[start + n]))
			continue;
		if (letters <= END_ALIAS_BYTES && !head[start] && !tail[start + n])
			continue;
		*canonical = value;
		return n;
	}
	return 0;
}

/* The longest title starting at toks[start], in tokens (0 if none). */
int
PersonTitleMatch(NameWorkToken *toks, int ntoks, int start)
{
	char		key[PHRASE_KEY_BYTES];

	if (!ensure_loaded() || toks[start].cls == NAME_TOKEN_LEGAL_FORM)
		return 0;
	for (int n = phrase_run(toks, ntoks, start, person_title_max_tokens, title_words, false);
		 n >= 1; n--)
	{
		if (make_key(toks, start, n, key) &&
			hash_search(person_titles, key, HASH_FIND, NULL) != NULL)
			return n;
	}
	return 0;
}

bool
OrgWordLookup(const char *tok)
{
	if (!ensure_loaded() || strlen(tok) >= PHRASE_KEY_BYTES)
		return false;
	return hash_search(org_words, tok, HASH_FIND, NULL) != NULL;
}

static int
han_match(const HanPhrase *list, int n, const UChar *s, int32 len,
		  const char **latin)
{
	for (int i = 0; i < n; i++)
	{
		if (list[i].len <= len &&
			memcmp(list[i].han, s, list[i].len * sizeof(UChar)) == 0)
		{
			if (latin)
				*latin = list[i].latin;
			return list[i].len;
		}
	}
	return 0;
}

/*
 * The longest Han legal form that ends s (UTF-16 units, 0 if none): Chinese
 * and Japanese legal forms close the name (北京...有限公司).
 */
int
HanLegalFormSuffix(const UChar *s, int32 len, const char **canonical)
{
	if (!ensure_loaded())
		return 0;
	for (int i = 0; i < n_han_legal_forms; i++)
	{
		const HanPhrase *p = &han_legal_forms[i];

		if (p->len <= len &&
			memcmp(p->han, s + len - p->len, p->len * sizeof(UChar)) == 0)
		{
			*canonical = p->latin;
			return p->len;
		}
	}
	return 0;
}

/*
 * The longest Han legal form that opens s (Japanese names often start with
 * one: 株式会社東芝), 0 if none.
 */
int
HanLegalFormPrefix(const UChar *s, int32 len, const char **canonical)
{
	if (!ensure_loaded())
		return 0;
	return han_match(han_legal_forms, n_han_legal_forms, s, len, canonical);
}

/*
 * Chinese business word at the start of s, with its English rendering.
 * One-character words (厂, 市) count only in text already known to be an
 * organization's (org_context).
 */
int
HanBusinessWordMatch(const UChar *s, int32 len, bool org_context,
					 const char **english)
{
	if (!ensure_loaded())
		return 0;
	for (int i = 0; i < n_han_words; i++)
	{
		const HanPhrase *p = &han_words[i];

		if (p->len <= len && (org_context || u_countChar32(p->han, p->len) > 1) &&
			memcmp(p->han, s, p->len * sizeof(UChar)) == 0)
		{
			*english = p->latin;
			return p->len;
		}
	}
	return 0;
}

/* Does s start with a two-character Chinese surname? */
bool
HanCompoundSurname(const UChar *s, int32 len)
{
	if (!ensure_loaded())
		return false;
	return han_match(han_surnames, n_han_surnames, s, len, NULL) > 0;
}
