/*
 * phonetic.c
 *	  Per-token keys precomputed into every NormName token (first version).
 *
 * Two cheap keys let the scorer and the index compare tokens without
 * re-reading them: a phonetic key (a compact metaphone-like code: first
 * letter kept, common digraphs folded, vowels after the first letter
 * dropped, doubles collapsed) and a consonant skeleton (the token without
 * vowels, doubles collapsed).  Both are stored as 32-bit hashes; 0 means
 * "no key".  Numbers and legal forms key on their exact text.
 */
#include "postgres.h"

#include "common/hashfn.h"

#include "normname.h"

#define PHONETIC_MAX_CODE	8

static bool
is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

static uint32
key_hash(const char *s, int len)
{
	uint32		h;

	if (len == 0)
		return 0;
	h = hash_bytes((const unsigned char *) s, len);
	return h ? h : 1;
}

/* The phonetic code of one lower-case token into code; returns its length. */
static int
phonetic_code(const char *t, int len, char *code)
{
	int			n = 0;

	for (int i = 0; i < len && n < PHONETIC_MAX_CODE; i++)
	{
		char		c = t[i];
		char		next = i + 1 < len ? t[i + 1] : '\0';
		char		out;

		if (is_vowel(c))
		{
			if (i == 0)
				code[n++] = 'a';
			continue;
		}
		switch (c)
		{
			case 'p':
				out = (next == 'h') ? 'f' : 'p';
				break;
			case 'c':
				if (next == 'h')
					out = 'x';
				else
					out = (next == 'e' || next == 'i' || next == 'y') ? 's' : 'k';
				break;
			case 's':
				out = (next == 'h') ? 'x' : 's';
				break;
			case 't':
				out = (next == 'h') ? '0' : 't';
				break;
			case 'q':
			case 'g':
				out = (c == 'g' && next == 'h') ? 'h' : 'k';
				break;
			case 'z':
				out = 's';
				break;
			case 'v':
			case 'w':
				out = 'f';
				break;
			case 'h':
				/* h after a consonant was folded into it above */
				if (i > 0 && !is_vowel(t[i - 1]))
					continue;
				out = 'h';
				break;
			default:
				out = c;
				break;
		}
		if (n == 0 || code[n - 1] != out)
			code[n++] = out;
	}
	return n;
}

void
NameTokenComputeKeys(const char *tok, int len, NameTokenClass cls,
					 NormNameToken *out)
{
	char		code[PHONETIC_MAX_CODE];
	char	   *skeleton;
	int			n = 0;

	if (cls == NAME_TOKEN_NUMBER || cls == NAME_TOKEN_LEGAL_FORM)
	{
		out->phonetic = out->skeleton = key_hash(tok, len);
		return;
	}
	out->phonetic = key_hash(code, phonetic_code(tok, len, code));

	skeleton = palloc(len);
	for (int i = 0; i < len; i++)
		if (!is_vowel(tok[i]) && (n == 0 || skeleton[n - 1] != tok[i]))
			skeleton[n++] = tok[i];
	out->skeleton = n > 0 ? key_hash(skeleton, n) : key_hash(tok, len);
	pfree(skeleton);
}
