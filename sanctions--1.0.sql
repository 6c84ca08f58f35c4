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

CREATE FUNCTION sanctions.namesim_handler(internal)
    RETURNS pg_catalog.index_am_handler
    AS 'MODULE_PATHNAME', 'namesim_handler'
    LANGUAGE C STRICT;
COMMENT ON FUNCTION sanctions.namesim_handler(internal) IS
    'index access method handler of namesim';

CREATE ACCESS METHOD namesim TYPE INDEX HANDLER sanctions.namesim_handler;
COMMENT ON ACCESS METHOD namesim IS
    'similarity index over name block keys, for sanctions.normname % and ORDER BY <->';

-- sanctions.namequery: a query name with its own threshold, and its operator
-- %> (a name of its own, so that name % 'literal' stays unambiguous).
CREATE TYPE sanctions.namequery;

CREATE FUNCTION sanctions.namequery_in(pg_catalog.cstring)
    RETURNS sanctions.namequery
    AS 'MODULE_PATHNAME', 'namequery_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sanctions.namequery_in(pg_catalog.cstring) IS
    'input of sanctions.namequery, written threshold:name';

CREATE FUNCTION sanctions.namequery_out(sanctions.namequery)
    RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME', 'namequery_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sanctions.namequery_out(sanctions.namequery) IS
    'output of sanctions.namequery, written threshold:name';

CREATE TYPE sanctions.namequery (
    INPUT = sanctions.namequery_in,
    OUTPUT = sanctions.namequery_out,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = int4,
    STORAGE = extended
);
COMMENT ON TYPE sanctions.namequery IS
    'a normalized name with its own similarity threshold: the indexable operand of name %> name_query(q, t)';

CREATE FUNCTION sanctions.name_query(sanctions.normname, pg_catalog.float4)
    RETURNS sanctions.namequery
    AS 'MODULE_PATHNAME', 'name_query'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sanctions.name_query(sanctions.normname, pg_catalog.float4) IS
    'a query name with its own similarity threshold (0 to 1), for name %> name_query(q, t)';

CREATE FUNCTION sanctions.name_query(pg_catalog.text, pg_catalog.float4)
    RETURNS sanctions.namequery
    AS 'MODULE_PATHNAME', 'name_query_text'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sanctions.name_query(pg_catalog.text, pg_catalog.float4) IS
    'normalizes a raw name and gives it its own similarity threshold (0 to 1), for name %> name_query(q, t)';

CREATE FUNCTION sanctions.namequery_name(sanctions.namequery)
    RETURNS sanctions.normname
    AS 'MODULE_PATHNAME', 'namequery_name'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sanctions.namequery_name(sanctions.namequery) IS
    'the name of a namequery';

CREATE FUNCTION sanctions.namequery_threshold(sanctions.namequery)
    RETURNS pg_catalog.float4
    AS 'MODULE_PATHNAME', 'namequery_threshold'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sanctions.namequery_threshold(sanctions.namequery) IS
    'the similarity threshold of a namequery';

CREATE FUNCTION sanctions.name_similar_query(sanctions.normname, sanctions.namequery)
    RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'name_similar_query'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sanctions.name_similar_query(sanctions.normname, sanctions.namequery) IS
    'true if the similarity of the name to the query name reaches the query''s own threshold';

CREATE OPERATOR sanctions.%> (
    LEFTARG = sanctions.normname,
    RIGHTARG = sanctions.namequery,
    FUNCTION = sanctions.name_similar_query,
    RESTRICT = pg_catalog.matchingsel,
    JOIN = pg_catalog.matchingjoinsel
);
COMMENT ON OPERATOR sanctions.%> (sanctions.normname, sanctions.namequery) IS
    'is similar, with the threshold carried by the namequery (indexable by namesim)';

CREATE OPERATOR CLASS sanctions.namesim_ops
    DEFAULT FOR TYPE sanctions.normname USING namesim AS
        OPERATOR 1 sanctions.% (sanctions.normname, sanctions.normname),
        OPERATOR 2 sanctions.%> (sanctions.normname, sanctions.namequery),
        OPERATOR 3 sanctions.<-> (sanctions.normname, sanctions.normname)
            FOR ORDER BY pg_catalog.float_ops;
COMMENT ON OPERATOR CLASS sanctions.namesim_ops USING namesim IS
    'namesim index of sanctions.normname for %, %> name_query() and ORDER BY <->';

CREATE FUNCTION sanctions.namesim_check(index pg_catalog.regclass,
                                        heapallindexed pg_catalog.bool DEFAULT false)
    RETURNS void
    AS 'MODULE_PATHNAME', 'namesim_check'
    LANGUAGE C STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION sanctions.namesim_check(pg_catalog.regclass, pg_catalog.bool) IS
    'verifies the structure of a namesim index and, with heapallindexed, that every visible row is indexed; raises an error on corruption';
REVOKE EXECUTE ON FUNCTION sanctions.namesim_check(pg_catalog.regclass, pg_catalog.bool) FROM PUBLIC;

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
