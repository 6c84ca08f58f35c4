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

CREATE TYPE sanctions.normname;

CREATE FUNCTION sanctions.normname_in(cstring) RETURNS sanctions.normname
    AS 'MODULE_PATHNAME', 'normname_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sanctions.normname_out(sanctions.normname) RETURNS cstring
    AS 'MODULE_PATHNAME', 'normname_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sanctions.normname_recv(internal) RETURNS sanctions.normname
    AS 'MODULE_PATHNAME', 'normname_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sanctions.normname_send(sanctions.normname) RETURNS bytea
    AS 'MODULE_PATHNAME', 'normname_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE sanctions.normname (
    INPUT = sanctions.normname_in,
    OUTPUT = sanctions.normname_out,
    RECEIVE = sanctions.normname_recv,
    SEND = sanctions.normname_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = int4,
    STORAGE = extended,
    CATEGORY = 'S',
    COLLATABLE = false
);
COMMENT ON TYPE sanctions.normname IS
    'a person, company, vessel or aircraft name in canonical form: any script transliterated to ASCII, tokens classified and in canonical order';
COMMENT ON FUNCTION sanctions.normname_in(cstring) IS 'input function of sanctions.normname: normalizes the name';
COMMENT ON FUNCTION sanctions.normname_out(sanctions.normname) IS 'output function of sanctions.normname: the canonical form';
COMMENT ON FUNCTION sanctions.normname_recv(internal) IS 'binary input function of sanctions.normname';
COMMENT ON FUNCTION sanctions.normname_send(sanctions.normname) IS 'binary output function of sanctions.normname';

-- Casts: text -> normname is an assignment cast (INSERT of text into a
-- normname column just works; comparisons stay explicit so "=" between text
-- and normname is never ambiguous).
CREATE FUNCTION sanctions.normname(text) RETURNS sanctions.normname
    AS 'MODULE_PATHNAME', 'normname_from_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sanctions.normname(text) IS 'normalizes a name (the text to normname cast)';
CREATE FUNCTION sanctions.text(sanctions.normname) RETURNS text
    AS 'MODULE_PATHNAME', 'normname_to_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sanctions.text(sanctions.normname) IS 'the text form of a normalized name (the normname to text cast)';
CREATE CAST (text AS sanctions.normname) WITH FUNCTION sanctions.normname(text) AS ASSIGNMENT;
CREATE CAST (varchar AS sanctions.normname) WITH FUNCTION sanctions.normname(text) AS ASSIGNMENT;
CREATE CAST (sanctions.normname AS text) WITH FUNCTION sanctions.text(sanctions.normname) AS ASSIGNMENT;

-- Comparison on the canonical text.
CREATE FUNCTION sanctions.normname_eq(sanctions.normname, sanctions.normname) RETURNS boolean
    AS 'MODULE_PATHNAME', 'normname_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION sanctions.normname_ne(sanctions.normname, sanctions.normname) RETURNS boolean
    AS 'MODULE_PATHNAME', 'normname_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION sanctions.normname_lt(sanctions.normname, sanctions.normname) RETURNS boolean
    AS 'MODULE_PATHNAME', 'normname_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION sanctions.normname_le(sanctions.normname, sanctions.normname) RETURNS boolean
    AS 'MODULE_PATHNAME', 'normname_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION sanctions.normname_gt(sanctions.normname, sanctions.normname) RETURNS boolean
    AS 'MODULE_PATHNAME', 'normname_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION sanctions.normname_ge(sanctions.normname, sanctions.normname) RETURNS boolean
    AS 'MODULE_PATHNAME', 'normname_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION sanctions.normname_cmp(sanctions.normname, sanctions.normname) RETURNS integer
    AS 'MODULE_PATHNAME', 'normname_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION sanctions.normname_hash(sanctions.normname) RETURNS integer
    AS 'MODULE_PATHNAME', 'normname_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION sanctions.normname_hash_extended(sanctions.normname, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'normname_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION sanctions.normname_eq(sanctions.normname, sanctions.normname) IS 'implementation of = for normname';
