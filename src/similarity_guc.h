/*
 * similarity_guc.h
 *	  Registration of the similarity module's GUC (sanctions.similarity_threshold),
 *	  called from _PG_init.
 */
#ifndef SANCTIONS_SIMILARITY_GUC_H
#define SANCTIONS_SIMILARITY_GUC_H

extern void SimilarityDefineGUCs(void);

#endif							/* SANCTIONS_SIMILARITY_GUC_H */
