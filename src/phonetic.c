/*
 * phonetic.c
 *	  Phonetic keys and consonant skeletons of name tokens.
 *
 * Both keys code a lower-case ASCII token into sound classes chosen for the
 * ways names are romanized differently, mostly from Arabic, Persian, Russian
 * and Chinese: q/k/g/c (before a, o, u or a consonant) are one class (Qaddafi, Gaddafi, Kadhafi), v/w
 * one (Vahid, Wahid), ph is f, kh is h, dh is d, th is t, gh is g, sh/sch and ch/tsh/tch/ts/c (before e, i, y)
 * keep their own classes, dj/dzh/j are one class, x is k+s.  A Russian "j"
 * after a vowel and before a consonant or the end is a vowel (Evgenij,
 * Sergej); so is an initial "y" before a vowel (Yevgeniy ~ Evgeny), and a
 * final "h" after a vowel (Abdullah ~ Abdulla).  Repeated classes collapse
 * (Qaddafi ~ Qadafi).
 *
 *	- the phonetic key keeps each run of vowels as one vowel mark (an initial
 *	  run keeps its group a / e,i,y / o,u: Osama ~ Usama, not Amina ~
 *	  Yoomoney), so
 *	  Mohammed, Muhammad and Mohamed share it but Un and Man do not; tokens
 *	  with fewer than two consonants keep which vowel (a / e,i,y / o,u), so
 *	  Lin and Lun differ; two vowels (ye, yi) get no phonetic key;
 *	- the skeleton drops vowels altogether, because romanized Arabic script
 *	  has none ("mhmd" ~ Muhammad).  Its two low bits carry the number of
 *	  consonant classes (capped at 3) so the scorer trusts a short skeleton
 *	  less.
 * The sound prefix (first three classes) lets "kim" meet "gimjeong" when
 * joined tokens are compared.  The reduced skeleton drops what romanized
 * Arabic script adds: an attached article (al-, el-: "alqdhafy" ~ "qaddafi")
 * and, in a token without vowels, a final t for ta marbuta ("khdrt" ~
 * "khadra").
 * Tokens with bytes outside a-z (digits, non-ASCII) get no keys (0).  Keys
 * are 32-bit hashes of the class strings; 0 is reserved for "none".
 */
#include "postgres.h"

#include "common/hashfn.h"

#include "normname.h"
#include "phonetic.h"

#define MAX_CODE	64
#define SOUND_PREFIX_LEN	3

