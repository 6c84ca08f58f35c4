/*
 * token_weights.h
 *	  Token weights (token_weights.c) as the scorer uses them inside one
 *	  comparison; NameTokenWeights (similarity.h) is the public form.
 */
#ifndef SANCTIONS_TOKEN_WEIGHTS_H
#define SANCTIONS_TOKEN_WEIGHTS_H

#include "postgres.h"

/* Hash of a token's text: the statistics key. */
extern uint32 NameTokenTextHash(const char *tok, int len);

/* Loads the statistics if this backend has no valid copy. */
extern void NameTokenWeightsPrepare(void);

/* The weight of one token; call NameTokenWeightsPrepare() first. */
extern float4 NameTokenWeightOf(const char *tok, int len, int cls, uint32 texthash);

#endif							/* SANCTIONS_TOKEN_WEIGHTS_H */
