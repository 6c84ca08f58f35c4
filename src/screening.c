/*
 * screening.c
 *	  Settings of the screening layer.  Screening, alerts, decisions and the
 *	  audit log are SQL (section 5 of sanctions--1.0.sql); they read these
 *	  GUCs with current_setting().
 *
 *	  sanctions.audit_screening (superuser only): log every screening API
 *	  call to sanctions.screening_log.  Only a superuser (or ALTER DATABASE /
 *	  ALTER ROLE ... SET by one) can switch it, so a screener cannot switch
 *	  the audit of their own calls off.
 *
 *	  sanctions.weak_alias_threshold: the name score a weak alias needs to
 *	  be a hit (weak aliases are short or generic; only near-exact matches
 *	  count).
 *
 *	  The SQL reads them through the C functions below, not current_setting():
 *	  calling a C function loads the module first, so a session that has not
 *	  used the extension yet still sees the real GUCs (and never a
 *	  placeholder a non-superuser set before the module was loaded).
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "screening.h"
#include "similarity.h"

static bool audit_screening = false;
static double weak_alias_threshold = 0.95;

void
ScreeningDefineGUCs(void)
{
	DefineCustomBoolVariable("sanctions.audit_screening",
							 "Logs every screening call to sanctions.screening_log.",
							 "Decisions and alert status changes are always logged.",
							 &audit_screening,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
	DefineCustomRealVariable("sanctions.weak_alias_threshold",
							 "Name score a weak alias needs to be a screening hit.",
							 NULL,
							 &weak_alias_threshold,
							 0.95, 0.0, 1.0,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
}

PG_FUNCTION_INFO_V1(screening_audit_enabled);
Datum
screening_audit_enabled(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(audit_screening);
}

PG_FUNCTION_INFO_V1(screening_weak_alias_threshold);
Datum
screening_weak_alias_threshold(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT4((float4) weak_alias_threshold);
}

PG_FUNCTION_INFO_V1(screening_default_threshold);
Datum
screening_default_threshold(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT4((float4) similarity_threshold);
}
