/*
 * token_weights.c
 *	  How much each token of a name counts: rarity from the list's own token
 *	  statistics, capped by class and by a compiled-in list of generic words.
 *
 * A distinctive token ("qidi", "sanshunda") decides a match; a generic one
 * ("electronics", "trading", a legal form) hardly does.  Weights are
 *	  word:           0.2 + 0.8 * idf, idf = ln((N+1)/(df+1)) / ln(N+1) in (0,1]
 *	                  (1 when there are no statistics, or the token is unseen)
 *	  generic word:   at most 0.15 (org descriptors of data/reference/symbols.yml)
 *	  name particle:  at most 0.25 (bin, abu, ould, jr ...)
 *	  patronymic:     at most 0.5 (-ovich, -evna ...: often left out)
 *	  legal form:     0.1
 *	  initial:        0.25
 *	  number:         1 (numbers must agree, see similarity.c)
 * N and df (names containing the token) come from sanctions.token_stats,
 * filled by sanctions.refresh_token_stats() from sanctions.entity_name.
 * Each backend loads the table once, with the word lists, into a hash keyed
 * by a 32-bit hash of the token (a collision only borrows another token's
 * weight), and remembers computed weights in a direct-mapped cache.  A statement trigger
 * on the table sends a relcache invalidation for it, so every backend drops
 * its copy at its next transaction or command boundary after the change
 * commits, and reloads on next use.
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "normname.h"
#include "similarity.h"
#include "token_weights.h"
#include "generic_words.h"

#define WEIGHT_WORD_FLOOR		0.2
#define WEIGHT_GENERIC_WORD		0.15
#define WEIGHT_PARTICLE			0.25
#define WEIGHT_LEGAL_FORM		0.1
#define WEIGHT_INITIAL			0.25
#define WEIGHT_PATRONYMIC		0.5
#define WEIGHT_NUMBER			1.0

/* What this backend knows of a token text: statistics and word lists. */
typedef struct TokenStatsEntry
{
	uint32		hash;			/* hash of the token text (key) */
	int32		names;			/* names containing the token; 0 = unseen */
	uint8		list;			/* TOKEN_LIST_* */
} TokenStatsEntry;

#define TOKEN_LIST_NONE			0
#define TOKEN_LIST_GENERIC		1	/* generic_org_words */
#define TOKEN_LIST_PARTICLE		2	/* person_particles */

/* Per-backend cache of sanctions.token_stats. */
static MemoryContext stats_context = NULL;
static HTAB *stats_hash = NULL;
static double stats_names = 0;	/* N: names counted; 0 = no statistics */
static bool stats_valid = false;
static bool stats_callback_registered = false;
static Oid	stats_relid = InvalidOid;

/*
 * Computed weights, direct-mapped by a 64-bit hash of class and text, so a
 * comparison pays one probe per token; cleared whenever the statistics
 * reload.
 */
#define WEIGHT_CACHE_SIZE	16384
typedef struct WeightCacheEntry
{
	uint64		key;
	float4		w;
	bool		filled;
} WeightCacheEntry;
static WeightCacheEntry weight_cache[WEIGHT_CACHE_SIZE];

static uint32 token_text_hash(const char *tok, int len);

static void
token_stats_inval_callback(Datum arg, Oid relid)
{
	/* with no table seen yet, any change may be its creation */
	if (relid == InvalidOid || relid == stats_relid || !OidIsValid(stats_relid))
		stats_valid = false;
}

/* East Slavic patronymics, which screened names often leave out. */
static bool
is_patronymic(const char *tok, int len)
{
	static const char *const endings[] = {
		"ovich", "evich", "ovych", "evych", "ovna", "evna", "ivna", "ichna"
	};

	if (len < 7)
		return false;
	for (int i = 0; i < (int) lengthof(endings); i++)
	{
		int			el = strlen(endings[i]);

		if (memcmp(tok + len - el, endings[i], el) == 0)
			return true;
	}
	return false;
}

static void
add_word_list(const char *const *words, int n, uint8 list)
{
	for (int i = 0; i < n; i++)
	{
		uint32		h = token_text_hash(words[i], strlen(words[i]));
		TokenStatsEntry *e = hash_search(stats_hash, &h, HASH_ENTER, NULL);

		e->names = 0;
		e->list = list;
	}
}

/*
 * (Re)builds this backend's token table: the compiled-in word lists, then
 * the statistics of sanctions.token_stats when there are any.
 */
