/*
 * token_weights.h
 *	  Token weights (token_weights.c) as the scorer uses them inside one
 *	  comparison; NameTokenWeights (similarity.h) is the public form.
 */
#ifndef SANCTIONS_TOKEN_WEIGHTS_H
#define SANCTIONS_TOKEN_WEIGHTS_H

#include "postgres.h"

/* Loads the statistics if this backend has no valid copy. */
extern void NameTokenWeightsPrepare(void);

/* A 64-bit hash of a token's class and text: its weight cache key. */
extern uint64 NameTokenKey(const char *tok, int len, int cls);

/* The weight of one token; call NameTokenWeightsPrepare() first. */
extern float4 NameTokenWeightOf(const char *tok, int len, int cls, uint64 key);

#endif							/* SANCTIONS_TOKEN_WEIGHTS_H */