/* Vowel-group classes are lower case: a, i, u. */
static inline bool
is_vowel_class(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool
is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

/*
 * Codes tok into sound classes ('A' = a vowel run); returns the code length,
 * or -1 if the token is not plain lower-case ASCII letters.
 */
static int
sound_classes(const char *tok, int len, char *code, bool vowel_identity, int max_codes)
{
	int			n = 0;
	int			i = 0;

	if (len <= 0 || len > MAX_CODE)
		return -1;
	for (int k = 0; k < len; k++)
		if (tok[k] < 'a' || tok[k] > 'z')
			return -1;

	while (i < len && (max_codes == 0 || n <= max_codes))
	{
		char		c = tok[i];
		char		next = i + 1 < len ? tok[i + 1] : '\0';
		char		cls;
		int			used = 1;

		switch (c)
		{
			case 'a':
			case 'e':
			case 'i':
			case 'o':
			case 'u':
			case 'y':			/* a vowel, also initially before a vowel */
				/* an initial vowel run keeps its group: Amina is not Yoomoney */
				if (vowel_identity || n == 0 || (n == 1 && is_vowel_class(code[0])))
					cls = c == 'a' ? 'a' : (c == 'o' || c == 'u') ? 'u' : 'i';
				else
					cls = 'A';
				break;
			case 'w':
				cls = 'W';		/* v in the phonetic key, dropped by the skeleton */
				break;
			case 'v':
				cls = 'V';
				break;
			case 'j':
				/*
				 * Russian "й" after a vowel (Evgenij, Sergej), and a glide
				 * between vowels (Razumovskaja ~ Razumovskaa), are vowels
				 */
				if (i > 0 && is_vowel(tok[i - 1]))
					cls = (vowel_identity || (n == 1 && is_vowel_class(code[0]))) ? 'i' : 'A';
				else
					cls = 'J';
				break;
			case 'p':
				cls = next == 'h' ? 'F' : 'P';
				used = next == 'h' ? 2 : 1;
				break;
			case 'f':
				cls = 'F';
				break;
			case 'k':
				if (next == 'h')
				{
					cls = 'H';
					used = 2;
				}
				else
					cls = 'K';
				break;
			case 'g':
				cls = 'K';
				used = next == 'h' ? 2 : 1;
				break;
			case 'q':
				cls = 'K';
				break;
			case 'c':
				if (next == 'k')
				{
					cls = 'K';
					used = 2;
				}
				else if (next == 'h')
				{
					cls = 'C';
					used = 2;
				}
				else if (next == 'z' || next == 's')
				{
					cls = 'C';
					used = 2;
				}
				else if (next == 'e' || next == 'i' || next == 'y' || next == '\0')
					cls = 'C';	/* also Russian c (ts, ch) */
				else
					cls = 'K';	/* Carlos ~ Karlos */
				break;
			case 's':
				if (next == 'c' && i + 2 < len && tok[i + 2] == 'h')
				{
					cls = 'X';
					used = 3;
				}
				else if (next == 'h')
				{
					cls = 'X';
					used = 2;
				}
				else
					cls = 'S';
				break;
			case 't':
				if (next == 'h')
				{
					cls = 'T';
					used = 2;
				}
				else if ((next == 's' || next == 'c') && i + 2 < len && tok[i + 2] == 'h')
				{
					cls = 'C';	/* tsh, tch: ch */
					used = 3;
				}
				else if (next == 's' || next == 'z')
				{
					cls = 'C';
					used = 2;
				}
				else
					cls = 'T';
				break;
			case 'd':
				if (next == 'h')
				{
					cls = 'D';
					used = 2;
				}
				else if (next == 'j')
				{
					cls = 'J';
					used = 2;
				}
				else if (next == 'z')
				{
					cls = 'J';	/* dz, dzh: Russian renderings of j */
					used = (i + 2 < len && tok[i + 2] == 'h') ? 3 : 2;
				}
				else
					cls = 'D';
				break;
			case 'z':
				cls = 'Z';
				used = next == 'h' ? 2 : 1;
				break;
			case 'h':
				/* a final h after a vowel is silent: Abdullah ~ Abdulla */
				if (next == '\0' && i > 0 && is_vowel(tok[i - 1]))
				{
					i++;
					continue;
				}
				cls = 'H';
				break;
			case 'x':
				if (n == 0 || code[n - 1] != 'K')
					code[n++] = 'K';
				cls = 'S';
				break;
			default:
				/* b l m n r: their own classes */
				cls = (char) (c - 'a' + 'A');
				break;
		}
		if (n > 0 && is_vowel_class(cls) && is_vowel_class(code[n - 1]))
			code[n - 1] = cls;	/* a vowel run takes its last vowel's class */
		else if (n == 0 || code[n - 1] != cls)
			code[n++] = cls;
		i += used;
	}
	return n;
}

static int
consonants(const char *code, int n)
{
	int			k = 0;

	for (int i = 0; i < n; i++)
		if (!is_vowel_class(code[i]) && code[i] != 'A')
			k++;
	return k;
}

static uint32
code_hash(const char *code, int n)
{
	uint32		h;

	if (n <= 0)
		return 0;
	h = hash_bytes((const unsigned char *) code, n);
	return h ? h : 1;
}

/* The phonetic key's classes: w sounds as v. */
static int
phonetic_classes(const char *tok, int len, char *code, bool vowel_identity, int max_codes)
{
	int			n = sound_classes(tok, len, code, vowel_identity, max_codes);
	int			m = 0;

	for (int i = 0; i < n; i++)
	{
		char		c = code[i] == 'W' ? 'V' : code[i];

		if (m == 0 || code[m - 1] != c || is_vowel_class(c))
			code[m++] = c;
	}
	return n <= 0 ? n : m;
}

uint32
NamePhoneticKey(const char *tok, int len)
{
	char		code[2 * MAX_CODE];
	int			n;

	n = phonetic_classes(tok, len, code, false, 0);
	/* two vowels are too little to hear a variant in: Ye is not Yi */
	if (n > 0 && len <= 2 && consonants(code, n) == 0)
		return 0;
	/* short tokens keep their vowels: Lin is not Lun */
	if (n > 0 && consonants(code, n) < 2)
		n = phonetic_classes(tok, len, code, true, 0);
	return code_hash(code, n);
}

uint32
NameSoundPrefixKey(const char *tok, int len)
{
	char		code[2 * MAX_CODE];
	int			n = phonetic_classes(tok, len, code, false, SOUND_PREFIX_LEN + 1);

	return code_hash(code, Min(n, SOUND_PREFIX_LEN));
}

/*
 * The skeleton: consonant classes only, without the semivowel w (a long
 * vowel in romanized Arabic: nwaz ~ nawaz), f and v as one, b and p as one
 * (Arabic has no p), s, z and sh as one (ICU folds Cyrillic sh to s), no
 * final h.
 */
uint32
NameSkeletonKey(const char *tok, int len)
{
	char		code[2 * MAX_CODE];
	char		skel[2 * MAX_CODE];
	int			n = sound_classes(tok, len, code, false, 0);
	int			m = 0;

	for (int i = 0; i < n; i++)
	{
		char		c = code[i];

		if (c == 'A' || c == 'W' || is_vowel_class(c))
			continue;
		if (c == 'V')
			c = 'F';
		else if (c == 'Z' || c == 'X')
			c = 'S';
		else if (c == 'P')
			c = 'B';
		if (m == 0 || skel[m - 1] != c)
			skel[m++] = c;
	}
	if (m > 1 && skel[m - 1] == 'H')
		m--;
	if (m == 0)
		return 0;
	return (hash_bytes((const unsigned char *) skel, m) & ~(uint32) 3) |
		(uint32) Min(m, 3);
}

/* e, i, o, u: romanized Arabic script has only a (alif) */
static bool
has_vowel(const char *tok, int len)
{
	for (int i = 0; i < len; i++)
		if (tok[i] == 'e' || tok[i] == 'i' || tok[i] == 'o' || tok[i] == 'u')
			return true;
	return false;
}

uint32
NameReducedSkeletonKey(const char *tok, int len)
{
	bool		reduced = false;

	if (NameTokenHasArticle(tok, len))
	{
		tok += 2;
		len -= 2;
		reduced = true;
	}
	/* ta marbuta: unvocalized "...t" for vocalized "...a" / "...ah" */
	if (len >= 4 && tok[len - 1] == 't' && !has_vowel(tok, len))
	{
		len--;
		reduced = true;
	}
	return reduced ? NameSkeletonKey(tok, len) : 0;
}

bool
NameTokenHasArticle(const char *tok, int len)
{
	return len >= 5 && (tok[0] == 'a' || tok[0] == 'e') && tok[1] == 'l';
}

void
NameTokenComputeKeys(const char *tok, int len, NameTokenClass cls,
					 NormNameToken *out)
{
	if (cls == NAME_TOKEN_WORD)
	{
		out->phonetic = NamePhoneticKey(tok, len);
		out->skeleton = NameSkeletonKey(tok, len);
	}
	else
	{
		out->phonetic = 0;
		out->skeleton = 0;
	}
}