static void
load_token_stats(void)
{
	Oid			nsp;
	HASHCTL		ctl;

	if (!stats_callback_registered)
	{
		CacheRegisterRelcacheCallback(token_stats_inval_callback, (Datum) 0);
		stats_callback_registered = true;
	}
	if (stats_context == NULL)
		stats_context = AllocSetContextCreate(CacheMemoryContext,
											  "sanctions token stats",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContextReset(stats_context);
	stats_names = 0;
	/* Mark valid first: an invalidation arriving while we read wins. */
	stats_valid = true;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(uint32);
	ctl.entrysize = sizeof(TokenStatsEntry);
	ctl.hcxt = stats_context;
	stats_hash = hash_create("sanctions token stats", 4096, &ctl,
							 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	add_word_list(generic_org_words, lengthof(generic_org_words), TOKEN_LIST_GENERIC);
	add_word_list(person_particles, lengthof(person_particles), TOKEN_LIST_PARTICLE);

	nsp = get_namespace_oid("sanctions", true);
	stats_relid = OidIsValid(nsp) ? get_relname_relid("token_stats", nsp) : InvalidOid;
	if (!OidIsValid(stats_relid) || !IsTransactionState())
		return;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT s.names::float8 FROM sanctions.token_stats_source s",
					true, 1) == SPI_OK_SELECT && SPI_processed == 1)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			stats_names = DatumGetFloat8(d);
	}
	if (stats_names > 0 &&
		SPI_execute("SELECT t.token, t.names FROM sanctions.token_stats t", true, 0) == SPI_OK_SELECT)
	{
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			bool		null1,
						null2;
			Datum		tok = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1, &null1);
			Datum		cnt = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2, &null2);
			text	   *t;
			uint32		h;
			TokenStatsEntry *e;
			bool		found;

			if (null1 || null2)
				continue;
			t = DatumGetTextPP(tok);
			h = token_text_hash(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
			e = hash_search(stats_hash, &h, HASH_ENTER, &found);
			if (!found)
			{
				e->names = 0;
				e->list = TOKEN_LIST_NONE;
			}
			e->names = Max(e->names, (int32) Min(DatumGetInt64(cnt), PG_INT32_MAX));
			CHECK_FOR_INTERRUPTS();
		}
	}
	else
		stats_names = 0;
	SPI_finish();
}

static uint32
token_text_hash(const char *tok, int len)
{
	return hash_bytes((const unsigned char *) tok, len);
}

/* The weight of a token, computed from the statistics and the lists. */
static float4
compute_weight(const char *tok, int len, int cls)
{
	double		w = 1.0;
	uint32		texthash = token_text_hash(tok, len);
	TokenStatsEntry *e;

	switch (cls)
	{
		case NAME_TOKEN_LEGAL_FORM:
			return WEIGHT_LEGAL_FORM;
		case NAME_TOKEN_NUMBER:
			return WEIGHT_NUMBER;
		case NAME_TOKEN_INITIAL:
			return WEIGHT_INITIAL;
		default:
			break;
	}
	if (len == 1)
		return WEIGHT_INITIAL;

	e = hash_search(stats_hash, &texthash, HASH_FIND, NULL);
	if (stats_names > 0)
	{
		double		df = e ? e->names : 0;
		double		idf = log((stats_names + 1.0) / (df + 1.0)) / log(stats_names + 1.0);

		w = WEIGHT_WORD_FLOOR + (1.0 - WEIGHT_WORD_FLOOR) * Max(0.0, Min(1.0, idf));
	}
	if (e && e->list == TOKEN_LIST_GENERIC)
		w = Min(w, WEIGHT_GENERIC_WORD);
	else if (e && e->list == TOKEN_LIST_PARTICLE)
		w = Min(w, WEIGHT_PARTICLE);
	else if (is_patronymic(tok, len))
		w = Min(w, WEIGHT_PATRONYMIC);
	return (float4) w;
}

float4
NameTokenWeightOf(const char *tok, int len, int cls, uint64 key)
{
	WeightCacheEntry *e = &weight_cache[key & (WEIGHT_CACHE_SIZE - 1)];

	if (e->key != key || !e->filled)
	{
		e->w = compute_weight(tok, len, cls);
		e->key = key;
		e->filled = true;
	}
	return e->w;
}

uint64
NameTokenKey(const char *tok, int len, int cls)
{
	return hash_bytes_extended((const unsigned char *) tok, len, cls);
}

void
NameTokenWeightsPrepare(void)
{
	if (!stats_valid)
	{
		load_token_stats();
		memset(weight_cache, 0, sizeof(weight_cache));
	}
}

void
NameTokenWeights(const NormName *n, float4 *w)
{
	NameTokenWeightsPrepare();
	for (int i = 0; i < n->ntokens; i++)
	{
		const char *t = NormNameTokenText(n, i);
		int			len = n->tokens[i].len;

		w[i] = NameTokenWeightOf(t, len, n->tokens[i].cls,
								 NameTokenKey(t, len, n->tokens[i].cls));
	}
}

/*
 * sanctions.token_weights(normname) returns float4[]: the weight of each
 * token, in token order.
 */
PG_FUNCTION_INFO_V1(sanctions_token_weights);
Datum
sanctions_token_weights(PG_FUNCTION_ARGS)
{
	NormName   *n = PG_GETARG_NORMNAME(0);
	float4		w[NORMNAME_MAX_TOKENS];
	Datum		d[NORMNAME_MAX_TOKENS];

	NameTokenWeights(n, w);
	for (int i = 0; i < n->ntokens; i++)
		d[i] = Float4GetDatum(w[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, n->ntokens, FLOAT4OID, sizeof(float4),
										  true, TYPALIGN_INT));
}

/*
 * Statement trigger on sanctions.token_stats: any change invalidates the
 * cached statistics of every backend once the change commits.
 */
PG_FUNCTION_INFO_V1(sanctions_token_stats_changed);
Datum
sanctions_token_stats_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("sanctions.token_stats_changed() must be called as a trigger")));
	CacheInvalidateRelcache(trigdata->tg_relation);
	PG_RETURN_POINTER(NULL);
}
