/*
 * similarity.c
 *	  sanctions.similarity: how similar a screened name is to a listed name,
 *	  the % and <-> operators, explain_similarity, and the block-key and
 *	  upper-bound contract with the namesim index (similarity.h).
 *
 * The score aligns the tokens of the two names, whatever their order
 * (doc/similarity.md has the tables):
 *	1. Every pair of tokens gets a pair score by the best rule that applies:
 *	   exact (1), phonetic key (0.9), edit distance within a budget scaled to
 *	   the longer token (none up to 4 letters, 1 up to 8, then 2; score
 *	   1 - 0.6 * edits / length), consonant skeleton (transliteration; higher
 *	   when one side is unvocalized romanized script).  Numbers and legal
 *	   forms only match exactly.  A token may also match two tokens of the
 *	   other side joined ("tianxin" ~ "tian xin").  Edit distance and joins
 *	   apply only when the tokens share their first or last three letters,
 *	   both end letters, or (join heads) first sounds, so no pair scores
 *	   without sharing a block key.
 *	2. Pairs are taken greedily, best first (ties broken by weight, then by a
 *	   hash of the texts, so the alignment does not depend on which side is
 *	   which); each token is used once.  Then an unaligned initial may stand
 *	   for an unaligned word with its first letter (pair_initials).
 *	3. With token weights w (token_weights.c), Q is the weighted mean pair
 *	   score of the aligned tokens, and fq, fl the fractions of each side's
 *	   weight that is aligned.  With fmin <= fmax the two fractions,
 *			score = Q * sqrt(fmin) * fmax^1.5
 *	   A name that is a subset of the other (a missing middle name) loses
 *	   little (fmax = 1); tokens left over on both sides are conflicting
 *	   parts (another given name) and cost much more.
 *	4. A number on either side left unaligned caps the score at 0.5.
 * The score is symmetric: similarity(a, b) = similarity(b, a).
 *
 * Upper bound for the index: only query tokens in mask can be aligned, plus
 * at most INITIAL_CREDIT of weight per other word or initial, so fq <= c and
 * score <= sqrt(c) whichever side fq is; an unaligned query number caps it.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "normname.h"
#include "phonetic.h"
#include "similarity.h"
#include "similarity_guc.h"
#include "token_weights.h"

#define SIM_EXACT			1.0
#define SIM_JOINED			0.95
#define SIM_PHONETIC		0.9
#define SIM_UNVOCALIZED_3	0.9
#define SIM_UNVOCALIZED_2	0.85
#define SIM_UNVOCALIZED_1	0.8
#define SIM_SKELETON_3		0.8
#define SIM_SKELETON_2		0.7
#define SIM_INITIAL			0.6
#define SIM_JOINED_PHONETIC 0.85
#define SIM_EDIT_COST		0.6		/* per edit, relative to the longer token */
#define NUMBER_MISMATCH_CAP	0.5
#define BOUND_SLACK			1e-5	/* float rounding margin of the bound */
#define AFFIX_LEN			3		/* prefix / suffix block key length */
#define ENDS_MIN_LEN		5		/* tokens with a first+last letter key */
#define JOIN_SYLLABLE_LEN	4		/* first parts matched by sound */
#define JOIN_LEN_SLACK		3		/* |whole - parts| in letters */
#define JOIN_SHORT_PART		2		/* a join part this short needs no key */
#define INITIAL_CREDIT		0.25		/* weight an initial ~ word pair covers */

/*
 * Hidden: pg_trgm exports a global of the same name, and a backend that
 * loads both libraries must not bind one's references to the other's.
 */
#if defined(__GNUC__)
__attribute__((visibility("hidden")))
#endif
double		similarity_threshold = 0.7;

typedef enum SimRule
{
	RULE_NONE = 0,
	RULE_EXACT,
	RULE_PHONETIC,
	RULE_EDIT,
	RULE_TRANSLITERATION,
	RULE_INITIAL,
	RULE_SPLIT_JOIN
} SimRule;

static const char *const rule_names[] = {
	"none", "exact", "phonetic", "edit distance", "transliteration",
	"initial", "split/join"
};

/* One token as the scorer sees it. */
typedef struct SimToken
{
	const char *s;
	int			len;
	int			cls;
	uint32		phonetic;
	uint32		skeleton;
	uint32		hash;			/* hash of the text */
	uint32		soundprefix;	/* NameSoundPrefixKey, computed on demand */
	bool		has_soundprefix;
	uint32		reduced;		/* NameReducedSkeletonKey, computed on demand */
	bool		has_reduced;
	float4		w;
	bool		used;
} SimToken;

/* A candidate alignment: q[0] (+ q[1]) with l[0] (+ l[1]); -1 = none. */
typedef struct SimCand
{
	float4		score;
	float4		wsum;
	uint32		tiebreak;
	int8		q[2];
	int8		l[2];
	uint8		rule;
} SimCand;

