/*
 * sanctions.c
 *	  Module entry point: the magic block and _PG_init, which registers the
 *	  extension's GUCs (each defined by the module that reads it).
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "namesim.h"
#include "similarity_guc.h"
#include "screening.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	SimilarityDefineGUCs();
	NamesimInit();
	ScreeningDefineGUCs();
	MarkGUCPrefixReserved("sanctions");
}
