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
