/*
 * similarity.h
 *	  The contract between the similarity scorer (similarity.c) and the
 *	  namesim index access method (namesim*.c).
 *
 * The index is exact because the scorer promises two things:
 *	1. Blocking: two tokens get a non-zero pair score only if they share at
 *	   least one block key (NameTokenBlockKeys).  Block keys of both sides come
 *	   from the same function.
 *	2. Bounding: NameSimUpperBound(q, w, mask) is >= similarity(q, x) and
 *	   >= similarity(x, q) for every name x whose tokens share block keys only
 *	   with the query tokens in mask (bit i = query token i).  It is monotone
 *	   in mask, and NameSimUpperBound(q, w, 0) == 0.
 * With these, an index over block keys returns a superset of every `%` match
 * and, for ORDER BY <->, a lower bound of each candidate's distance.
 */
#ifndef SANCTIONS_SIMILARITY_H
#define SANCTIONS_SIMILARITY_H

#include "normname.h"

#define NAMESIM_MAX_TOKEN_KEYS	8

/* The current value of sanctions.similarity_threshold. */
extern double similarity_threshold;

/* Similarity in [0,1]; a = screened (query) name, b = listed name. */
extern float4 NameSimilarity(const NormName *a, const NormName *b);

/* Block keys of token i of n; returns how many (<= NAMESIM_MAX_TOKEN_KEYS). */
extern int	NameTokenBlockKeys(const NormName *n, int i, uint32 *keys);

/* The weight the scorer gives each token of n (w has n->ntokens slots). */
extern void NameTokenWeights(const NormName *n, float4 *w);

/* See the contract above; w as returned by NameTokenWeights(q, w). */
extern float4 NameSimUpperBound(const NormName *q, const float4 *w, uint64 mask);

#endif							/* SANCTIONS_SIMILARITY_H */