COMMENT ON FUNCTION sanctions.normname_ne(sanctions.normname, sanctions.normname) IS 'implementation of <> for normname';
COMMENT ON FUNCTION sanctions.normname_lt(sanctions.normname, sanctions.normname) IS 'implementation of < for normname';
COMMENT ON FUNCTION sanctions.normname_le(sanctions.normname, sanctions.normname) IS 'implementation of <= for normname';
COMMENT ON FUNCTION sanctions.normname_gt(sanctions.normname, sanctions.normname) IS 'implementation of > for normname';
COMMENT ON FUNCTION sanctions.normname_ge(sanctions.normname, sanctions.normname) IS 'implementation of >= for normname';
COMMENT ON FUNCTION sanctions.normname_cmp(sanctions.normname, sanctions.normname) IS 'btree comparison support for normname (bytewise on the canonical text)';
COMMENT ON FUNCTION sanctions.normname_hash(sanctions.normname) IS 'hash support for normname';
COMMENT ON FUNCTION sanctions.normname_hash_extended(sanctions.normname, bigint) IS 'extended (seeded) hash support for normname';

CREATE OPERATOR sanctions.= (
    LEFTARG = sanctions.normname, RIGHTARG = sanctions.normname,
    FUNCTION = sanctions.normname_eq,
    COMMUTATOR = OPERATOR(sanctions.=), NEGATOR = OPERATOR(sanctions.<>),
    RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR sanctions.<> (
    LEFTARG = sanctions.normname, RIGHTARG = sanctions.normname,
    FUNCTION = sanctions.normname_ne,
    COMMUTATOR = OPERATOR(sanctions.<>), NEGATOR = OPERATOR(sanctions.=),
    RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR sanctions.< (
    LEFTARG = sanctions.normname, RIGHTARG = sanctions.normname,
    FUNCTION = sanctions.normname_lt,
    COMMUTATOR = OPERATOR(sanctions.>), NEGATOR = OPERATOR(sanctions.>=),
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR sanctions.<= (
    LEFTARG = sanctions.normname, RIGHTARG = sanctions.normname,
    FUNCTION = sanctions.normname_le,
    COMMUTATOR = OPERATOR(sanctions.>=), NEGATOR = OPERATOR(sanctions.>),
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR sanctions.> (
    LEFTARG = sanctions.normname, RIGHTARG = sanctions.normname,
    FUNCTION = sanctions.normname_gt,
    COMMUTATOR = OPERATOR(sanctions.<), NEGATOR = OPERATOR(sanctions.<=),
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR sanctions.>= (
    LEFTARG = sanctions.normname, RIGHTARG = sanctions.normname,
    FUNCTION = sanctions.normname_ge,
    COMMUTATOR = OPERATOR(sanctions.<=), NEGATOR = OPERATOR(sanctions.<),
    RESTRICT = scalargesel, JOIN = scalargejoinsel
);
COMMENT ON OPERATOR sanctions.= (sanctions.normname, sanctions.normname) IS 'same canonical name';
COMMENT ON OPERATOR sanctions.<> (sanctions.normname, sanctions.normname) IS 'different canonical names';
COMMENT ON OPERATOR sanctions.< (sanctions.normname, sanctions.normname) IS 'less than (bytewise order of the canonical text)';
COMMENT ON OPERATOR sanctions.<= (sanctions.normname, sanctions.normname) IS 'less than or equal (bytewise order of the canonical text)';
COMMENT ON OPERATOR sanctions.> (sanctions.normname, sanctions.normname) IS 'greater than (bytewise order of the canonical text)';
COMMENT ON OPERATOR sanctions.>= (sanctions.normname, sanctions.normname) IS 'greater than or equal (bytewise order of the canonical text)';

CREATE OPERATOR CLASS sanctions.normname_ops
    DEFAULT FOR TYPE sanctions.normname USING btree AS
        OPERATOR 1 sanctions.< ,
        OPERATOR 2 sanctions.<= ,
        OPERATOR 3 sanctions.= ,
        OPERATOR 4 sanctions.>= ,
        OPERATOR 5 sanctions.> ,
        FUNCTION 1 sanctions.normname_cmp(sanctions.normname, sanctions.normname);
CREATE OPERATOR CLASS sanctions.normname_hash_ops
    DEFAULT FOR TYPE sanctions.normname USING hash AS
        OPERATOR 1 sanctions.= ,
        FUNCTION 1 sanctions.normname_hash(sanctions.normname),
        FUNCTION 2 sanctions.normname_hash_extended(sanctions.normname, bigint);
COMMENT ON OPERATOR CLASS sanctions.normname_ops USING btree IS 'default btree operator class for normname (canonical text, bytewise)';
COMMENT ON OPERATOR CLASS sanctions.normname_hash_ops USING hash IS 'default hash operator class for normname';

-- Helpers.
CREATE FUNCTION sanctions.normalize(text) RETURNS text
    AS 'MODULE_PATHNAME', 'normname_normalize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sanctions.normalize(text) IS
    'the canonical form of a name (what normname equality compares): tokens in canonical order, single spaces';
CREATE FUNCTION sanctions.tokens(sanctions.normname) RETURNS text[]
    AS 'MODULE_PATHNAME', 'normname_tokens' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sanctions.tokens(sanctions.normname) IS 'the tokens of a normalized name, in canonical order';
CREATE FUNCTION sanctions.token_classes(sanctions.normname) RETURNS text[]
    AS 'MODULE_PATHNAME', 'normname_token_classes' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sanctions.token_classes(sanctions.normname) IS
    'the class of each token (word, initial, number, legal_form), parallel to sanctions.tokens';
CREATE FUNCTION sanctions.name_kind(sanctions.normname) RETURNS text
    AS 'MODULE_PATHNAME', 'normname_kind' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sanctions.name_kind(sanctions.normname) IS
    'what the name looks like it names: person, organization or unknown (a hint)';
CREATE FUNCTION sanctions.normalize_debug(text) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'normname_normalize_debug' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sanctions.normalize_debug(text) IS
    'each step of the normalization of one name, and each token with its class';
CREATE FUNCTION sanctions.icu_version() RETURNS text
    AS 'MODULE_PATHNAME', 'normname_icu_version' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION sanctions.icu_version() IS
    'the ICU and Unicode versions the normalization uses (stored normnames depend on them)';


-- (end of section 1)

-------------------------------------------------------------------------------
-- Section 2: name similarity, the % and <-> operators, explanations
--            (src/similarity.c, src/phonetic.c, src/token_weights.c)
-------------------------------------------------------------------------------

-- Token statistics: how many list names contain each token (rarity weights).
CREATE TABLE sanctions.token_stats (
    token text PRIMARY KEY,
    names bigint NOT NULL CHECK (names > 0)
);
COMMENT ON TABLE sanctions.token_stats IS
  'Number of list names containing each normalized token; the similarity scorer weighs rare tokens more. Filled by sanctions.refresh_token_stats().';

CREATE TABLE sanctions.token_stats_source (
    names bigint NOT NULL CHECK (names >= 0),
    refreshed_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE sanctions.token_stats_source IS
  'One row: how many list names sanctions.token_stats counts, and when it was refreshed. Empty = no statistics (built-in class weights).';

SELECT pg_catalog.pg_extension_config_dump('sanctions.token_stats', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.token_stats_source', '');

CREATE FUNCTION sanctions.token_stats_changed() RETURNS trigger
    LANGUAGE C AS 'MODULE_PATHNAME', 'sanctions_token_stats_changed';
COMMENT ON FUNCTION sanctions.token_stats_changed() IS
  'Trigger: invalidates every backend''s cached token statistics when sanctions.token_stats changes.';

CREATE TRIGGER token_stats_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sanctions.token_stats
    FOR EACH STATEMENT EXECUTE FUNCTION sanctions.token_stats_changed();

CREATE FUNCTION sanctions.refresh_token_stats() RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n_names bigint;
    n_tokens bigint;
BEGIN
    IF pg_catalog.to_regclass('sanctions.entity_name') IS NULL THEN
        RAISE EXCEPTION 'table sanctions.entity_name does not exist'
            USING ERRCODE = 'undefined_table',
                  DETAIL = 'Token statistics are counted over the names of the loaded lists.',
                  HINT = 'Load a list first.';
    END IF;
    -- Dynamic SQL: the list tables belong to a later section.
    EXECUTE 'SELECT count(*) FROM sanctions.entity_name n WHERE n.name IS NOT NULL'
        INTO n_names;
    TRUNCATE sanctions.token_stats;
    EXECUTE $q$
        INSERT INTO sanctions.token_stats (token, names)
        SELECT t.token, count(*)
          FROM sanctions.entity_name n
         CROSS JOIN LATERAL (SELECT DISTINCT u.token
                               FROM pg_catalog.unnest(sanctions.tokens(n.name)) AS u(token)) t
         WHERE n.name IS NOT NULL
         GROUP BY t.token $q$;
    GET DIAGNOSTICS n_tokens = ROW_COUNT;
    DELETE FROM sanctions.token_stats_source;
    INSERT INTO sanctions.token_stats_source (names) VALUES (n_names);
    RETURN n_tokens;
END;
$$;
COMMENT ON FUNCTION sanctions.refresh_token_stats() IS
  'Recounts sanctions.token_stats from the names in sanctions.entity_name; returns the number of distinct tokens. Run after loading or updating lists.';
REVOKE EXECUTE ON FUNCTION sanctions.refresh_token_stats() FROM PUBLIC;

CREATE FUNCTION sanctions.similarity(sanctions.normname, sanctions.normname) RETURNS float4
    LANGUAGE C STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'sanctions_similarity';
COMMENT ON FUNCTION sanctions.similarity(sanctions.normname, sanctions.normname) IS
  'Similarity in [0,1] of a screened name (first) and a listed name (second); symmetric; 1 for the same name. STABLE: token weights come from sanctions.token_stats.';

CREATE FUNCTION sanctions.similarity_match(sanctions.normname, sanctions.normname) RETURNS boolean
    LANGUAGE C STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'sanctions_similarity_match';
COMMENT ON FUNCTION sanctions.similarity_match(sanctions.normname, sanctions.normname) IS
  'True when sanctions.similarity(a, b) >= sanctions.similarity_threshold; the function of the % operator.';

CREATE FUNCTION sanctions.similarity_distance(sanctions.normname, sanctions.normname) RETURNS float4
    LANGUAGE C STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'sanctions_similarity_distance';
COMMENT ON FUNCTION sanctions.similarity_distance(sanctions.normname, sanctions.normname) IS
  '1 - sanctions.similarity(a, b); the function of the <-> operator.';

CREATE OPERATOR sanctions.% (
    LEFTARG = sanctions.normname, RIGHTARG = sanctions.normname,
    FUNCTION = sanctions.similarity_match,
    COMMUTATOR = OPERATOR(sanctions.%),
    RESTRICT = pg_catalog.matchingsel, JOIN = pg_catalog.matchingjoinsel
);
COMMENT ON OPERATOR sanctions.% (sanctions.normname, sanctions.normname) IS
  'Names match: sanctions.similarity >= sanctions.similarity_threshold.';

CREATE OPERATOR sanctions.<-> (
    LEFTARG = sanctions.normname, RIGHTARG = sanctions.normname,
    FUNCTION = sanctions.similarity_distance,
    COMMUTATOR = OPERATOR(sanctions.<->)
);
COMMENT ON OPERATOR sanctions.<-> (sanctions.normname, sanctions.normname) IS
  'Name distance 1 - sanctions.similarity, for ORDER BY ... LIMIT k.';

CREATE FUNCTION sanctions.explain_similarity(sanctions.normname, sanctions.normname) RETURNS jsonb
    LANGUAGE C STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'sanctions_explain_similarity';
COMMENT ON FUNCTION sanctions.explain_similarity(sanctions.normname, sanctions.normname) IS
  'Why two names score what they score: token alignment with rule, pair score and weight, unmatched tokens, penalties, final score (= sanctions.similarity).';

CREATE FUNCTION sanctions.token_weights(sanctions.normname) RETURNS float4[]
    LANGUAGE C STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'sanctions_token_weights';
COMMENT ON FUNCTION sanctions.token_weights(sanctions.normname) IS
  'Weight the similarity scorer gives each token of the name, in token order.';

CREATE FUNCTION sanctions.block_keys(sanctions.normname) RETURNS int4[]
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'sanctions_block_keys';
COMMENT ON FUNCTION sanctions.block_keys(sanctions.normname) IS
  'Distinct block keys of all tokens of the name (the namesim index keys); two names score above 0 only if these overlap.';

CREATE FUNCTION sanctions.similarity_upper_bound(sanctions.normname, sanctions.normname) RETURNS float4
    LANGUAGE C STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'sanctions_similarity_upper_bound';
COMMENT ON FUNCTION sanctions.similarity_upper_bound(sanctions.normname, sanctions.normname) IS
  'The namesim bound for a candidate (second) given a query (first): from the query tokens sharing a block key with the candidate; never below the similarity either way.';

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
    LANGUAGE C STABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION sanctions.name_similar_query(sanctions.normname, sanctions.namequery) IS
    'True when sanctions.similarity(name, query name) reaches the query''s own threshold; STABLE like sanctions.similarity (token weights come from sanctions.token_stats).';

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
