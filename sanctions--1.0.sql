/* sanctions--1.0.sql: every SQL object of the extension, in schema sanctions.
 *
 * One section per concept, in dependency order; each section is owned by the
 * C files / docs named in its heading.  Everything is schema-qualified and
 * functions written in SQL or PL/pgSQL pin their search_path.
 */
\echo Use "CREATE EXTENSION sanctions" to load this file. \quit

-------------------------------------------------------------------------------
-- Section 1: the normalized-name type sanctions.normname
--            (src/normname.c, src/normalize.c, src/transliterate.c, src/legal_forms.c)
-------------------------------------------------------------------------------

-- (end of section 1)

-------------------------------------------------------------------------------
-- Section 2: name similarity, the % and <-> operators, explanations
--            (src/similarity.c, src/phonetic.c, src/token_weights.c)
-------------------------------------------------------------------------------

-- (end of section 2)

-------------------------------------------------------------------------------
-- Section 3: the namesim index access method
--            (src/namesim*.c)
-------------------------------------------------------------------------------

-- (end of section 3)

-------------------------------------------------------------------------------
-- Section 4: sanctions lists, versions and their loaders
--            (doc/lists.md)
-------------------------------------------------------------------------------

-- (end of section 4)

-------------------------------------------------------------------------------
-- Section 5: screening, alerts, decisions, audit, roles
--            (doc/screening.md)
-------------------------------------------------------------------------------

-- (end of section 5)

-------------------------------------------------------------------------------
-- Section 6: ownership roll-up (OFAC 50% rule, EU, UK)
--            (src/ownership.c)
-------------------------------------------------------------------------------

-- The roll-up over caller-supplied queries.  Not STRICT: a null query or rule
-- is an error, not an empty answer.  VOLATILE and PARALLEL UNSAFE because it
-- runs the caller's queries (with the caller's privileges) through SPI.
CREATE FUNCTION sanctions.ownership_rollup(edges text, blocked text,
                                           rule text DEFAULT 'ofac')
RETURNS TABLE(entity_id text, blocked_share numeric, basis jsonb)
AS 'MODULE_PATHNAME', 'ownership_rollup'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION sanctions.ownership_rollup(text, text, text) IS
'Entities blocked through ownership: edges is a query returning (owner text, owned text, share numeric in percent [, joint_group text]), blocked a query returning the ids of listed parties; rule is ofac (>= 50% aggregate), eu (>= 50% aggregate), uk (> 50% per designated person or joint arrangement) or lookthrough (informational effective share, not a legal rule). Returns each entity with its blocked share and a jsonb basis; see doc/ownership.md';

CREATE FUNCTION sanctions.explain_ownership(entity text, edges text, blocked text,
                                            rule text DEFAULT 'ofac')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ownership_explain'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION sanctions.explain_ownership(text, text, text, text) IS
'Why one entity is or is not blocked through ownership under a rule: its owners, their status, which stakes count and why, and the total against the threshold';

-- The same over the extension's own tables (section 4): current ownership
-- edges (valid_to IS NULL, date range covering today, known share) and the
-- current listed entities.  The same holding reported by several lists or
-- records counts once, at its largest share.  The queries are text, so this
-- section does not depend on the tables existing at CREATE time.
CREATE FUNCTION sanctions.ownership_rollup(rule text DEFAULT 'ofac')
RETURNS TABLE(entity_id text, blocked_share numeric, basis jsonb)
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT r.entity_id, r.blocked_share, r.basis
    FROM sanctions.ownership_rollup(
      $q$SELECT o.owner_ref::text, o.owned_ref::text, max(o.share)::numeric
           FROM sanctions.ownership o
          WHERE o.valid_to IS NULL AND o.share IS NOT NULL
            AND (o.start_date IS NULL OR o.start_date <= current_date)
            AND (o.end_date IS NULL OR o.end_date >= current_date)
          GROUP BY 1, 2$q$,
      $q$SELECT DISTINCT e.source_id::text FROM sanctions.entity e
          WHERE e.valid_to IS NULL AND e.source_id IS NOT NULL$q$,
      rule) AS r
$fn$;

COMMENT ON FUNCTION sanctions.ownership_rollup(text) IS
'Entities blocked through ownership under a rule, from the current rows of sanctions.ownership (largest share per owner and owned entity) and the current listed entities of sanctions.entity';

CREATE FUNCTION sanctions.explain_ownership(entity text, rule text DEFAULT 'ofac')
RETURNS jsonb
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT sanctions.explain_ownership(entity,
      $q$SELECT o.owner_ref::text, o.owned_ref::text, max(o.share)::numeric
           FROM sanctions.ownership o
          WHERE o.valid_to IS NULL AND o.share IS NOT NULL
            AND (o.start_date IS NULL OR o.start_date <= current_date)
            AND (o.end_date IS NULL OR o.end_date >= current_date)
          GROUP BY 1, 2$q$,
      $q$SELECT DISTINCT e.source_id::text FROM sanctions.entity e
          WHERE e.valid_to IS NULL AND e.source_id IS NOT NULL$q$,
      rule)
$fn$;

COMMENT ON FUNCTION sanctions.explain_ownership(text, text) IS
'Why one entity is or is not blocked through ownership, from the current rows of sanctions.ownership and sanctions.entity';

-- (end of section 6)
