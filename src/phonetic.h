/*
 * phonetic.h
 *	  Per-token phonetic and consonant-skeleton keys (phonetic.c), shared by
 *	  the normalizer (which stores them in each token) and the scorer (which
 *	  recomputes them for joined tokens).
 */
#ifndef SANCTIONS_PHONETIC_H
#define SANCTIONS_PHONETIC_H

#include "postgres.h"

/* The skeleton key's two low bits hold min(consonant count, 3). */
#define NAME_SKELETON_SIZE(key)		((int) ((key) & 3))

extern uint32 NamePhoneticKey(const char *tok, int len);
extern uint32 NameSkeletonKey(const char *tok, int len);
extern uint32 NameSoundPrefixKey(const char *tok, int len);

/* Skeleton without an attached article / ta marbuta t; 0 if none to drop. */
extern uint32 NameReducedSkeletonKey(const char *tok, int len);

/* Starts with an attached Arabic article (al..., el...)? */
extern bool NameTokenHasArticle(const char *tok, int len);

#endif							/* SANCTIONS_PHONETIC_H */
