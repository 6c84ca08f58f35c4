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

-- (end of section 6)