/* What explain_similarity shows. */
typedef struct SimExplain
{
	int			nchosen;
	SimCand    *chosen;
	double		quality;
	double		cover_q;
	double		cover_l;
	double		coverage_factor;
	bool		number_cap;
} SimExplain;

void
SimilarityDefineGUCs(void)
{
	DefineCustomRealVariable("sanctions.similarity_threshold",
							 "Similarity from which the % operator says two names match.",
							 "Scores of sanctions.similarity() at or above this value match.",
							 &similarity_threshold,
							 0.7, 0.0, 1.0,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
}

static inline bool
is_initial(const SimToken *t)
{
	return t->cls == NAME_TOKEN_INITIAL || (t->cls == NAME_TOKEN_WORD && t->len == 1);
}

/* Edits allowed between tokens whose longer one has len bytes. */
static inline int
edit_budget(int len)
{
	return len <= 4 ? 0 : len <= 8 ? 1 : 2;
}

static inline bool
same_bytes(const char *a, const char *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static inline bool
share_prefix(const char *a, int la, const char *b, int lb)
{
	int			ka = Min(la, AFFIX_LEN),
				kb = Min(lb, AFFIX_LEN);

	return ka == kb && same_bytes(a, b, ka);
}

static inline bool
share_suffix(const char *a, int la, const char *b, int lb)
{
	int			ka = Min(la, AFFIX_LEN),
				kb = Min(lb, AFFIX_LEN);

	return ka == kb && same_bytes(a + la - ka, b + lb - kb, ka);
}

/*
 * A coarse grouping of first letters that tokens with the same sound prefix
 * (phonetic.c) almost always share: a cheap filter before coding them.
 */
static inline char
first_letter_group(char c)
{
	switch (c)
	{
		case 'a':
		case 'e':
		case 'i':
		case 'o':
		case 'u':
		case 'y':
			return 'a';
		case 'c':
		case 'g':
		case 'h':
		case 'k':
		case 'q':
		case 'x':
			return 'k';
		case 'b':
		case 'f':
		case 'p':
		case 'v':
		case 'w':
			return 'f';
		case 'd':
		case 'j':
		case 't':
			return 't';
		case 's':
		case 'z':
			return 's';
		default:
			return c;
	}
}

/* Same first and last letter, both tokens long enough for two edits. */
static inline bool
share_ends(const char *a, int la, const char *b, int lb)
{
	return la >= ENDS_MIN_LEN && lb >= ENDS_MIN_LEN &&
		a[0] == b[0] && a[la - 1] == b[lb - 1];
}

static inline uint32
sound_prefix(SimToken *t)
{
	if (!t->has_soundprefix)
	{
		t->soundprefix = t->cls == NAME_TOKEN_WORD ? NameSoundPrefixKey(t->s, t->len) : 0;
		t->has_soundprefix = true;
	}
	return t->soundprefix;
}

/* Do the tokens share their first or last three letters, or both ends? */
static inline bool
share_affix(const SimToken *a, const SimToken *b)
{
	return share_prefix(a->s, a->len, b->s, b->len) ||
		share_suffix(a->s, a->len, b->s, b->len) ||
		share_ends(a->s, a->len, b->s, b->len);
}

/*
 * Does the token look like a romanization of unvocalized (Arabic) script,
 * where only alif gives an "a" and long vowels come out as w / y?
 */
static inline bool
vowelless(const SimToken *t)
{
	for (int i = 0; i < t->len; i++)
		if (t->s[i] == 'e' || t->s[i] == 'i' || t->s[i] == 'o' || t->s[i] == 'u')
			return false;
	return true;
}

/*
 * Optimal string alignment distance (Levenshtein plus adjacent
 * transpositions), or limit + 1 as soon as it must exceed limit.
 */
static int
osa_distance(const char *a, int la, const char *b, int lb, int limit)
{
	int			rows[3][2 * 256 + 1];
	int		   *prev2 = rows[0],
			   *prev = rows[1],
			   *cur = rows[2];

	if (abs(la - lb) > limit)
		return limit + 1;
	if (lb > 2 * 256)
		return limit + 1;
	for (int j = 0; j <= lb; j++)
		prev[j] = j;
	for (int i = 1; i <= la; i++)
	{
		int			rowmin;

		cur[0] = i;
		rowmin = i;
		for (int j = 1; j <= lb; j++)
		{
			int			cost = a[i - 1] == b[j - 1] ? 0 : 1;
			int			v = Min(prev[j] + 1, cur[j - 1] + 1);

			v = Min(v, prev[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
				v = Min(v, prev2[j - 2] + 1);
			cur[j] = v;
			rowmin = Min(rowmin, v);
		}
		if (rowmin > limit)
			return limit + 1;
		{
			int		   *t = prev2;

			prev2 = prev;
			prev = cur;
			cur = t;
		}
	}
	return prev[lb];
}

/*
 * Credit for equal consonant skeletons: high when one side has no vowels at
 * all (a romanization of unvocalized script, where the skeleton is all there
 * is), lower between two vocalized spellings, by skeleton size.
 */
static inline double
skeleton_score(uint32 skeleton, bool unvocalized)
{
	int			size = NAME_SKELETON_SIZE(skeleton);

	if (unvocalized)
		return size >= 3 ? SIM_UNVOCALIZED_3 : size == 2 ? SIM_UNVOCALIZED_2 : SIM_UNVOCALIZED_1;
	return size >= 3 ? SIM_SKELETON_3 : size == 2 ? SIM_SKELETON_2 : 0;
}

/*
 * Skeleton rule: equal skeletons, also after dropping what a romanization
 * of Arabic script adds (phonetic.c: article, ta marbuta).
 */
static inline uint32
reduced_skeleton(SimToken *t)
{
	if (!t->has_reduced)
	{
		/* only an article or a final t can be dropped (phonetic.c) */
		bool		maybe = t->len >= 4 &&
			(t->s[t->len - 1] == 't' || (t->s[1] == 'l' && (t->s[0] == 'a' || t->s[0] == 'e')));

		t->reduced = maybe ? NameReducedSkeletonKey(t->s, t->len) : 0;
		t->has_reduced = true;
	}
	return t->reduced;
}

static double
skeleton_rule(SimToken *a, SimToken *b)
{
	uint32		matched = 0;

	if (a->skeleton == 0 || b->skeleton == 0)
		return 0;
	if (a->skeleton == b->skeleton)
		matched = a->skeleton;
	else if (reduced_skeleton(a) != 0 && reduced_skeleton(a) == b->skeleton)
		matched = b->skeleton;
	else if (reduced_skeleton(b) != 0 && reduced_skeleton(b) == a->skeleton)
		matched = a->skeleton;
	if (matched == 0)
		return 0;
	return skeleton_score(matched, vowelless(a) || vowelless(b));
}

/* Pair score of two tokens and the rule that gave it. */
static double
pair_score(SimToken *a, SimToken *b, SimRule *rule)
{
	double		best = 0;
	double		sk;

	*rule = RULE_NONE;
	if (a->len == b->len && memcmp(a->s, b->s, a->len) == 0)
	{
		*rule = RULE_EXACT;
		return SIM_EXACT;
	}
	if (a->cls == NAME_TOKEN_NUMBER || b->cls == NAME_TOKEN_NUMBER ||
		a->cls == NAME_TOKEN_LEGAL_FORM || b->cls == NAME_TOKEN_LEGAL_FORM)
		return 0;
	if (is_initial(a) || is_initial(b))
		return 0;				/* see pair_initials() */
	if (a->phonetic != 0 && a->phonetic == b->phonetic)
	{
		best = SIM_PHONETIC;
		*rule = RULE_PHONETIC;
	}
	{
		int			budget = edit_budget(Max(a->len, b->len));

		if (budget > 0 && abs(a->len - b->len) <= budget && share_affix(a, b))
		{
			int			d = osa_distance(a->s, a->len, b->s, b->len, budget);

			if (d <= budget)
			{
				double		s = 1.0 - SIM_EDIT_COST * d / Max(a->len, b->len);

				if (s > best)
				{
					best = s;
					*rule = RULE_EDIT;
				}
			}
		}
	}
	sk = skeleton_rule(a, b);
	if (sk > best)
	{
		best = sk;
		*rule = RULE_TRANSLITERATION;
	}
	return best;
}

/*
 * A word of one or two letters (a romanized syllable: li, yu) may be part of
 * a joined token without sharing a block key with it, as long as the other
 * part does; NameSimUpperBound counts such query tokens as aligned.
 */
static inline bool
short_part(const SimToken *t)
{
	return t->cls == NAME_TOKEN_WORD && t->len <= JOIN_SHORT_PART;
}

/* May y (shorter than w) end w joined: same last letters, or a short y w ends with? */
static inline bool
short_tail(const SimToken *w, const SimToken *y)
{
	return share_suffix(w->s, w->len, y->s, y->len) ||
		(short_part(y) && same_bytes(w->s + w->len - y->len, y->s, y->len));
}

/* Can a token be one part of a joined token?  Words and legal forms (JSC). */
static inline bool
joinable(const SimToken *t)
{
	return t->cls == NAME_TOKEN_WORD || t->cls == NAME_TOKEN_LEGAL_FORM;
}

/*
 * May x be the first part of w joined: same first letters, or for a short
 * part (a romanized syllable: kim ~ gimjeong) the same first sounds?
 */
static inline bool
join_head(SimToken *w, SimToken *x)
{
	return share_prefix(w->s, w->len, x->s, x->len) ||
		(x->len <= JOIN_SYLLABLE_LEN &&
		 first_letter_group(w->s[0]) == first_letter_group(x->s[0]) &&
		 sound_prefix(w) != 0 && sound_prefix(w) == sound_prefix(x));
}

/*
 * Score of whole token w against x and y joined in this order; x shares the
 * first letters or sounds of w and y its last letters (block keys).
 */
static double
joined_score(SimToken *w, SimToken *x, SimToken *y)
{
	char		buf[2 * 256];
	int			len = x->len + y->len;
	int			budget = edit_budget(Max(w->len, len));
	double		best = 0;
	int			d;

	memcpy(buf, x->s, x->len);
	memcpy(buf + x->len, y->s, y->len);
	d = osa_distance(buf, len, w->s, w->len, budget);	/* budget+1 if lengths differ more */
	if (d == 0)
		return SIM_JOINED;
	if (d <= budget)
		best = SIM_JOINED * (1.0 - SIM_EDIT_COST * d / Max(w->len, len));
	if (w->phonetic != 0 && NamePhoneticKey(buf, len) == w->phonetic)
		best = Max(best, SIM_JOINED_PHONETIC);
	return best;
}

static void
load_tokens(const NormName *n, SimToken *t)
{
	for (int i = 0; i < n->ntokens; i++)
	{
		const NormNameToken *d = &n->tokens[i];

		t[i].s = NormNameTokenText(n, i);
		t[i].len = d->len;
		t[i].cls = d->cls;
		t[i].phonetic = d->phonetic;
		t[i].skeleton = d->skeleton;
		t[i].has_soundprefix = false;
		t[i].has_reduced = false;
		t[i].used = false;
	}
}

/* Weights (and text hashes) of the tokens: only once some pair scored. */
static void
weigh_tokens(SimToken *t, int n)
{
	for (int i = 0; i < n; i++)
	{
		uint64		key = NameTokenKey(t[i].s, t[i].len, t[i].cls);

		t[i].hash = (uint32) key;
		t[i].w = NameTokenWeightOf(t[i].s, t[i].len, t[i].cls, key);
	}
}

/* Candidate order: better score, then more weight, then the text hash. */
static inline bool
cand_before(const SimCand *a, const SimCand *b)
{
	if (a->score != b->score)
		return a->score > b->score;
	if (a->wsum != b->wsum)
		return a->wsum > b->wsum;
	return a->tiebreak < b->tiebreak;
}

typedef struct CandList
{
	SimCand    *c;
	int			n;
	int			cap;
	SimCand		local[64];
} CandList;

static void
cand_add(CandList *cl, const SimCand *c)
{
	if (cl->n == cl->cap)
	{
		int			newcap = cl->cap * 2;
		SimCand    *nc = palloc(sizeof(SimCand) * newcap);

		memcpy(nc, cl->c, sizeof(SimCand) * cl->n);
		if (cl->c != cl->local)
			pfree(cl->c);
		cl->c = nc;
		cl->cap = newcap;
	}
	cl->c[cl->n++] = *c;
}

/* Join candidates: one token of side w against two joined tokens of side p. */
static void
add_join_cands(CandList *cl, SimToken *w, int nw, SimToken *p, int np, bool w_is_query,
			   uint64 tails)
{
	for (int i = 0; i < nw; i++)
	{
		/* the second part must end like w: most tokens have no such part */
		if (w[i].cls != NAME_TOKEN_WORD || w[i].len < 4 || (tails & ((uint64) 1 << i)) == 0)
			continue;
		for (int j = 0; j < np; j++)
		{
			bool		head;

			if (p[j].len + 1 > w[i].len + JOIN_LEN_SLACK || !joinable(&p[j]))
				continue;
			head = join_head(&w[i], &p[j]);
			if (!head && !(short_part(&p[j]) && same_bytes(w[i].s, p[j].s, p[j].len)))
				continue;
			for (int k = 0; k < np; k++)
			{
				double		s;
				SimCand		c;
				bool		tail;

				if (k == j || abs(w[i].len - p[j].len - p[k].len) > JOIN_LEN_SLACK ||
					!joinable(&p[k]))
					continue;
				/* both parts may not be short: one shares a block key with w */
				tail = share_suffix(w[i].s, w[i].len, p[k].s, p[k].len);
				if (!(head && tail) && !(head && short_tail(&w[i], &p[k])) &&
					!(tail && short_part(&p[j])))
					continue;
				s = joined_score(&w[i], &p[j], &p[k]);
				if (s <= 0)
					continue;
				c.score = (float4) s;
				c.rule = RULE_SPLIT_JOIN;
				if (w_is_query)
				{
					c.q[0] = i;
					c.q[1] = -1;
					c.l[0] = j;
					c.l[1] = k;
				}
				else
				{
					c.l[0] = i;
					c.l[1] = -1;
					c.q[0] = j;
					c.q[1] = k;
				}
				cand_add(cl, &c);
			}
		}
	}
}

static inline bool
cand_free(const SimCand *c, const SimToken *q, const SimToken *l)
{
	return !q[c->q[0]].used && (c->q[1] < 0 || !q[c->q[1]].used) &&
		!l[c->l[0]].used && (c->l[1] < 0 || !l[c->l[1]].used);
}

/*
 * Initials: an initial left unaligned on one side credits a word with its
 * first letter left unaligned on the other, once some other pair aligned.
 * Each side covers at most INITIAL_CREDIT weight by it, so "J. Smith" ~
 * "John Smith" gets partial credit and the index needs no key per first
 * letter (NameSimUpperBound allows for this credit).
 */
static void
pair_initials(SimToken *q, int na, SimToken *l, int nb, CandList *cl)
{
	cl->n = 0;
	for (int i = 0; i < na; i++)
	{
		for (int j = 0; j < nb; j++)
		{
			SimCand		c;

			if (q[i].used || l[j].used || is_initial(&q[i]) == is_initial(&l[j]) ||
				q[i].s[0] != l[j].s[0] ||
				(q[i].cls != NAME_TOKEN_WORD && q[i].cls != NAME_TOKEN_INITIAL) ||
				(l[j].cls != NAME_TOKEN_WORD && l[j].cls != NAME_TOKEN_INITIAL))
				continue;
			c.score = SIM_INITIAL;
			c.wsum = Min(q[i].w, INITIAL_CREDIT) + Min(l[j].w, INITIAL_CREDIT);
			/* the word's weight decides which word an initial stands for */
			c.tiebreak = q[i].hash ^ l[j].hash;
			c.rule = RULE_INITIAL;
			c.q[0] = i;
			c.q[1] = -1;
			c.l[0] = j;
			c.l[1] = -1;
			cand_add(cl, &c);
		}
	}
}

/* Sorts candidates best first (insertion sort: lists are short). */
static void
sort_cands(CandList *cl)
{
	for (int i = 1; i < cl->n; i++)
	{
		SimCand		c = cl->c[i];
		int			j = i - 1;

		while (j >= 0 && cand_before(&c, &cl->c[j]))
		{
			cl->c[j + 1] = cl->c[j];
			j--;
		}
		cl->c[j + 1] = c;
	}
}

/* The score; fills ex (palloc'd alignment) when not NULL. */
static double
score_names(const NormName *a, const NormName *b, SimExplain *ex)
{
	SimToken	q[NORMNAME_MAX_TOKENS];
	SimToken	l[NORMNAME_MAX_TOKENS];
	CandList	cl;
	double		wq = 0,
				wl = 0,
				aq = 0,
				al = 0,
				qnum = 0,
				qden = 0,
				fmin,
				fmax,
				score;
	bool		number_cap = false;
	int			na = a->ntokens,
				nb = b->ntokens;
	uint64		qtails = 0,
				ltails = 0;

	if (ex)
		memset(ex, 0, sizeof(*ex));
	if (!ex && a->textlen == b->textlen &&
		memcmp(NormNameText(a), NormNameText(b), a->textlen) == 0)
		return 1.0;

	load_tokens(a, q);
	load_tokens(b, l);

	cl.c = cl.local;
	cl.n = 0;
	cl.cap = lengthof(cl.local);
	for (int i = 0; i < na; i++)
	{
		for (int j = 0; j < nb; j++)
		{
			SimRule		rule;
			double		s;
			SimCand		c;

			/* note which tokens end like a shorter one: join candidates */
			if (l[j].len < q[i].len && short_tail(&q[i], &l[j]))
				qtails |= (uint64) 1 << i;
			else if (q[i].len < l[j].len && short_tail(&l[j], &q[i]))
				ltails |= (uint64) 1 << j;
			s = pair_score(&q[i], &l[j], &rule);
			if (s <= 0)
				continue;
			c.score = (float4) s;
			c.rule = rule;
			c.q[0] = i;
			c.q[1] = -1;
			c.l[0] = j;
			c.l[1] = -1;
			cand_add(&cl, &c);
		}
	}
	if (na >= 1 && nb >= 2 && qtails != 0)
		add_join_cands(&cl, q, na, l, nb, true, qtails);
	if (nb >= 1 && na >= 2 && ltails != 0)
		add_join_cands(&cl, l, nb, q, na, false, ltails);

	/* nothing pairs: most names compared are unrelated */
	if (cl.n == 0)
	{
		if (ex)
			ex->chosen = palloc(sizeof(SimCand));
		return 0;
	}
	NameTokenWeightsPrepare();
	weigh_tokens(q, na);
	weigh_tokens(l, nb);
	for (int i = 0; i < cl.n; i++)
	{
		SimCand    *c = &cl.c[i];

		c->wsum = 0;
		c->tiebreak = 0;
		for (int k = 0; k < 2; k++)
		{
			if (c->q[k] >= 0)
			{
				c->wsum += q[c->q[k]].w;
				c->tiebreak ^= q[c->q[k]].hash;
			}
			if (c->l[k] >= 0)
			{
				c->wsum += l[c->l[k]].w;
				c->tiebreak ^= l[c->l[k]].hash;
			}
		}
	}

	if (ex)
		ex->chosen = palloc(sizeof(SimCand) * Max(1, Min(na, nb) * 2));
	for (int round = 0; round < 2; round++)
	{
		/* round 0: real pairs; round 1: initials, if anything aligned */
		if (round == 1)
		{
			if (qden <= 0)
				break;
			pair_initials(q, na, l, nb, &cl);
		}
		sort_cands(&cl);
		for (int i = 0; i < cl.n; i++)
		{
			SimCand    *c = &cl.c[i];

			if (!cand_free(c, q, l))
				continue;
			for (int k = 0; k < 2; k++)
			{
				if (c->q[k] >= 0)
				{
					q[c->q[k]].used = true;
					aq += round == 0 ? q[c->q[k]].w : Min(q[c->q[k]].w, INITIAL_CREDIT);
				}
				if (c->l[k] >= 0)
				{
					l[c->l[k]].used = true;
					al += round == 0 ? l[c->l[k]].w : Min(l[c->l[k]].w, INITIAL_CREDIT);
				}
			}
			qnum += c->score * c->wsum;
			qden += c->wsum;
			if (ex)
				ex->chosen[ex->nchosen++] = *c;
		}
	}
	if (cl.c != cl.local)
		pfree(cl.c);

	for (int i = 0; i < na; i++)
	{
		wq += q[i].w;
		if (!q[i].used && q[i].cls == NAME_TOKEN_NUMBER)
			number_cap = true;
	}
	for (int j = 0; j < nb; j++)
	{
		wl += l[j].w;
		if (!l[j].used && l[j].cls == NAME_TOKEN_NUMBER)
			number_cap = true;
	}

	if (qden <= 0 || wq <= 0 || wl <= 0)
		score = 0;
	else
	{
		double		fq = Min(1.0, aq / wq),
					fl = Min(1.0, al / wl);

		fmin = Min(fq, fl);
		fmax = Max(fq, fl);
		score = (qnum / qden) * sqrt(fmin) * fmax * sqrt(fmax);
		if (ex)
		{
			ex->quality = qnum / qden;
			ex->cover_q = fq;
			ex->cover_l = fl;
			ex->coverage_factor = sqrt(fmin) * fmax * sqrt(fmax);
		}
	}
	if (number_cap)
		score = Min(score, NUMBER_MISMATCH_CAP);
	if (ex)
		ex->number_cap = number_cap;
	return Max(0.0, Min(1.0, score));
}

float4
NameSimilarity(const NormName *a, const NormName *b)
{
	return (float4) score_names(a, b, NULL);
}

/* Tags keep the kinds of block keys apart. */
enum
{
	KEY_EXACT = 1,
	KEY_PHONETIC,
	KEY_SKELETON,
	KEY_PREFIX,
	KEY_SUFFIX,
	KEY_ENDS,
	KEY_SOUND_PREFIX
};

static inline uint32
tagged_key(int tag, const char *s, int len)
{
	return hash_bytes_extended((const unsigned char *) s, len, tag) & 0xffffffff;
}

int
NameTokenBlockKeys(const NormName *n, int i, uint32 *keys)
{
	const NormNameToken *t = &n->tokens[i];
	const char *s = NormNameTokenText(n, i);
	int			len = t->len;
	int			affix = Min(len, AFFIX_LEN);
	int			k = 0;

	keys[k++] = tagged_key(KEY_EXACT, s, len);
	if (t->cls == NAME_TOKEN_NUMBER)
		return k;
	if (t->cls == NAME_TOKEN_LEGAL_FORM)
	{
		/* a legal form can be part of a joined token: JSC + ARGUMENT */
		keys[k++] = tagged_key(KEY_PREFIX, s, affix);
		keys[k++] = tagged_key(KEY_SUFFIX, s + len - affix, affix);
		return k;
	}
	if (t->cls != NAME_TOKEN_WORD || len == 1)
		return k;				/* initials: exact only, see pair_initials() */
	if (t->phonetic != 0)
		keys[k++] = hash_combine(KEY_PHONETIC, t->phonetic);
	if (t->skeleton != 0)
		keys[k++] = hash_combine(KEY_SKELETON, t->skeleton);
	keys[k++] = tagged_key(KEY_PREFIX, s, affix);
	keys[k++] = tagged_key(KEY_SUFFIX, s + len - affix, affix);
	{
		uint32		sp = NameSoundPrefixKey(s, len);

		if (sp != 0)
			keys[k++] = hash_combine(KEY_SOUND_PREFIX, sp);
	}
	if (len >= ENDS_MIN_LEN)
	{
		char		ends[2] = {s[0], s[len - 1]};

		keys[k++] = tagged_key(KEY_ENDS, ends, 2);
	}
	{
		uint32		reduced = NameReducedSkeletonKey(s, len);

		if (reduced != 0)
			keys[k++] = hash_combine(KEY_SKELETON, reduced);
	}
	Assert(k <= NAMESIM_MAX_TOKEN_KEYS);
	return k;
}

float4
NameSimUpperBound(const NormName *q, const float4 *w, uint64 mask)
{
	double		total = 0,
				inmask = 0,
				bound;

	if (mask == 0)
		return 0;
	for (int i = 0; i < q->ntokens; i++)
	{
		bool		in = (mask & ((uint64) 1 << i)) != 0;
		int			cls = q->tokens[i].cls;

		total += w[i];
		if (in)
			inmask += w[i];
		else if (cls == NAME_TOKEN_WORD && q->tokens[i].len <= JOIN_SHORT_PART)
			inmask += w[i];		/* a short join part needs no key */
		else if (cls == NAME_TOKEN_WORD || cls == NAME_TOKEN_INITIAL)
			inmask += Min(w[i], INITIAL_CREDIT);	/* pair_initials() */
	}
	if (total <= 0)
		return 0;
	bound = Min(1.0, sqrt(inmask / total) + BOUND_SLACK);
	for (int i = 0; i < q->ntokens; i++)
		if (q->tokens[i].cls == NAME_TOKEN_NUMBER && (mask & ((uint64) 1 << i)) == 0)
			bound = Min(bound, NUMBER_MISMATCH_CAP + BOUND_SLACK);
	return (float4) bound;
}

/* --- SQL functions --- */

PG_FUNCTION_INFO_V1(sanctions_similarity);
Datum
sanctions_similarity(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT4(NameSimilarity(PG_GETARG_NORMNAME(0), PG_GETARG_NORMNAME(1)));
}

PG_FUNCTION_INFO_V1(sanctions_similarity_match);
Datum
sanctions_similarity_match(PG_FUNCTION_ARGS)
{
	float4		s = NameSimilarity(PG_GETARG_NORMNAME(0), PG_GETARG_NORMNAME(1));

	PG_RETURN_BOOL(s >= (float4) similarity_threshold);
}

PG_FUNCTION_INFO_V1(sanctions_similarity_distance);
Datum
sanctions_similarity_distance(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT4(1.0f - NameSimilarity(PG_GETARG_NORMNAME(0), PG_GETARG_NORMNAME(1)));
}

/*
 * The text variants of % and <->: the cast from text is an assignment cast,
 * so a text column on either side needs its own operator; it is normalized
 * exactly as the cast would.
 */
static NormName *
arg_as_normname(FunctionCallInfo fcinfo, int argno, Oid type)
{
	if (type == TEXTOID)
	{
		text	   *t = PG_GETARG_TEXT_PP(argno);

		return NormalizeName(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	return PG_GETARG_NORMNAME(argno);
}

static float4
mixed_similarity(FunctionCallInfo fcinfo)
{
	Oid			t0 = get_fn_expr_argtype(fcinfo->flinfo, 0);
	Oid			t1 = get_fn_expr_argtype(fcinfo->flinfo, 1);

	return NameSimilarity(arg_as_normname(fcinfo, 0, t0), arg_as_normname(fcinfo, 1, t1));
}

PG_FUNCTION_INFO_V1(sanctions_similarity_match_text);
Datum
sanctions_similarity_match_text(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(mixed_similarity(fcinfo) >= (float4) similarity_threshold);
}

PG_FUNCTION_INFO_V1(sanctions_similarity_distance_text);
Datum
sanctions_similarity_distance_text(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT4(1.0f - mixed_similarity(fcinfo));
}

static int
compare_uint32(const void *a, const void *b)
{
	uint32		x = *(const uint32 *) a,
				y = *(const uint32 *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

/* All block keys of a name, sorted and distinct. */
static int
name_block_keys(const NormName *n, uint32 *keys)
{
	int			k = 0,
				m = 0;

	for (int i = 0; i < n->ntokens; i++)
		k += NameTokenBlockKeys(n, i, keys + k);
	qsort(keys, k, sizeof(uint32), compare_uint32);
	for (int i = 0; i < k; i++)
		if (m == 0 || keys[m - 1] != keys[i])
			keys[m++] = keys[i];
	return m;
}

/* sanctions.block_keys(normname) returns int4[]: every token's block keys. */
PG_FUNCTION_INFO_V1(sanctions_block_keys);
Datum
sanctions_block_keys(PG_FUNCTION_ARGS)
{
	NormName   *n = PG_GETARG_NORMNAME(0);
	uint32		keys[NORMNAME_MAX_TOKENS * NAMESIM_MAX_TOKEN_KEYS];
	Datum		d[NORMNAME_MAX_TOKENS * NAMESIM_MAX_TOKEN_KEYS];
	int			k = name_block_keys(n, keys);

	for (int i = 0; i < k; i++)
		d[i] = Int32GetDatum((int32) keys[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, k, INT4OID, sizeof(int32), true, TYPALIGN_INT));
}

/*
 * sanctions.similarity_upper_bound(query, candidate) returns float4: the
 * index's bound for candidate, from the mask of query tokens that share a
 * block key with some token of candidate.
 */
PG_FUNCTION_INFO_V1(sanctions_similarity_upper_bound);
Datum
sanctions_similarity_upper_bound(PG_FUNCTION_ARGS)
{
	NormName   *q = PG_GETARG_NORMNAME(0);
	NormName   *x = PG_GETARG_NORMNAME(1);
	uint32		xkeys[NORMNAME_MAX_TOKENS * NAMESIM_MAX_TOKEN_KEYS];
	int			nx = name_block_keys(x, xkeys);
	float4		w[NORMNAME_MAX_TOKENS];
	uint64		mask = 0;

	for (int i = 0; i < q->ntokens; i++)
	{
		uint32		keys[NAMESIM_MAX_TOKEN_KEYS];
		int			k = NameTokenBlockKeys(q, i, keys);

		for (int j = 0; j < k; j++)
			if (bsearch(&keys[j], xkeys, nx, sizeof(uint32), compare_uint32))
			{
				mask |= (uint64) 1 << i;
				break;
			}
	}
	NameTokenWeights(q, w);
	PG_RETURN_FLOAT4(NameSimUpperBound(q, w, mask));
}

static void
append_float(StringInfo buf, double v)
{
	char		s[32];

	float_to_shortest_decimal_buf((float4) v, s);
	appendStringInfoString(buf, s);
}

static void
append_tokens(StringInfo buf, const NormName *n, int i1, int i2)
{
	char	   *s = pnstrdup(NormNameTokenText(n, i1), n->tokens[i1].len);

	if (i2 >= 0)
		s = psprintf("%s %s", s, pnstrdup(NormNameTokenText(n, i2), n->tokens[i2].len));
	escape_json(buf, s);
}

static void
append_unmatched(StringInfo buf, const NormName *n, const bool *used, const float4 *w)
{
	bool		first = true;

	appendStringInfoChar(buf, '[');
	for (int i = 0; i < n->ntokens; i++)
	{
		if (used[i])
			continue;
		if (!first)
			appendStringInfoString(buf, ", ");
		first = false;
		appendStringInfoString(buf, "{\"token\": ");
		append_tokens(buf, n, i, -1);
		appendStringInfoString(buf, ", \"weight\": ");
		append_float(buf, w[i]);
		appendStringInfoChar(buf, '}');
	}
	appendStringInfoChar(buf, ']');
}

/*
 * sanctions.explain_similarity(query, listed) returns jsonb: the alignment,
 * the unaligned tokens, the factors and penalties, and the score (equal to
 * sanctions.similarity of the same arguments).
 */
PG_FUNCTION_INFO_V1(sanctions_explain_similarity);
Datum
sanctions_explain_similarity(PG_FUNCTION_ARGS)
{
	NormName   *a = PG_GETARG_NORMNAME(0);
	NormName   *b = PG_GETARG_NORMNAME(1);
	SimExplain	ex;
	float4		score = (float4) score_names(a, b, &ex);
	float4		wa[NORMNAME_MAX_TOKENS],
				wb[NORMNAME_MAX_TOKENS];
	bool		useda[NORMNAME_MAX_TOKENS] = {0},
				usedb[NORMNAME_MAX_TOKENS] = {0};
	StringInfoData buf;

	NameTokenWeights(a, wa);
	NameTokenWeights(b, wb);
	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"alignment\": [");
	for (int i = 0; i < ex.nchosen; i++)
	{
		SimCand    *c = &ex.chosen[i];

		for (int k = 0; k < 2; k++)
		{
			if (c->q[k] >= 0)
				useda[(int) c->q[k]] = true;
			if (c->l[k] >= 0)
				usedb[(int) c->l[k]] = true;
		}
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, "{\"query\": ");
		append_tokens(&buf, a, c->q[0], c->q[1]);
		appendStringInfoString(&buf, ", \"listed\": ");
		append_tokens(&buf, b, c->l[0], c->l[1]);
		appendStringInfo(&buf, ", \"rule\": \"%s\", \"score\": ", rule_names[c->rule]);
		append_float(&buf, c->score);
		appendStringInfoString(&buf, ", \"weight\": ");
		append_float(&buf, c->wsum);
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoString(&buf, "], \"unmatched_query\": ");
	append_unmatched(&buf, a, useda, wa);
	appendStringInfoString(&buf, ", \"unmatched_listed\": ");
	append_unmatched(&buf, b, usedb, wb);
	appendStringInfoString(&buf, ", \"pair_quality\": ");
	append_float(&buf, ex.quality);
	appendStringInfoString(&buf, ", \"coverage_query\": ");
	append_float(&buf, ex.cover_q);
	appendStringInfoString(&buf, ", \"coverage_listed\": ");
	append_float(&buf, ex.cover_l);
	appendStringInfoString(&buf, ", \"penalties\": [");
	appendStringInfoString(&buf, "{\"penalty\": \"unmatched tokens\", \"factor\": ");
	append_float(&buf, ex.coverage_factor);
	appendStringInfoChar(&buf, '}');
	if (ex.number_cap)
		appendStringInfo(&buf, ", {\"penalty\": \"number mismatch\", \"cap\": %.1f}",
						 NUMBER_MISMATCH_CAP);
	appendStringInfoString(&buf, "], \"score\": ");
	append_float(&buf, score);
	appendStringInfoString(&buf, ", \"threshold\": ");
	append_float(&buf, similarity_threshold);
	appendStringInfo(&buf, ", \"match\": %s}",
					 score >= (float4) similarity_threshold ? "true" : "false");
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}
