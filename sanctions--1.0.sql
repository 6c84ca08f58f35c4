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
COMMENT ON CAST (text AS sanctions.normname) IS 'normalizes a name (assignment cast)';
COMMENT ON CAST (varchar AS sanctions.normname) IS 'normalizes a name (assignment cast)';
COMMENT ON CAST (sanctions.normname AS text) IS 'the text form of a normalized name (assignment cast)';

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
COMMENT ON OPERATOR FAMILY sanctions.normname_ops USING btree IS 'btree operator family for normname';
COMMENT ON OPERATOR FAMILY sanctions.normname_hash_ops USING hash IS 'hash operator family for normname';

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
                  HINT = 'The list tables come with the lists section of the extension.';
    END IF;
    -- Dynamic SQL: the list tables belong to a later section.  Names of the
    -- current entity states only (valid_to IS NULL); the cast makes this work
    -- whether the column holds normname or its canonical text.
    EXECUTE $q$
        SELECT count(*) FROM sanctions.entity_name n
          JOIN sanctions.entity e ON e.entity_id = n.entity_id
         WHERE n.name IS NOT NULL AND e.valid_to IS NULL $q$
        INTO n_names;
    TRUNCATE sanctions.token_stats;
    EXECUTE $q$
        INSERT INTO sanctions.token_stats (token, names)
        SELECT t.token, count(*)
          FROM sanctions.entity_name n
          JOIN sanctions.entity e ON e.entity_id = n.entity_id
         CROSS JOIN LATERAL (SELECT DISTINCT u.token
                               FROM pg_catalog.unnest(sanctions.tokens(n.name::sanctions.normname)) AS u(token)) t
         WHERE n.name IS NOT NULL AND e.valid_to IS NULL
         GROUP BY t.token $q$;
    GET DIAGNOSTICS n_tokens = ROW_COUNT;
    DELETE FROM sanctions.token_stats_source;
    INSERT INTO sanctions.token_stats_source (names) VALUES (n_names);
    RETURN n_tokens;
END;
$$;
COMMENT ON FUNCTION sanctions.refresh_token_stats() IS
  'Recounts sanctions.token_stats from the names of the current entity states in sanctions.entity_name; returns the number of distinct tokens. Run after loading or updating lists.';
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

-- text on either side: the cast from text is an assignment cast, so a text
-- column needs these (C functions that normalize it like the cast).
CREATE FUNCTION sanctions.similarity_match(text, sanctions.normname) RETURNS boolean
    LANGUAGE C STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'sanctions_similarity_match_text';
COMMENT ON FUNCTION sanctions.similarity_match(text, sanctions.normname) IS
  'sanctions.similarity_match with the first name given as text (normalized like the cast).';
CREATE FUNCTION sanctions.similarity_match(sanctions.normname, text) RETURNS boolean
    LANGUAGE C STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'sanctions_similarity_match_text';
COMMENT ON FUNCTION sanctions.similarity_match(sanctions.normname, text) IS
  'sanctions.similarity_match with the second name given as text (normalized like the cast).';
CREATE FUNCTION sanctions.similarity_distance(text, sanctions.normname) RETURNS float4
    LANGUAGE C STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'sanctions_similarity_distance_text';
COMMENT ON FUNCTION sanctions.similarity_distance(text, sanctions.normname) IS
  'sanctions.similarity_distance with the first name given as text (normalized like the cast).';
CREATE FUNCTION sanctions.similarity_distance(sanctions.normname, text) RETURNS float4
    LANGUAGE C STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'sanctions_similarity_distance_text';
COMMENT ON FUNCTION sanctions.similarity_distance(sanctions.normname, text) IS
  'sanctions.similarity_distance with the second name given as text (normalized like the cast).';

CREATE OPERATOR sanctions.% (
    LEFTARG = text, RIGHTARG = sanctions.normname,
    FUNCTION = sanctions.similarity_match,
    COMMUTATOR = OPERATOR(sanctions.%),
    RESTRICT = pg_catalog.matchingsel, JOIN = pg_catalog.matchingjoinsel
);
COMMENT ON OPERATOR sanctions.% (text, sanctions.normname) IS
  'Names match (text normalized like the cast): sanctions.similarity >= sanctions.similarity_threshold.';
CREATE OPERATOR sanctions.% (
    LEFTARG = sanctions.normname, RIGHTARG = text,
    FUNCTION = sanctions.similarity_match,
    COMMUTATOR = OPERATOR(sanctions.%),
    RESTRICT = pg_catalog.matchingsel, JOIN = pg_catalog.matchingjoinsel
);
COMMENT ON OPERATOR sanctions.% (sanctions.normname, text) IS
  'Names match (text normalized like the cast): sanctions.similarity >= sanctions.similarity_threshold.';
CREATE OPERATOR sanctions.<-> (
    LEFTARG = text, RIGHTARG = sanctions.normname,
    FUNCTION = sanctions.similarity_distance,
    COMMUTATOR = OPERATOR(sanctions.<->)
);
COMMENT ON OPERATOR sanctions.<-> (text, sanctions.normname) IS
  'Name distance 1 - sanctions.similarity (text normalized like the cast).';
CREATE OPERATOR sanctions.<-> (
    LEFTARG = sanctions.normname, RIGHTARG = text,
    FUNCTION = sanctions.similarity_distance,
    COMMUTATOR = OPERATOR(sanctions.<->)
);
COMMENT ON OPERATOR sanctions.<-> (sanctions.normname, text) IS
  'Name distance 1 - sanctions.similarity (text normalized like the cast).';

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

/*
 * A list is stored as a chain of versions.  Each entity *state* is one row of
 * sanctions.entity with the version that introduced it (valid_from) and the
 * version that replaced or removed it (valid_to, NULL while current), so an
 * unchanged entity keeps its row across loads and any past version can be
 * queried as "valid_from <= v AND (valid_to IS NULL OR valid_to > v)".  The
 * attribute tables hang off entity_id and are never updated: a changed entity
 * gets a new row with a fresh set of attributes.
 *
 * Every loader parses its format into one intermediate form, an "entity
 * document" (jsonb: names, birth dates, places, countries, identifiers,
 * addresses, relations) per source id, staged in a temporary table; one shared
 * step (sanctions._apply_version) compares the documents' hashes with the
 * current states, records the difference and writes the new states.  All of a
 * load happens in one statement, so a bad file changes nothing.  The loading
 * functions turn JIT off: their one-off bulk statements have row estimates
 * far off (temporary tables, set-returning functions) and would pay seconds
 * of compilation for nothing.
 */

CREATE TABLE sanctions.list (
	list_id		bigserial PRIMARY KEY,
	code		text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_]*$'),
	title		text NOT NULL,
	publisher	text NOT NULL,
	format		text NOT NULL CHECK (format IN ('ofac_csv', 'un_xml', 'ftm'))
);
COMMENT ON TABLE sanctions.list IS 'One row per sanctions list (ofac_sdn, ofac_cons, un_sc, opensanctions, ...); created by the first load of the list.';

CREATE TABLE sanctions.list_version (
	version_id	bigserial PRIMARY KEY,
	list_id		bigint NOT NULL REFERENCES sanctions.list,
	published	date NOT NULL,
	loaded_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	loaded_by	name NOT NULL DEFAULT SESSION_USER,
	files		jsonb NOT NULL,
	counts		jsonb NOT NULL DEFAULT '{}',
	is_current	boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX list_version_one_current ON sanctions.list_version (list_id) WHERE is_current;
CREATE INDEX list_version_list ON sanctions.list_version (list_id, version_id);
COMMENT ON TABLE sanctions.list_version IS 'One row per load of a list: publication date, who loaded it when, the files (name, bytes, sha256, encoding) and counts; is_current marks the version screening uses.';

CREATE TABLE sanctions.entity (
	entity_id	bigserial PRIMARY KEY,
	list_id		bigint NOT NULL REFERENCES sanctions.list,
	source_id	text NOT NULL,
	kind		text NOT NULL CHECK (kind IN ('person', 'organization', 'vessel', 'aircraft', 'unknown')),
	caption		text NOT NULL,
	programs	text[] NOT NULL DEFAULT '{}',
	remarks		text,
	gender		text CHECK (gender IN ('male', 'female')),
	title		text,
	details		jsonb NOT NULL DEFAULT '{}',
	valid_from	bigint NOT NULL REFERENCES sanctions.list_version,
	valid_to	bigint REFERENCES sanctions.list_version,
	content_hash bytea NOT NULL
);
CREATE UNIQUE INDEX entity_one_current ON sanctions.entity (list_id, source_id) WHERE valid_to IS NULL;
CREATE INDEX entity_history ON sanctions.entity (list_id, source_id, valid_from);
COMMENT ON TABLE sanctions.entity IS 'One row per entity state: an unchanged entity keeps its row across versions; valid_from / valid_to are the version ids that introduced and replaced it (valid_to IS NULL = current).';
COMMENT ON COLUMN sanctions.entity.source_id IS 'The id of the entity in its list (OFAC ent_num, UN reference number, FollowTheMoney id).';
COMMENT ON COLUMN sanctions.entity.content_hash IS 'sha256 of the entity document the loader built; equal hashes mean an unchanged entity.';

CREATE TABLE sanctions.entity_name (
	name_id		bigserial PRIMARY KEY,
	entity_id	bigint NOT NULL REFERENCES sanctions.entity ON DELETE CASCADE,
	name		sanctions.normname,
	raw_name	text NOT NULL,
	name_kind	text NOT NULL CHECK (name_kind IN ('primary', 'alias', 'weak_alias', 'original_script', 'former_name')),
	weak		boolean NOT NULL DEFAULT false
);
CREATE INDEX entity_name_entity ON sanctions.entity_name (entity_id);
COMMENT ON TABLE sanctions.entity_name IS 'Names of an entity state: the normalized name (NULL when normalization rejects the raw name, counted in list_version.counts) and the name as published.';
COMMENT ON COLUMN sanctions.entity_name.weak IS 'True for the low-quality names a list marks as weak (OFAC a.k.a. in remarks, UN quality Low).';

CREATE TABLE sanctions.entity_birth_date (
	entity_id	bigint NOT NULL REFERENCES sanctions.entity ON DELETE CASCADE,
	date_from	date,
	date_to		date,
	date_precision text CHECK (date_precision IN ('exact', 'month', 'year', 'circa', 'range')),
	raw			text NOT NULL
);
CREATE INDEX entity_birth_date_entity ON sanctions.entity_birth_date (entity_id);
COMMENT ON TABLE sanctions.entity_birth_date IS 'Dates of birth (organizations: none) as the interval date_from .. date_to it allows, its precision, and the published text; NULL dates when the text is not a date.';

CREATE TABLE sanctions.entity_birth_place (
	entity_id	bigint NOT NULL REFERENCES sanctions.entity ON DELETE CASCADE,
	place		text NOT NULL,
	country		text
);
CREATE INDEX entity_birth_place_entity ON sanctions.entity_birth_place (entity_id);
COMMENT ON TABLE sanctions.entity_birth_place IS 'Places of birth as published (country separately when the list gives it).';

CREATE TABLE sanctions.entity_country (
	entity_id	bigint NOT NULL REFERENCES sanctions.entity ON DELETE CASCADE,
	country		text NOT NULL,
	relation	text NOT NULL CHECK (relation IN ('nationality', 'citizenship', 'flag', 'jurisdiction', 'country'))
);
CREATE INDEX entity_country_entity ON sanctions.entity_country (entity_id);
COMMENT ON TABLE sanctions.entity_country IS 'Countries of an entity: nationality, citizenship, vessel flag, jurisdiction of registration, or other country link.';

CREATE TABLE sanctions.entity_identifier (
	entity_id	bigint NOT NULL REFERENCES sanctions.entity ON DELETE CASCADE,
	id_type		text NOT NULL,
	label		text NOT NULL,
	value		text NOT NULL,
	country		text,
	issued		text,
	expires		text
);
CREATE INDEX entity_identifier_entity ON sanctions.entity_identifier (entity_id);
CREATE INDEX entity_identifier_value ON sanctions.entity_identifier (value);
COMMENT ON TABLE sanctions.entity_identifier IS 'Identifiers: id_type is the class (passport, national_id, tax_id, registration, uscc, lei, imo, mmsi, ...), label the document name as published.';

CREATE TABLE sanctions.entity_address (
	entity_id	bigint NOT NULL REFERENCES sanctions.entity ON DELETE CASCADE,
	street		text,
	city		text,
	region		text,
	postal_code	text,
	country		text,
	full_address text NOT NULL,
	remarks		text
);
CREATE INDEX entity_address_entity ON sanctions.entity_address (entity_id);
COMMENT ON TABLE sanctions.entity_address IS 'Addresses; full_address is the parts joined by ", " (OFAC gives city, state and postal code in one field, kept in city).';

CREATE TABLE sanctions.entity_relation (
	entity_id	bigint NOT NULL REFERENCES sanctions.entity ON DELETE CASCADE,
	relation	text NOT NULL,
	target_name	text NOT NULL,
	target_source_id text
);
CREATE INDEX entity_relation_entity ON sanctions.entity_relation (entity_id);
COMMENT ON TABLE sanctions.entity_relation IS 'Relations published with an entity (OFAC "Linked To:"); target_source_id is the source id of the entity of the same list version whose primary name is target_name, when exactly one is.';

CREATE TABLE sanctions.ownership (
	ownership_id bigserial PRIMARY KEY,
	list_id		bigint NOT NULL REFERENCES sanctions.list,
	owner_ref	text NOT NULL,
	owned_ref	text NOT NULL,
	share		numeric CHECK (share >= 0 AND share <= 100),
	source		text NOT NULL,
	start_date	date,
	end_date	date,
	owner_name	text,
	owned_name	text,
	valid_from	bigint NOT NULL REFERENCES sanctions.list_version,
	valid_to	bigint REFERENCES sanctions.list_version
);
CREATE INDEX ownership_current ON sanctions.ownership (list_id, owned_ref) WHERE valid_to IS NULL;
COMMENT ON TABLE sanctions.ownership IS 'Ownership edges published with a list: owner_ref owns share percent (NULL = unknown) of owned_ref; refs are the list''s source ids (same namespace as entity.source_id); source is the id of the ownership statement; versioned like entity.';

CREATE TABLE sanctions.list_version_diff (
	version_id	bigint NOT NULL REFERENCES sanctions.list_version,
	source_id	text NOT NULL,
	change		text NOT NULL CHECK (change IN ('added', 'removed', 'changed')),
	old_entity_id bigint REFERENCES sanctions.entity,
	new_entity_id bigint REFERENCES sanctions.entity,
	PRIMARY KEY (version_id, source_id)
);
COMMENT ON TABLE sanctions.list_version_diff IS 'What each version changed against the version before it: added, removed and changed entities, with the old and new entity state.';

CREATE TABLE sanctions.ofac_identifier_label (
	label		text PRIMARY KEY,
	id_type		text NOT NULL,
	builtin		boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE sanctions.ofac_identifier_label IS 'Remark labels that introduce an identifier in OFAC lists ("Passport", "Tax ID No.", ...) and their identifier class; add rows for new labels (builtin rows come with the extension).';

INSERT INTO sanctions.ofac_identifier_label (label, id_type, builtin)
SELECT l, t, true FROM (VALUES
	('Passport', 'passport'), ('Diplomatic Passport', 'passport'), ('Passport Booklet', 'passport'),
	('Passport Booklet:', 'passport'), ('Travel Document Number', 'passport'),
	('National ID No.', 'national_id'), ('Cedula No.', 'national_id'), ('C.U.R.P.', 'national_id'),
	('C.U.R.P. #', 'national_id'), ('D.N.I.', 'national_id'), ('Identification Number', 'national_id'),
	('Personal ID Card', 'national_id'), ('National Foreign ID Number', 'national_id'),
	('Turkish Identification Number', 'national_id'), ('Citizen''s Card Number', 'national_id'),
	('Numero de Identidad', 'national_id'), ('Tazkira National ID Card', 'national_id'),
	('Credencial electoral', 'national_id'), ('I.F.E.', 'national_id'), ('Electoral Registry No.', 'national_id'),
	('SSN', 'national_id'), ('Residency Number', 'national_id'), ('Birth Certificate Number', 'national_id'),
	('Refugee ID Card', 'national_id'), ('Cartilla de Servicio Militar Nacional', 'national_id'),
	('Kenyan ID No.', 'national_id'), ('Bosnian Personal ID No.', 'national_id'), ('C.I.P.', 'national_id'),
	('Driver''s License No.', 'drivers_license'), ('VisaNumberID', 'visa'),
	('Tax ID No.', 'tax_id'), ('R.F.C.', 'tax_id'), ('R.F.C. #', 'tax_id'), ('RFC', 'tax_id'), ('NIT #', 'tax_id'),
	('RUC #', 'tax_id'), ('RIF #', 'tax_id'), ('V.A.T. Number', 'tax_id'), ('C.U.I.T.', 'tax_id'), ('C.U.I.', 'tax_id'),
	('C.U.I.P.', 'tax_id'), ('US FEIN', 'tax_id'), ('RTN', 'tax_id'), ('C.I.F.', 'tax_id'),
	('Numero Unico de Identificacao Tributaria (NUIT)', 'tax_id'), ('Tax Identification Number', 'tax_id'),
	('Registration Number', 'registration'), ('Registration ID', 'registration'),
	('Business Registration Number', 'registration'), ('Commercial Registry Number', 'registration'),
	('Company Number', 'registration'), ('UK Company Number', 'registration'), ('Folio Mercantil No.', 'registration'),
	('Government Gazette Number', 'registration'), ('Economic Register Number (CBLS)', 'registration'),
	('C.R. No.', 'registration'), ('Matricula Mercantil No', 'registration'), ('Trade License No.', 'registration'),
	('Chamber of Commerce Number', 'registration'), ('Central Registration System Number', 'registration'),
	('Istanbul Chamber of Comm. No.', 'registration'), ('Business Number', 'registration'),
	('Business Registration Document #', 'registration'), ('Enterprise Number', 'registration'),
	('Public Registration Number', 'registration'), ('Certificate of Incorporation Number', 'registration'),
	('Dubai Chamber of Commerce Membership No.', 'registration'), ('Registered Charity No.', 'registration'),
	('Romanian C.R.', 'registration'), ('Organization Code', 'registration'), ('License', 'registration'),
	('Permit Number', 'registration'), ('Branch Unit Number', 'registration'), ('LE Number', 'registration'),
	('Unified Social Credit Code (USCC)', 'uscc'), ('United Social Credit Code Certificate (USCCC)', 'uscc'),
	('Legal Entity Number', 'lei'), ('SWIFT/BIC', 'swift_bic'), ('D-U-N-S Number', 'duns'),
	('Vessel Registration Identification IMO', 'imo'), ('Identification Number IMO', 'imo'),
	('Company Number IMO', 'imo'), ('MMSI', 'mmsi'),
	('Aircraft Manufacturer''s Serial Number (MSN)', 'aircraft_serial'), ('Aircraft Tail Number', 'aircraft_tail')
) AS v(l, t);

SELECT pg_catalog.pg_extension_config_dump('sanctions.list', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.list_list_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.list_version', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.list_version_version_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.entity', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.entity_entity_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.entity_name', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.entity_name_name_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.entity_birth_date', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.entity_birth_place', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.entity_country', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.entity_identifier', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.entity_address', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.entity_relation', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.ownership', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.ownership_ownership_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.list_version_diff', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.ofac_identifier_label', 'WHERE NOT builtin');

-------------------------------------------------------------------------------
-- Reading files: bytes -> text -> CSV records
-------------------------------------------------------------------------------

/*
 * File bytes as text: UTF-8 when the bytes are valid UTF-8, else Windows-1252
 * (the superset of Latin-1 OFAC's legacy files use), else Latin-1.  A UTF-8
 * byte order mark and DOS end-of-file bytes (0x1A) are dropped.
 */
CREATE FUNCTION sanctions._file_text(content bytea, file_name text, OUT txt text, OUT encoding text)
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF position('\x00'::bytea IN content) > 0 THEN
		RAISE EXCEPTION 'file "%" is not a text file', file_name
			USING ERRCODE = 'bad_copy_file_format',
				  DETAIL = format('Byte %s is a NUL byte.', position('\x00'::bytea IN content)),
				  HINT = 'Pass the file''s bytes unchanged, e.g. with pg_read_binary_file() or psql''s \lo_import.';
	END IF;
	BEGIN
		txt := convert_from(content, 'UTF8');
		encoding := 'UTF8';
	EXCEPTION WHEN character_not_in_repertoire OR untranslatable_character THEN
		BEGIN
			txt := convert_from(content, 'WIN1252');
			encoding := 'WIN1252';
		EXCEPTION WHEN character_not_in_repertoire OR untranslatable_character THEN
			txt := convert_from(content, 'LATIN1');
			encoding := 'LATIN1';
		END;
	END;
	txt := replace(txt, chr(26), '');
	IF left(txt, 1) = chr(65279) THEN
		txt := substr(txt, 2);
	END IF;
END;
$$;
COMMENT ON FUNCTION sanctions._file_text(bytea, text) IS 'Internal: decodes a list file (UTF-8, else Windows-1252, else Latin-1) and drops BOM and 0x1A bytes.';

/*
 * The records of a CSV file with exactly ncols fields: one row per non-blank
 * line (CRLF or LF), quoted fields unquoted verbatim, unquoted ones trimmed,
 * OFAC's "-0-" placeholder and blank fields as NULL.  fields is NULL for a line that
 * is not ncols well-formed fields (the caller reports it); found counts the
 * line's separators outside quotes + 1.  A header line whose first field is
 * not a number is the caller's business.
 */
CREATE FUNCTION sanctions._csv_records(txt text, ncols integer)
RETURNS TABLE (line_no integer, fields text[], found integer, line text)
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	WITH pattern AS (
		SELECT '^' || repeat('("(?:[^"]|"")*"|[^,"]*),', ncols - 1) || '("(?:[^"]|"")*"|[^,"]*)$' AS re
	), lines AS (
		SELECT l.n::integer AS n, rtrim(l.line, E'\r') AS line
		FROM string_to_table(txt, E'\n') WITH ORDINALITY AS l(line, n)
	)
	SELECT lines.n,
		   CASE WHEN m IS NOT NULL THEN
			   ARRAY(SELECT CASE WHEN btrim(v) IN ('', '-0-') THEN NULL ELSE v END
					 FROM (SELECT CASE WHEN f LIKE '"%' THEN replace(substr(f, 2, length(f) - 2), '""', '"')
									   ELSE btrim(f) END AS v,
								  o
						   FROM unnest(m) WITH ORDINALITY AS u(f, o)) AS x
					 ORDER BY o)
		   END,
		   CASE WHEN m IS NULL THEN
			   length(regexp_replace(lines.line, '"(?:[^"]|"")*"', '', 'g'))
			   - length(replace(regexp_replace(lines.line, '"(?:[^"]|"")*"', '', 'g'), ',', '')) + 1
		   END::integer,
		   lines.line
	FROM lines, pattern, LATERAL regexp_match(lines.line, pattern.re) AS m
	WHERE btrim(lines.line, E' \t') <> ''
$$;
COMMENT ON FUNCTION sanctions._csv_records(text, integer) IS 'Internal: splits CSV text into records of exactly ncols fields (NULL fields array for a malformed line).';

/*
 * Loads one CSV file into a temporary table pg_temp.<tab>(line_no, f text[]),
 * raising on the first malformed line, a header-less file's non-numeric id, or
 * a duplicate id in column id_col (when given).  Blank records (all fields
 * empty, e.g. a trailing ",,,,") are skipped; a first line whose first field
 * is the literal column name "ent_num" is a header and skipped.
 */
CREATE FUNCTION sanctions._csv_stage(content bytea, file_name text, tab text, ncols integer, unique_col integer)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	dec record;
	bad record;
	nrows bigint;
BEGIN
	dec := sanctions._file_text(content, file_name);
	IF to_regclass('pg_temp.' || tab) IS NOT NULL THEN
		EXECUTE format('DROP TABLE pg_temp.%I', tab);
	END IF;
	EXECUTE format('CREATE TEMP TABLE %I ON COMMIT DROP AS
		SELECT line_no, fields AS f, found, line FROM sanctions._csv_records($1, $2)', tab)
		USING dec.txt, ncols;
	EXECUTE format('DELETE FROM pg_temp.%I WHERE f IS NOT NULL
		AND (array_remove(f, NULL) = ''{}'' OR (line_no = 1 AND f[1] = ''ent_num''))', tab);
	EXECUTE format('SELECT line_no, found, line FROM pg_temp.%I WHERE f IS NULL ORDER BY line_no LIMIT 1', tab)
		INTO bad;
	IF bad.line_no IS NOT NULL THEN
		RAISE EXCEPTION 'malformed CSV record in file "%" line %', file_name, bad.line_no
			USING ERRCODE = 'bad_copy_file_format',
				  DETAIL = CASE WHEN (length(bad.line) - length(replace(bad.line, '"', ''))) % 2 = 1
							   THEN format('The line has an unterminated quoted field: %s', left(bad.line, 120))
							   ELSE format('Expected %s comma-separated fields, found %s: %s', ncols, bad.found, left(bad.line, 120)) END,
				  HINT = 'Check that the file is complete and is the right one of the list''s files.';
	END IF;
	EXECUTE format('SELECT line_no, line FROM pg_temp.%I WHERE f[1] IS NULL OR f[1] !~ ''^[0-9]+$'' ORDER BY line_no LIMIT 1', tab)
		INTO bad;
	IF bad.line_no IS NOT NULL THEN
		RAISE EXCEPTION 'invalid entry number in file "%" line %', file_name, bad.line_no
			USING ERRCODE = 'bad_copy_file_format',
				  DETAIL = format('The first field must be the entry number, got: %s', left(bad.line, 120));
	END IF;
	IF unique_col IS NOT NULL THEN
		EXECUTE format('SELECT min(line_no) AS first_line, max(line_no) AS line_no, f[%s] AS id
			FROM pg_temp.%I GROUP BY f[%s] HAVING count(*) > 1 ORDER BY 1 LIMIT 1', unique_col, tab, unique_col)
			INTO bad;
		IF bad.line_no IS NOT NULL THEN
			RAISE EXCEPTION 'duplicate id % in file "%" line %', bad.id, file_name, bad.line_no
				USING ERRCODE = 'unique_violation',
					  DETAIL = format('Line %s has the same id.', bad.first_line);
		END IF;
	END IF;
	EXECUTE format('SELECT count(*) FROM pg_temp.%I', tab) INTO nrows;
	RETURN jsonb_build_object('name', file_name, 'bytes', length(content),
							  'sha256', encode(sha256(content), 'hex'), 'encoding', dec.encoding,
							  'records', nrows);
END;
$$;
COMMENT ON FUNCTION sanctions._csv_stage(bytea, text, text, integer, integer) IS 'Internal: checks one CSV file and stages its records in a temporary table; returns the file''s description.';

-------------------------------------------------------------------------------
-- Dates of birth: published text -> interval and precision
-------------------------------------------------------------------------------

/*
 * One date as published: "10 Dec 1948", "Dec 1948", "1948" (OFAC) or
 * "1948-12-10", "1948-12" (ISO, UN and FollowTheMoney) -> the interval of days
 * it may stand for.  Not a date (or an impossible day) -> all NULL.
 */
CREATE FUNCTION sanctions._date_point(txt text, OUT date_from date, OUT date_to date, OUT date_precision text)
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	m text[];
	y integer;
	mo integer;
	d integer;
BEGIN
	txt := btrim(txt);
	IF txt ~ '^[0-9]{1,2} [A-Za-z]{3,9} [0-9]{4}$' THEN
		m := regexp_match(txt, '^([0-9]+) ([A-Za-z]+) ([0-9]+)$');
		d := m[1]::integer; y := m[3]::integer;
		mo := array_position(ARRAY['jan','feb','mar','apr','may','jun','jul','aug','sep','oct','nov','dec'], lower(left(m[2], 3)));
	ELSIF txt ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
		y := substr(txt, 1, 4)::integer; mo := substr(txt, 6, 2)::integer; d := substr(txt, 9, 2)::integer;
	ELSIF txt ~ '^[A-Za-z]{3,9} [0-9]{4}$' THEN
		m := regexp_match(txt, '^([A-Za-z]+) ([0-9]+)$');
		y := m[2]::integer;
		mo := array_position(ARRAY['jan','feb','mar','apr','may','jun','jul','aug','sep','oct','nov','dec'], lower(left(m[1], 3)));
	ELSIF txt ~ '^[0-9]{4}-[0-9]{2}$' THEN
		y := substr(txt, 1, 4)::integer; mo := substr(txt, 6, 2)::integer;
	ELSIF txt ~ '^[0-9]{4}$' THEN
		y := txt::integer;
	ELSE
		RETURN;
	END IF;
	IF y < 1 OR (mo IS NULL AND (d IS NOT NULL OR txt ~ '[A-Za-z]|-')) OR mo NOT BETWEEN 1 AND 12 THEN
		RETURN;
	END IF;
	IF d IS NOT NULL THEN
		IF d < 1 OR make_date(y, mo, 1) + d - 1 >= (make_date(y, mo, 1) + interval '1 month')::date THEN
			RETURN;
		END IF;
		date_from := make_date(y, mo, d); date_to := date_from; date_precision := 'exact';
	ELSIF mo IS NOT NULL THEN
		date_from := make_date(y, mo, 1); date_to := (date_from + interval '1 month')::date - 1; date_precision := 'month';
	ELSE
		date_from := make_date(y, 1, 1); date_to := make_date(y, 12, 31); date_precision := 'year';
	END IF;
END;
$$;
COMMENT ON FUNCTION sanctions._date_point(text) IS 'Internal: one published date (DD Mon YYYY, Mon YYYY, YYYY, YYYY-MM-DD, YYYY-MM) as the interval it stands for.';

/*
 * A published date of birth: a date, "circa <date>", "<date> to <date>" or
 * "YYYY-YYYY" -> interval and precision (exact, month, year, circa, range).
 * A circa date keeps the interval of the date it qualifies; screening decides
 * how far to widen it.
 */
CREATE FUNCTION sanctions._date_interval(txt text, OUT date_from date, OUT date_to date, OUT date_precision text)
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	body text := regexp_replace(btrim(txt), '^(circa|approximately|approx\.|about)\s+', '', 'i');
	circa boolean := btrim(txt) ~* '^(circa|approximately|approx\.|about)\s';
	parts text[];
	a record;
	b record;
BEGIN
	parts := regexp_match(body, '^(.+?)\s+to\s+(.+)$');
	IF parts IS NULL THEN
		parts := regexp_match(body, '^([0-9]{4})\s*-\s*([0-9]{4})$');
	END IF;
	IF parts IS NOT NULL THEN
		a := sanctions._date_point(parts[1]);
		b := sanctions._date_point(parts[2]);
		IF a.date_from IS NOT NULL AND b.date_to IS NOT NULL AND a.date_from <= b.date_to THEN
			date_from := a.date_from; date_to := b.date_to; date_precision := 'range';
		END IF;
		RETURN;
	END IF;
	a := sanctions._date_point(body);
	IF a.date_from IS NOT NULL THEN
		date_from := a.date_from; date_to := a.date_to;
		date_precision := CASE WHEN circa THEN 'circa' ELSE a.date_precision END;
	END IF;
END;
$$;
COMMENT ON FUNCTION sanctions._date_interval(text) IS 'Internal: a published date of birth (date, circa date, range) as interval and precision.';

-------------------------------------------------------------------------------
-- Staging: every loader fills pg_temp.sanctions_doc and pg_temp.sanctions_edge
-------------------------------------------------------------------------------

/*
 * Creates (empty) the two staging tables of a load:
 *   sanctions_doc(source_id, doc): one entity document per source id;
 *	   doc keys: kind, caption,
 *	   programs, remarks, gender, title, details, names [{raw, kind, weak}],
 *	   birth_dates [{raw, from, to, precision}], birth_places [{place,
 *	   country}], countries [{country, relation}], identifiers [{type, label,
 *	   value, country, issued, expires}], addresses [{street, city, region,
 *	   postal_code, country, remarks}], relations [{relation, target_name,
 *	   target_source_id}].
 *   sanctions_edge: the ownership edges of the new version.
 */
CREATE FUNCTION sanctions._stage_reset()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF to_regclass('pg_temp.sanctions_doc') IS NOT NULL THEN
		DROP TABLE pg_temp.sanctions_doc;
	END IF;
	IF to_regclass('pg_temp.sanctions_edge') IS NOT NULL THEN
		DROP TABLE pg_temp.sanctions_edge;
	END IF;
	CREATE TEMP TABLE sanctions_doc (source_id text PRIMARY KEY, doc jsonb NOT NULL) ON COMMIT DROP;
	CREATE TEMP TABLE sanctions_edge (owner_ref text NOT NULL, owned_ref text NOT NULL, share numeric,
		source text NOT NULL, start_date date, end_date date, owner_name text, owned_name text) ON COMMIT DROP;
END;
$$;
COMMENT ON FUNCTION sanctions._stage_reset() IS 'Internal: creates the empty staging tables of one load.';

/*
 * The remarks of OFAC's legacy CSV are "; "-separated statements; those that
 * carry data are turned into attributes, the remarks text is kept whole:
 *   [alt. ]DOB <date>            birth date (see _date_interval)
 *   [alt. ]POB <place>           birth place
 *   [alt. ]nationality|citizen <country>
 *   Gender Male|Female
 *   Organization Established Date <date>   details.established
 *   a.k.a.|n.k.a. '<name>'       weak alias (OFAC lists its weak aliases in the
 *                                remarks; strong ones are in alt.csv); a name
 *                                without its closing quote was cut by the
 *                                field limit and is left out
 *   f.k.a. '<name>'              former name, weak
 *   Linked To: <name>            relation (to the entry of the file with that
 *                                primary name, ignoring case and a final
 *                                period, which the remarks' own period hides)
 *   [alt. ]<label> <value> [(<country>)] [issued <date>] [expires <date>]
 *                                identifier, for every label of
 *                                sanctions.ofac_identifier_label
 * Remarks cut at OFAC's 1000-character field limit go on in sdn_comments.csv
 * (same entry number) and are joined before parsing.
 */
CREATE FUNCTION sanctions._stage_ofac(p_main bytea, p_alt bytea, p_add bytea, p_comments bytea,
									  p_names text[], p_ignore_orphans boolean)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	files jsonb := '[]';
	label_words integer;
	bad record;
	orphans bigint := 0;
	n bigint;
BEGIN
	PERFORM sanctions._stage_reset();
	files := files || sanctions._csv_stage(p_main, p_names[1], 'sanctions_ofac_main', 12, 1);
	IF p_alt IS NOT NULL THEN
		files := files || sanctions._csv_stage(p_alt, p_names[2], 'sanctions_ofac_alt', 5, NULL);
	ELSE
		CREATE TEMP TABLE sanctions_ofac_alt ON COMMIT DROP AS SELECT * FROM pg_temp.sanctions_ofac_main LIMIT 0;
	END IF;
	IF p_add IS NOT NULL THEN
		files := files || sanctions._csv_stage(p_add, p_names[3], 'sanctions_ofac_add', 6, NULL);
	ELSE
		CREATE TEMP TABLE sanctions_ofac_add ON COMMIT DROP AS SELECT * FROM pg_temp.sanctions_ofac_main LIMIT 0;
	END IF;
	IF p_comments IS NOT NULL THEN
		files := files || sanctions._csv_stage(p_comments, p_names[4], 'sanctions_ofac_comments', 2, NULL);
	ELSE
		CREATE TEMP TABLE sanctions_ofac_comments ON COMMIT DROP AS SELECT * FROM pg_temp.sanctions_ofac_main LIMIT 0;
	END IF;

	/* rows of the other files must belong to an entry of the main file */
	FOR bad IN
		SELECT x.file_name, x.line_no, x.id
		FROM (SELECT p_names[2] AS file_name, a.line_no, a.f[1] AS id, 2 AS k FROM pg_temp.sanctions_ofac_alt a
			  UNION ALL SELECT p_names[3], a.line_no, a.f[1], 3 FROM pg_temp.sanctions_ofac_add a
			  UNION ALL SELECT p_names[4], a.line_no, a.f[1], 4 FROM pg_temp.sanctions_ofac_comments a) AS x
		WHERE NOT EXISTS (SELECT FROM pg_temp.sanctions_ofac_main m WHERE m.f[1] = x.id)
		ORDER BY x.k, x.line_no
	LOOP
		IF NOT p_ignore_orphans THEN
			RAISE EXCEPTION 'entry % in file "%" line % is not in file "%"', bad.id, bad.file_name, bad.line_no, p_names[1]
				USING ERRCODE = 'foreign_key_violation',
					  DETAIL = 'Every row of the alias, address and comment files must belong to an entry of the main file.',
					  HINT = 'Load files published on the same day, or pass ignore_orphans => true to skip such rows.';
		END IF;
		orphans := orphans + 1;
	END LOOP;

	CREATE TEMP TABLE sanctions_ofac_entry ON COMMIT DROP AS
	SELECT m.f[1] AS source_id, m.line_no,
		   btrim(m.f[2]) AS name,
		   CASE lower(btrim(m.f[3])) WHEN 'individual' THEN 'person' WHEN 'vessel' THEN 'vessel'
				WHEN 'aircraft' THEN 'aircraft' WHEN 'entity' THEN 'organization'
				ELSE CASE WHEN m.f[3] IS NULL THEN 'organization' ELSE 'unknown' END END AS kind,
		   coalesce(ARRAY(SELECT btrim(p) FROM regexp_split_to_table(btrim(m.f[4], '[] '), '\]\s*\[') AS p
						  WHERE btrim(p) <> '' ORDER BY 1), '{}') AS programs,
		   btrim(m.f[5]) AS title,
		   jsonb_strip_nulls(jsonb_build_object('call_sign', btrim(m.f[6]), 'vessel_type', btrim(m.f[7]),
				'tonnage', btrim(m.f[8]), 'gross_registered_tonnage', btrim(m.f[9]),
				'flag', btrim(m.f[10]), 'owner', btrim(m.f[11]))) AS details,
		   btrim(coalesce(m.f[12], '') || coalesce(c.more, '')) AS remarks,
		   btrim(m.f[10]) AS flag
	FROM pg_temp.sanctions_ofac_main m
		 LEFT JOIN (SELECT f[1] AS id, string_agg(f[2], '' ORDER BY line_no) AS more
					FROM pg_temp.sanctions_ofac_comments GROUP BY f[1]) AS c ON c.id = m.f[1];
	SELECT line_no INTO n FROM pg_temp.sanctions_ofac_entry WHERE name IS NULL ORDER BY line_no LIMIT 1;
	IF n IS NOT NULL THEN
		RAISE EXCEPTION 'entry without a name in file "%" line %', p_names[1], n
			USING ERRCODE = 'bad_copy_file_format';
	END IF;

	CREATE TEMP TABLE sanctions_ofac_seg ON COMMIT DROP AS
	SELECT e.source_id, s.ord, s.seg,
		   regexp_replace(s.seg, '^alt\.\s+', '') AS body
	FROM pg_temp.sanctions_ofac_entry e,
		 regexp_split_to_table(regexp_replace(e.remarks, '\.\s*$', ''), ';\s+') WITH ORDINALITY AS s(seg, ord)
	WHERE e.remarks <> '';

	SELECT coalesce(max(cardinality(string_to_array(label, ' '))), 0) INTO label_words FROM sanctions.ofac_identifier_label;

	INSERT INTO pg_temp.sanctions_doc (source_id, doc)
	WITH names AS (
		SELECT source_id, jsonb_agg(DISTINCT x ORDER BY x) AS a FROM (
			SELECT e.source_id, jsonb_build_object('raw', e.name, 'kind', 'primary', 'weak', false) AS x
			FROM pg_temp.sanctions_ofac_entry e
			UNION ALL
			SELECT a.f[1], jsonb_build_object('raw', btrim(a.f[4]),
				'kind', CASE WHEN lower(a.f[3]) LIKE '%weak%' THEN 'weak_alias'
							 WHEN lower(a.f[3]) LIKE 'fka%' THEN 'former_name' ELSE 'alias' END,
				'weak', lower(a.f[3]) LIKE '%weak%')
			FROM pg_temp.sanctions_ofac_alt a WHERE a.f[4] IS NOT NULL
			UNION ALL
			SELECT s.source_id, jsonb_build_object(
				'raw', regexp_replace(regexp_replace(s.body, '^[afn]\.k\.a\.\s+', ''), '^''|''$', '', 'g'),
				'kind', CASE WHEN s.body LIKE 'f%' THEN 'former_name' ELSE 'weak_alias' END,
				'weak', true)
			FROM pg_temp.sanctions_ofac_seg s
			WHERE s.body ~ '^[afn]\.k\.a\.\s+''.+''$' AND s.seg = s.body
		) AS u WHERE x->>'raw' <> '' GROUP BY source_id
	), dobs AS (
		SELECT s.source_id, jsonb_agg(DISTINCT jsonb_build_object('raw', r.raw, 'from', d.date_from, 'to', d.date_to,
								'precision', d.date_precision) ORDER BY jsonb_build_object('raw', r.raw, 'from', d.date_from,
								'to', d.date_to, 'precision', d.date_precision)) AS a
		FROM pg_temp.sanctions_ofac_seg s,
			 LATERAL (SELECT btrim(substr(s.body, 5)) AS raw) AS r,
			 LATERAL sanctions._date_interval(r.raw) AS d
		WHERE s.body ~ '^DOB\s' GROUP BY s.source_id
	), pobs AS (
		SELECT s.source_id, jsonb_agg(DISTINCT jsonb_build_object('place', btrim(substr(s.body, 5)))
									  ORDER BY jsonb_build_object('place', btrim(substr(s.body, 5)))) AS a
		FROM pg_temp.sanctions_ofac_seg s WHERE s.body ~ '^POB\s+\S' GROUP BY s.source_id
	), countries AS (
		SELECT source_id, jsonb_agg(DISTINCT x ORDER BY x) AS a FROM (
			SELECT s.source_id, jsonb_build_object('country', btrim(m[2]),
					'relation', CASE m[1] WHEN 'citizen' THEN 'citizenship' ELSE 'nationality' END) AS x
			FROM pg_temp.sanctions_ofac_seg s, regexp_match(s.body, '^(nationality|citizen)\s+(.+)$') AS m
			WHERE m IS NOT NULL
			UNION ALL
			SELECT e.source_id, jsonb_build_object('country', e.flag, 'relation', 'flag')
			FROM pg_temp.sanctions_ofac_entry e WHERE e.flag IS NOT NULL
		) AS u GROUP BY source_id
	), genders AS (
		SELECT DISTINCT ON (s.source_id) s.source_id, lower(m[1]) AS gender
		FROM pg_temp.sanctions_ofac_seg s, regexp_match(s.body, '^Gender\s+(Male|Female)$', 'i') AS m
		WHERE m IS NOT NULL
		ORDER BY s.source_id, s.ord
	), labelled AS (
		SELECT DISTINCT ON (s.source_id, s.ord) s.source_id, l.label, l.id_type,
			   btrim(substr(s.body, length(l.label) + 1)) AS v1
		FROM pg_temp.sanctions_ofac_seg s
			 CROSS JOIN LATERAL (SELECT string_to_array(s.body, ' ') AS w) AS a
			 CROSS JOIN LATERAL generate_series(1, least(cardinality(a.w) - 1, label_words)) AS k
			 JOIN sanctions.ofac_identifier_label l ON l.label = array_to_string(a.w[1:k], ' ')
		WHERE split_part(s.body, ' ', 1) IN (SELECT split_part(label, ' ', 1) FROM sanctions.ofac_identifier_label)
		ORDER BY s.source_id, s.ord, k DESC
	), established AS (
		SELECT DISTINCT ON (s.source_id) s.source_id, btrim(substr(s.body, 30)) AS raw
		FROM pg_temp.sanctions_ofac_seg s WHERE s.body ~ '^Organization Established Date\s+\S'
		ORDER BY s.source_id, s.ord
	), idents AS (
		SELECT source_id, jsonb_agg(DISTINCT x ORDER BY x) AS a FROM (
			SELECT b.source_id, jsonb_strip_nulls(jsonb_build_object('type', b.id_type, 'label', b.label,
					'value', regexp_replace(v3, '\s+\(([^()]*)\)$', ''),
					'country', substring(v3 FROM '\s+\(([^()]*)\)$'),
					'issued', substring(v2 FROM '\s+issued\s+(.*)$'),
					'expires', substring(b.v1 FROM '\s+expires\s+(.*)$'))) AS x
			FROM labelled b
				 CROSS JOIN LATERAL (SELECT regexp_replace(b.v1, '\s+expires\s+.*$', '') AS v2) AS a2
				 CROSS JOIN LATERAL (SELECT regexp_replace(v2, '\s+issued\s+.*$', '') AS v3) AS a3
		) AS u WHERE x ? 'value' AND x->>'value' <> '' GROUP BY source_id
	), addrs AS (
		SELECT a.f[1] AS source_id, jsonb_agg(DISTINCT x ORDER BY x) AS a
		FROM pg_temp.sanctions_ofac_add a,
			 LATERAL (SELECT jsonb_strip_nulls(jsonb_build_object('street', btrim(a.f[3]), 'city', btrim(a.f[4]),
						'country', btrim(a.f[5]), 'remarks', btrim(a.f[6])))) AS j(x)
		WHERE x <> '{}' GROUP BY a.f[1]
	), link_targets AS (
		SELECT lower(rtrim(e.name, '.')) AS k, CASE WHEN count(*) = 1 THEN min(e.source_id) END AS target,
			   CASE WHEN count(*) = 1 THEN min(e.name) END AS target_name
		FROM pg_temp.sanctions_ofac_entry e GROUP BY 1
	), links AS (
		SELECT l.source_id, jsonb_agg(DISTINCT l.x ORDER BY l.x) AS a
		FROM (SELECT s.source_id, jsonb_strip_nulls(jsonb_build_object('relation', 'linked_to',
						'target_name', coalesce(t.target_name, ln.name), 'target_source_id', t.target)) AS x
			  FROM pg_temp.sanctions_ofac_seg s
				   CROSS JOIN LATERAL (SELECT btrim(substr(s.body, 11)) AS name) AS ln
				   LEFT JOIN link_targets t ON t.k = lower(rtrim(ln.name, '.'))
			  WHERE s.body ~ '^Linked To:\s*\S') AS l
		GROUP BY l.source_id
	)
	SELECT e.source_id,
		   jsonb_build_object(
			'kind', e.kind, 'caption', e.name, 'programs', to_jsonb(e.programs),
			'remarks', nullif(e.remarks, ''), 'gender', g.gender, 'title', e.title,
			'details', e.details || jsonb_strip_nulls(jsonb_build_object('established', est.raw)),
			'names', names.a, 'birth_dates', coalesce(dobs.a, '[]'), 'birth_places', coalesce(pobs.a, '[]'),
			'countries', coalesce(countries.a, '[]'), 'identifiers', coalesce(idents.a, '[]'),
			'addresses', coalesce(addrs.a, '[]'), 'relations', coalesce(links.a, '[]'))
	FROM pg_temp.sanctions_ofac_entry e
		 JOIN names USING (source_id)
		 LEFT JOIN dobs USING (source_id) LEFT JOIN pobs USING (source_id)
		 LEFT JOIN countries USING (source_id) LEFT JOIN genders g USING (source_id)
		 LEFT JOIN established est USING (source_id)
		 LEFT JOIN idents USING (source_id) LEFT JOIN addrs USING (source_id)
		 LEFT JOIN links USING (source_id);

	DROP TABLE pg_temp.sanctions_ofac_main, pg_temp.sanctions_ofac_alt, pg_temp.sanctions_ofac_add,
		pg_temp.sanctions_ofac_comments, pg_temp.sanctions_ofac_entry, pg_temp.sanctions_ofac_seg;
	RETURN jsonb_build_object('files', files, 'orphan_rows_skipped', orphans);
END;
$$;
COMMENT ON FUNCTION sanctions._stage_ofac(bytea, bytea, bytea, bytea, text[], boolean) IS 'Internal: parses an OFAC legacy CSV set (main, alias, address, comment files) into entity documents.';

/*
 * The UN Security Council consolidated list (XML): INDIVIDUAL and ENTITY
 * elements; source id = REFERENCE_NUMBER.  Alias QUALITY Good / a.k.a. ->
 * alias, Low -> weak alias, f.k.a. -> former name; NAME_ORIGINAL_SCRIPT ->
 * original script; dates of birth from DATE / YEAR / FROM_YEAR-TO_YEAR with
 * TYPE_OF_DATE APPROXIMATELY as circa.  Returns the file description and the
 * list's generation date.
 */
CREATE FUNCTION sanctions._stage_un(p_xml bytea, p_name text)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	dec record;
	doc xml;
	detail text;
	root text;
	generated text;
	bad record;
BEGIN
	PERFORM sanctions._stage_reset();
	dec := sanctions._file_text(p_xml, p_name);
	BEGIN
		doc := XMLPARSE(DOCUMENT dec.txt);
	EXCEPTION WHEN invalid_xml_document OR invalid_xml_content OR invalid_xml_processing_instruction THEN
		GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
		RAISE EXCEPTION 'malformed XML in file "%"', p_name
			USING ERRCODE = 'invalid_xml_document',
				  DETAIL = coalesce(nullif(btrim(detail), ''), 'The XML parser rejected the file.'),
				  HINT = 'Check that the file is complete.';
	END;
	root := (xpath('name(/*)', doc))[1]::text;
	IF root IS DISTINCT FROM 'CONSOLIDATED_LIST' THEN
		RAISE EXCEPTION 'file "%" is not a UN consolidated list', p_name
			USING ERRCODE = 'bad_copy_file_format',
				  DETAIL = format('The root element is %s, expected CONSOLIDATED_LIST.', root);
	END IF;
	generated := (xpath('/CONSOLIDATED_LIST/@dateGenerated', doc))[1]::text;

	CREATE TEMP TABLE sanctions_un_entry ON COMMIT DROP AS
	SELECT x.*, btrim(regexp_replace(concat_ws(' ', x.first_name, x.second_name, x.third_name, x.fourth_name),
									 '\s+', ' ', 'g')) AS name
	FROM XMLTABLE('/CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL | /CONSOLIDATED_LIST/ENTITIES/ENTITY' PASSING doc
		COLUMNS ord FOR ORDINALITY,
				element text PATH 'name()',
				ref text PATH 'normalize-space(REFERENCE_NUMBER)',
				dataid text PATH 'normalize-space(DATAID)',
				first_name text PATH 'FIRST_NAME', second_name text PATH 'SECOND_NAME',
				third_name text PATH 'THIRD_NAME', fourth_name text PATH 'FOURTH_NAME',
				original text PATH 'normalize-space(NAME_ORIGINAL_SCRIPT)',
				program text PATH 'normalize-space(UN_LIST_TYPE)',
				listed_on text PATH 'normalize-space(LISTED_ON)',
				comments text PATH 'COMMENTS1',
				gender text PATH 'normalize-space(GENDER)') AS x;

	SELECT ord, element, dataid INTO bad FROM pg_temp.sanctions_un_entry
	WHERE coalesce(ref, '') = '' OR name = '' ORDER BY ord LIMIT 1;
	IF bad.ord IS NOT NULL THEN
		RAISE EXCEPTION 'element % number % in file "%" has no %', bad.element, bad.ord, p_name,
			CASE WHEN (SELECT coalesce(ref, '') FROM pg_temp.sanctions_un_entry WHERE ord = bad.ord) = ''
				 THEN 'REFERENCE_NUMBER' ELSE 'name' END
			USING ERRCODE = 'bad_copy_file_format', DETAIL = format('DATAID is "%s".', bad.dataid);
	END IF;
	SELECT min(ord) AS first_ord, max(ord) AS ord, ref INTO bad FROM pg_temp.sanctions_un_entry
	GROUP BY ref HAVING count(*) > 1 ORDER BY 1 LIMIT 1;
	IF bad.ord IS NOT NULL THEN
		RAISE EXCEPTION 'duplicate REFERENCE_NUMBER % in file "%" (elements % and %)', bad.ref, p_name, bad.first_ord, bad.ord
			USING ERRCODE = 'unique_violation';
	END IF;

	INSERT INTO pg_temp.sanctions_doc (source_id, doc)
	WITH base AS (
		SELECT * FROM XMLTABLE('/CONSOLIDATED_LIST/*/*/*' PASSING doc
			COLUMNS ref text PATH 'normalize-space(../REFERENCE_NUMBER)',
					tag text PATH 'name()',
					node xml PATH '.') AS c
		WHERE c.tag IN ('INDIVIDUAL_ALIAS', 'ENTITY_ALIAS', 'INDIVIDUAL_DATE_OF_BIRTH', 'INDIVIDUAL_PLACE_OF_BIRTH',
						'INDIVIDUAL_DOCUMENT', 'INDIVIDUAL_ADDRESS', 'ENTITY_ADDRESS', 'NATIONALITY', 'TITLE', 'DESIGNATION')
	), names AS (
		SELECT ref, jsonb_agg(DISTINCT x ORDER BY x) AS a FROM (
			SELECT e.ref, jsonb_build_object('raw', e.name, 'kind', 'primary', 'weak', false) AS x
			FROM pg_temp.sanctions_un_entry e
			UNION ALL
			SELECT e.ref, jsonb_build_object('raw', e.original, 'kind', 'original_script', 'weak', false)
			FROM pg_temp.sanctions_un_entry e WHERE e.original <> ''
			UNION ALL
			SELECT b.ref, jsonb_build_object('raw', a.name,
				'kind', CASE lower(a.quality) WHEN 'low' THEN 'weak_alias' WHEN 'f.k.a.' THEN 'former_name' ELSE 'alias' END,
				'weak', lower(a.quality) = 'low')
			FROM base b, XMLTABLE('/*' PASSING b.node COLUMNS quality text PATH 'normalize-space(QUALITY)',
								  name text PATH 'normalize-space(ALIAS_NAME)') AS a
			WHERE b.tag LIKE '%ALIAS' AND a.name <> ''
		) AS u GROUP BY ref
	), dobs AS (
		SELECT b.ref, jsonb_agg(DISTINCT jsonb_build_object('raw', r.raw, 'from', d.date_from, 'to', d.date_to,
				'precision', d.date_precision) ORDER BY jsonb_build_object('raw', r.raw, 'from', d.date_from,
				'to', d.date_to, 'precision', d.date_precision)) AS a
		FROM base b,
			 XMLTABLE('/*' PASSING b.node COLUMNS typ text PATH 'normalize-space(TYPE_OF_DATE)',
					  dt text PATH 'normalize-space(DATE)', yr text PATH 'normalize-space(YEAR)',
					  fy text PATH 'normalize-space(FROM_YEAR)', ty text PATH 'normalize-space(TO_YEAR)') AS x,
			 LATERAL (SELECT CASE WHEN x.typ = 'APPROXIMATELY' THEN 'circa ' ELSE '' END
							 || coalesce(nullif(x.dt, ''), nullif(x.yr, ''),
										 CASE WHEN x.fy <> '' AND x.ty <> '' THEN x.fy || ' to ' || x.ty END) AS raw) AS r,
			 LATERAL sanctions._date_interval(r.raw) AS d
		WHERE b.tag = 'INDIVIDUAL_DATE_OF_BIRTH' AND r.raw IS NOT NULL
		GROUP BY b.ref
	), pobs AS (
		SELECT b.ref, jsonb_agg(DISTINCT x ORDER BY x) AS a
		FROM base b,
			 XMLTABLE('/*' PASSING b.node COLUMNS city text PATH 'normalize-space(CITY)',
					  state text PATH 'normalize-space(STATE_PROVINCE)', country text PATH 'normalize-space(COUNTRY)') AS p,
			 LATERAL (SELECT jsonb_strip_nulls(jsonb_build_object('place',
						nullif(concat_ws(', ', nullif(p.city, ''), nullif(p.state, ''), nullif(p.country, '')), ''),
						'country', nullif(p.country, '')))) AS j(x)
		WHERE b.tag = 'INDIVIDUAL_PLACE_OF_BIRTH' AND x ? 'place'
		GROUP BY b.ref
	), countries AS (
		SELECT b.ref, jsonb_agg(DISTINCT jsonb_build_object('country', v.value, 'relation', 'nationality')
								ORDER BY jsonb_build_object('country', v.value, 'relation', 'nationality')) AS a
		FROM base b, XMLTABLE('/*/VALUE' PASSING b.node COLUMNS value text PATH 'normalize-space(.)') AS v
		WHERE b.tag = 'NATIONALITY' AND v.value <> ''
		GROUP BY b.ref
	), texts AS (
		SELECT b.ref, b.tag, string_agg(DISTINCT v.value, '; ' ORDER BY v.value) AS t,
			   jsonb_agg(DISTINCT v.value ORDER BY v.value) AS a
		FROM base b, XMLTABLE('/*/VALUE' PASSING b.node COLUMNS value text PATH 'normalize-space(.)') AS v
		WHERE b.tag IN ('TITLE', 'DESIGNATION') AND v.value <> ''
		GROUP BY b.ref, b.tag
	), idents AS (
		SELECT b.ref, jsonb_agg(DISTINCT x ORDER BY x) AS a
		FROM base b,
			 XMLTABLE('/*' PASSING b.node COLUMNS typ text PATH 'normalize-space(TYPE_OF_DOCUMENT)',
					  typ2 text PATH 'normalize-space(TYPE_OF_DOCUMENT2)', num text PATH 'normalize-space(NUMBER)',
					  ic text PATH 'normalize-space(ISSUING_COUNTRY)', ci text PATH 'normalize-space(COUNTRY_OF_ISSUE)',
					  issued text PATH 'normalize-space(DATE_OF_ISSUE)') AS d,
			 LATERAL (SELECT jsonb_strip_nulls(jsonb_build_object(
						'type', sanctions._identifier_class(concat_ws(' ', d.typ, d.typ2)),
						'label', coalesce(nullif(concat_ws(' ', nullif(d.typ, ''), nullif(d.typ2, '')), ''), 'document'),
						'value', d.num, 'country', coalesce(nullif(d.ic, ''), nullif(d.ci, '')),
						'issued', nullif(d.issued, '')))) AS j(x)
		WHERE b.tag = 'INDIVIDUAL_DOCUMENT' AND d.num <> ''
		GROUP BY b.ref
	), addrs AS (
		SELECT b.ref, jsonb_agg(DISTINCT x ORDER BY x) AS a
		FROM base b,
			 XMLTABLE('/*' PASSING b.node COLUMNS street text PATH 'normalize-space(STREET)',
					  city text PATH 'normalize-space(CITY)', state text PATH 'normalize-space(STATE_PROVINCE)',
					  zip text PATH 'normalize-space(ZIP_CODE)', country text PATH 'normalize-space(COUNTRY)',
					  note text PATH 'normalize-space(NOTE)') AS d,
			 LATERAL (SELECT jsonb_strip_nulls(jsonb_build_object('street', nullif(d.street, ''), 'city', nullif(d.city, ''),
						'region', nullif(d.state, ''), 'postal_code', nullif(d.zip, ''),
						'country', nullif(d.country, ''), 'remarks', nullif(d.note, '')))) AS j(x)
		WHERE b.tag IN ('INDIVIDUAL_ADDRESS', 'ENTITY_ADDRESS') AND x - 'remarks' <> '{}'
		GROUP BY b.ref
	)
	SELECT e.ref,
		   jsonb_build_object(
			'kind', CASE e.element WHEN 'INDIVIDUAL' THEN 'person' ELSE 'organization' END,
			'caption', e.name,
			'programs', CASE WHEN e.program <> '' THEN jsonb_build_array(e.program) ELSE '[]' END,
			'remarks', nullif(btrim(e.comments, E' \t\r\n'), ''),
			'gender', CASE lower(e.gender) WHEN 'male' THEN 'male' WHEN 'female' THEN 'female' END,
			'title', ti.t,
			'details', jsonb_strip_nulls(jsonb_build_object('dataid', nullif(e.dataid, ''),
						'listed_on', nullif(e.listed_on, ''), 'designation', de.a)),
			'names', names.a, 'birth_dates', coalesce(dobs.a, '[]'), 'birth_places', coalesce(pobs.a, '[]'),
			'countries', coalesce(countries.a, '[]'), 'identifiers', coalesce(idents.a, '[]'),
			'addresses', coalesce(addrs.a, '[]'), 'relations', '[]'::jsonb)
	FROM pg_temp.sanctions_un_entry e
		 JOIN names ON names.ref = e.ref
		 LEFT JOIN dobs ON dobs.ref = e.ref LEFT JOIN pobs ON pobs.ref = e.ref
		 LEFT JOIN countries ON countries.ref = e.ref
		 LEFT JOIN texts ti ON ti.ref = e.ref AND ti.tag = 'TITLE'
		 LEFT JOIN texts de ON de.ref = e.ref AND de.tag = 'DESIGNATION'
		 LEFT JOIN idents ON idents.ref = e.ref LEFT JOIN addrs ON addrs.ref = e.ref;

	DROP TABLE pg_temp.sanctions_un_entry;
	RETURN jsonb_build_object('files', jsonb_build_array(jsonb_build_object('name', p_name, 'bytes', length(p_xml),
				'sha256', encode(sha256(p_xml), 'hex'), 'encoding', dec.encoding)),
			'generated', generated);
END;
$$;
COMMENT ON FUNCTION sanctions._stage_un(bytea, text) IS 'Internal: parses the UN Security Council consolidated list XML into entity documents.';

/*
 * The class of an identifier from its published document type (UN, FtM):
 * a rule on words, not a list of names.
 */
CREATE FUNCTION sanctions._identifier_class(label text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE
		WHEN label ~* 'pass(port|eport)|pasaporte|travel document' THEN 'passport'
		WHEN label ~* 'tax|fiscal|\minn\M|vat' THEN 'tax_id'
		WHEN label ~* 'regist|ogrn|company|commercial' THEN 'registration'
		WHEN label ~* 'nation|identi|\mid\M|cedula|card' THEN 'national_id'
		ELSE 'other' END
$$;
COMMENT ON FUNCTION sanctions._identifier_class(text) IS 'Internal: identifier class (passport, tax_id, registration, national_id, other) of a document type name.';

/*
 * OpenSanctions FollowTheMoney entities, one JSON object per line.  The listed
 * parties ("target" not false) of schema Person, Organization, Company,
 * LegalEntity, PublicBody, Vessel or Airplane become entities (source id =
 * FtM id); Sanction entities give their programs, Address entities their
 * addresses, Passport / Identification entities their identifiers; Ownership
 * entities become ownership edges (percentage -> share, dates; owner and
 * asset need not be listed parties).  published defaults to the latest
 * last_change of the file.
 */
CREATE FUNCTION sanctions._stage_ftm(p_ftm bytea, p_name text)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	dec record;
	ln record;
	bad record;
	msg text;
	published date;
BEGIN
	PERFORM sanctions._stage_reset();
	dec := sanctions._file_text(p_ftm, p_name);
	IF to_regclass('pg_temp.sanctions_ftm') IS NOT NULL THEN
		DROP TABLE pg_temp.sanctions_ftm;
	END IF;
	CREATE TEMP TABLE sanctions_ftm (line_no integer, e jsonb) ON COMMIT DROP;
	BEGIN
		INSERT INTO pg_temp.sanctions_ftm
		SELECT l.n, l.line::jsonb FROM string_to_table(dec.txt, E'\n') WITH ORDINALITY AS l(line, n)
		WHERE btrim(l.line, E' \t\r') <> '';
	EXCEPTION WHEN invalid_text_representation THEN
		FOR ln IN SELECT l.n, l.line FROM string_to_table(dec.txt, E'\n') WITH ORDINALITY AS l(line, n)
				 WHERE btrim(l.line, E' \t\r') <> '' ORDER BY l.n
		LOOP
			BEGIN
				PERFORM ln.line::jsonb;
			EXCEPTION WHEN invalid_text_representation THEN
				GET STACKED DIAGNOSTICS msg = PG_EXCEPTION_DETAIL;
				RAISE EXCEPTION 'malformed JSON in file "%" line %', p_name, ln.n
					USING ERRCODE = 'invalid_text_representation',
						  DETAIL = coalesce(nullif(msg, ''), 'The line is not a JSON value.'),
						  HINT = 'FollowTheMoney files hold one JSON object per line; check that the file is complete.';
			END;
		END LOOP;
		RAISE;
	END;
	SELECT line_no INTO bad FROM pg_temp.sanctions_ftm
	WHERE jsonb_typeof(e) <> 'object' OR jsonb_typeof(e->'id') <> 'string' OR jsonb_typeof(e->'schema') <> 'string'
		  OR jsonb_typeof(coalesce(e->'properties', '{}')) <> 'object' OR e->>'id' = ''
	ORDER BY line_no LIMIT 1;
	IF bad.line_no IS NOT NULL THEN
		RAISE EXCEPTION 'not a FollowTheMoney entity in file "%" line %', p_name, bad.line_no
			USING ERRCODE = 'bad_copy_file_format',
				  DETAIL = 'Each line must be a JSON object with string members "id" and "schema" and an object "properties".';
	END IF;
	SELECT min(line_no) AS first_line, max(line_no) AS line_no, e->>'id' AS id INTO bad FROM pg_temp.sanctions_ftm
	GROUP BY e->>'id' HAVING count(*) > 1 ORDER BY 1 LIMIT 1;
	IF bad.line_no IS NOT NULL THEN
		RAISE EXCEPTION 'duplicate id % in file "%" line %', bad.id, p_name, bad.line_no
			USING ERRCODE = 'unique_violation', DETAIL = format('Line %s has the same id.', bad.first_line);
	END IF;

	INSERT INTO pg_temp.sanctions_doc (source_id, doc)
	WITH ent AS (
		SELECT line_no, e->>'id' AS id, e->>'schema' AS schema, coalesce(e->>'caption', e#>>'{properties,name,0}') AS caption,
			   coalesce(e->'properties', '{}') AS p
		FROM pg_temp.sanctions_ftm
		WHERE e->>'schema' IN ('Person', 'Organization', 'Company', 'LegalEntity', 'PublicBody', 'Vessel', 'Airplane')
			  AND coalesce(e->>'target', 'true') <> 'false'
	), prop AS (
		SELECT ent.id, k.key, v.value
		FROM ent, jsonb_each(ent.p) AS k, jsonb_array_elements_text(CASE jsonb_typeof(k.value) WHEN 'array' THEN k.value
																			ELSE jsonb_build_array(k.value) END) AS v
		WHERE btrim(v.value) <> ''
	), names AS (
		SELECT id, jsonb_agg(DISTINCT x ORDER BY x) AS a FROM (
			SELECT ent.id, jsonb_build_object('raw', ent.caption, 'kind', 'primary', 'weak', false) AS x FROM ent
			UNION ALL
			SELECT prop.id, jsonb_build_object('raw', btrim(prop.value),
				'kind', CASE WHEN prop.key = 'weakAlias' THEN 'weak_alias' WHEN prop.key = 'previousName' THEN 'former_name'
							 WHEN prop.value !~ '[A-Za-z]' THEN 'original_script' ELSE 'alias' END,
				'weak', prop.key = 'weakAlias')
			FROM prop JOIN ent USING (id)
			WHERE prop.key IN ('name', 'alias', 'weakAlias', 'previousName', 'abbreviation') AND btrim(prop.value) <> ent.caption
		) AS u GROUP BY id
	), dobs AS (
		SELECT prop.id, jsonb_agg(DISTINCT jsonb_build_object('raw', prop.value, 'from', d.date_from, 'to', d.date_to,
				'precision', d.date_precision) ORDER BY jsonb_build_object('raw', prop.value, 'from', d.date_from,
				'to', d.date_to, 'precision', d.date_precision)) AS a
		FROM prop, LATERAL sanctions._date_interval(prop.value) AS d
		WHERE prop.key = 'birthDate' GROUP BY prop.id
	), pobs AS (
		SELECT id, jsonb_agg(DISTINCT jsonb_build_object('place', value) ORDER BY jsonb_build_object('place', value)) AS a
		FROM prop WHERE key = 'birthPlace' GROUP BY id
	), countries AS (
		SELECT id, jsonb_agg(DISTINCT x ORDER BY x) AS a FROM (
			SELECT id, jsonb_build_object('country', value, 'relation', r.relation) AS x
			FROM prop JOIN (VALUES ('nationality', 'nationality'), ('citizenship', 'citizenship'), ('country', 'country'),
								   ('jurisdiction', 'jurisdiction'), ('flag', 'flag')) AS r(key, relation) USING (key)
		) AS u GROUP BY id
	), idents AS (
		SELECT id, jsonb_agg(DISTINCT x ORDER BY x) AS a FROM (
			SELECT prop.id, jsonb_build_object('type', r.id_type, 'label', prop.key, 'value', prop.value) AS x
			FROM prop JOIN (VALUES ('idNumber', 'national_id'), ('passportNumber', 'passport'), ('taxNumber', 'tax_id'),
								   ('innCode', 'tax_id'), ('vatCode', 'tax_id'), ('registrationNumber', 'registration'),
								   ('ogrnCode', 'registration'), ('kppCode', 'other'), ('leiCode', 'lei'),
								   ('swiftBic', 'swift_bic'), ('imoNumber', 'imo'), ('mmsi', 'mmsi'),
								   ('uniqueEntityId', 'registration'), ('dunsCode', 'duns')) AS r(key, id_type) USING (key)
			UNION ALL
			SELECT f.e#>>'{properties,holder,0}', jsonb_strip_nulls(jsonb_build_object(
					'type', CASE f.e->>'schema' WHEN 'Passport' THEN 'passport'
								 ELSE sanctions._identifier_class(coalesce(f.e#>>'{properties,type,0}', '')) END,
					'label', coalesce(f.e#>>'{properties,type,0}', lower(f.e->>'schema')),
					'value', coalesce(f.e#>>'{properties,number,0}', f.e#>>'{properties,passportNumber,0}'),
					'country', f.e#>>'{properties,country,0}'))
			FROM pg_temp.sanctions_ftm f WHERE f.e->>'schema' IN ('Passport', 'Identification')
		) AS u WHERE x ? 'value' GROUP BY id
	), addrs AS (
		SELECT id, jsonb_agg(DISTINCT x ORDER BY x) AS a FROM (
			SELECT prop.id, jsonb_strip_nulls(jsonb_build_object(
					'street', f.e#>>'{properties,street,0}', 'city', f.e#>>'{properties,city,0}',
					'region', f.e#>>'{properties,region,0}', 'postal_code', f.e#>>'{properties,postalCode,0}',
					'country', f.e#>>'{properties,country,0}',
					'full', coalesce(f.e#>>'{properties,full,0}', f.e->>'caption'))) AS x
			FROM prop JOIN pg_temp.sanctions_ftm f ON f.e->>'id' = prop.value AND f.e->>'schema' = 'Address'
			WHERE prop.key = 'addressEntity'
			UNION ALL
			SELECT prop.id, jsonb_build_object('full', prop.value)
			FROM prop WHERE prop.key = 'address'
				  AND NOT EXISTS (SELECT FROM prop p2 JOIN pg_temp.sanctions_ftm f ON f.e->>'id' = p2.value
								  WHERE p2.id = prop.id AND p2.key = 'addressEntity' AND f.e#>>'{properties,full,0}' = prop.value)
		) AS u GROUP BY id
	), programs AS (
		SELECT id, jsonb_agg(DISTINCT program ORDER BY program) AS a FROM (
			SELECT f.e#>>'{properties,entity,0}' AS id,
				   coalesce(f.e#>>'{properties,programId,0}', f.e#>>'{properties,program,0}') AS program
			FROM pg_temp.sanctions_ftm f WHERE f.e->>'schema' = 'Sanction'
			UNION ALL
			SELECT id, value FROM prop WHERE key = 'programId'
		) AS u WHERE program IS NOT NULL GROUP BY id
	), texts AS (
		SELECT id, string_agg(DISTINCT value, E'\n' ORDER BY value) FILTER (WHERE key = 'notes') AS notes,
			   string_agg(DISTINCT value, '; ' ORDER BY value) FILTER (WHERE key IN ('title', 'position')) AS title,
			   min(lower(value)) FILTER (WHERE key = 'gender' AND lower(value) IN ('male', 'female')) AS gender,
			   jsonb_agg(DISTINCT value ORDER BY value) FILTER (WHERE key = 'topics') AS topics
		FROM prop GROUP BY id
	)
	SELECT ent.id,
		   jsonb_build_object(
			'kind', CASE ent.schema WHEN 'Person' THEN 'person' WHEN 'Vessel' THEN 'vessel' WHEN 'Airplane' THEN 'aircraft'
								   ELSE 'organization' END,
			'caption', ent.caption, 'programs', coalesce(programs.a, '[]'),
			'remarks', texts.notes, 'gender', texts.gender, 'title', texts.title,
			'details', jsonb_strip_nulls(jsonb_build_object('schema', ent.schema, 'topics', texts.topics)),
			'names', names.a, 'birth_dates', coalesce(dobs.a, '[]'), 'birth_places', coalesce(pobs.a, '[]'),
			'countries', coalesce(countries.a, '[]'), 'identifiers', coalesce(idents.a, '[]'),
			'addresses', coalesce(addrs.a, '[]'), 'relations', '[]'::jsonb)
	FROM ent JOIN names USING (id)
		 LEFT JOIN dobs USING (id) LEFT JOIN pobs USING (id) LEFT JOIN countries USING (id)
		 LEFT JOIN idents USING (id) LEFT JOIN addrs USING (id) LEFT JOIN programs USING (id)
		 LEFT JOIN texts USING (id)
	WHERE ent.caption IS NOT NULL;

	SELECT line_no INTO bad FROM pg_temp.sanctions_ftm f
	WHERE f.e->>'schema' = 'Ownership'
		  AND (f.e#>>'{properties,owner,0}' IS NULL OR f.e#>>'{properties,asset,0}' IS NULL)
	ORDER BY line_no LIMIT 1;
	IF bad.line_no IS NOT NULL THEN
		RAISE EXCEPTION 'ownership without owner or asset in file "%" line %', p_name, bad.line_no
			USING ERRCODE = 'bad_copy_file_format';
	END IF;
	INSERT INTO pg_temp.sanctions_edge
	SELECT f.e#>>'{properties,owner,0}', f.e#>>'{properties,asset,0}',
		   CASE WHEN pct ~ '^[0-9]+(\.[0-9]+)?$' AND pct::numeric <= 100 THEN pct::numeric END,
		   f.e->>'id',
		   (sanctions._date_point(f.e#>>'{properties,startDate,0}')).date_from,
		   (sanctions._date_point(f.e#>>'{properties,endDate,0}')).date_to,
		   (SELECT o.e->>'caption' FROM pg_temp.sanctions_ftm o WHERE o.e->>'id' = f.e#>>'{properties,owner,0}'),
		   (SELECT o.e->>'caption' FROM pg_temp.sanctions_ftm o WHERE o.e->>'id' = f.e#>>'{properties,asset,0}')
	FROM pg_temp.sanctions_ftm f,
		 LATERAL (SELECT btrim(replace(f.e#>>'{properties,percentage,0}', '%', '')) AS pct) AS p
	WHERE f.e->>'schema' = 'Ownership';

	SELECT max(left(e->>'last_change', 10))::date INTO published FROM pg_temp.sanctions_ftm
	WHERE e->>'last_change' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}';
	DROP TABLE pg_temp.sanctions_ftm;
	RETURN jsonb_build_object('files', jsonb_build_array(jsonb_build_object('name', p_name, 'bytes', length(p_ftm),
				'sha256', encode(sha256(p_ftm), 'hex'), 'encoding', dec.encoding)),
			'published', published);
END;
$$;
COMMENT ON FUNCTION sanctions._stage_ftm(bytea, text) IS 'Internal: parses OpenSanctions FollowTheMoney JSON lines into entity documents and ownership edges.';

-------------------------------------------------------------------------------
-- Versions: compare the staged documents with the current states
-------------------------------------------------------------------------------

/*
 * Normalized names for the names of new entity states.  One set-based pass;
 * if normalization rejects some name, the names are normalized again in
 * chunks of 256, and only a chunk that fails name by name, leaving the
 * rejected ones NULL (they stay searchable by raw_name).  Returns how many
 * names were left NULL.
 */
CREATE FUNCTION sanctions._normalize_new_names(p_version bigint)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	chunk record;
	nm record;
	rejected bigint := 0;
BEGIN
	BEGIN
		UPDATE sanctions.entity_name n SET name = CAST(n.raw_name AS sanctions.normname)
		FROM sanctions.entity e
		WHERE e.entity_id = n.entity_id AND e.valid_from = p_version;
	EXCEPTION WHEN data_exception OR program_limit_exceeded THEN
		FOR chunk IN SELECT min(name_id) AS lo, max(name_id) AS hi
					 FROM (SELECT n.name_id, (row_number() OVER (ORDER BY n.name_id) - 1) / 256 AS g
						   FROM sanctions.entity_name n JOIN sanctions.entity e USING (entity_id)
						   WHERE e.valid_from = p_version) AS x
					 GROUP BY g ORDER BY g
		LOOP
			BEGIN
				UPDATE sanctions.entity_name n SET name = CAST(n.raw_name AS sanctions.normname)
				FROM sanctions.entity e
				WHERE e.entity_id = n.entity_id AND e.valid_from = p_version AND n.name_id BETWEEN chunk.lo AND chunk.hi;
			EXCEPTION WHEN data_exception OR program_limit_exceeded THEN
				FOR nm IN SELECT n.name_id, n.raw_name FROM sanctions.entity_name n JOIN sanctions.entity e USING (entity_id)
						  WHERE e.valid_from = p_version AND n.name_id BETWEEN chunk.lo AND chunk.hi ORDER BY n.name_id
				LOOP
					BEGIN
						UPDATE sanctions.entity_name SET name = CAST(nm.raw_name AS sanctions.normname)
						WHERE name_id = nm.name_id;
					EXCEPTION WHEN data_exception OR program_limit_exceeded THEN
						rejected := rejected + 1;
					END;
				END LOOP;
			END;
		END LOOP;
	END;
	RETURN rejected;
END;
$$;
COMMENT ON FUNCTION sanctions._normalize_new_names(bigint) IS 'Internal: fills entity_name.name for the names of a version''s new entity states; names normalization rejects stay NULL and are counted.';

/*
 * The current version of a list if it was loaded from exactly these files
 * (same sha256 set), else NULL: loading them again is a no-op, checked before
 * any parsing.
 */
CREATE FUNCTION sanctions._current_if_same(p_code text, p_contents bytea[])
RETURNS sanctions.list_version
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	cur sanctions.list_version;
BEGIN
	SELECT v.* INTO cur FROM sanctions.list_version v JOIN sanctions.list l USING (list_id)
	WHERE l.code = p_code AND v.is_current;
	IF cur.version_id IS NOT NULL
	   AND (SELECT array_agg(f->>'sha256' ORDER BY f->>'sha256') FROM jsonb_array_elements(cur.files) AS f)
		   = (SELECT array_agg(encode(sha256(c), 'hex') ORDER BY encode(sha256(c), 'hex'))
			  FROM unnest(p_contents) AS c WHERE c IS NOT NULL) THEN
		RAISE NOTICE 'list "%": the files are those of version %, nothing to load', p_code, cur.version_id;
		RETURN cur;
	END IF;
	RETURN NULL;
END;
$$;
COMMENT ON FUNCTION sanctions._current_if_same(text, bytea[]) IS 'Internal: the current version of a list when it was loaded from exactly these files.';

/*
 * Makes the staged documents and edges the new current version of a list:
 * unchanged entities (same content hash) keep their row, changed ones get a
 * new row, vanished ones are closed; the difference goes to
 * list_version_diff.  The list row is locked, so concurrent loads of one list
 * run one after the other.
 */
CREATE FUNCTION sanctions._apply_version(p_code text, p_title text, p_publisher text, p_format text,
										 p_published date, p_files jsonb, p_extra jsonb)
RETURNS sanctions.list_version
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
	lst sanctions.list;
	cur sanctions.list_version;
	ver sanctions.list_version;
	rejected bigint;
	new_counts jsonb;
BEGIN
	IF p_published IS NULL THEN
		RAISE EXCEPTION 'publication date of list "%" is unknown', p_code
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass the date the list was published as "published".';
	END IF;
	INSERT INTO sanctions.list (code, title, publisher, format) VALUES (p_code, p_title, p_publisher, p_format)
	ON CONFLICT (code) DO NOTHING;
	SELECT * INTO lst FROM sanctions.list WHERE code = p_code FOR UPDATE;
	IF lst.format <> p_format THEN
		RAISE EXCEPTION 'list "%" is loaded from % files, not %', p_code, lst.format, p_format
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Give this file a list code of its own.';
	END IF;
	SELECT * INTO cur FROM sanctions.list_version WHERE list_id = lst.list_id AND is_current;
	IF cur.version_id IS NOT NULL THEN
		IF cur.published > p_published THEN
			RAISE EXCEPTION 'list "%" already has a version published on %, later than %', p_code, cur.published, p_published
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Load the versions of a list in the order of their publication.';
		END IF;
	END IF;

	INSERT INTO sanctions.list_version (list_id, published, files)
	VALUES (lst.list_id, p_published, p_files) RETURNING * INTO ver;

	IF to_regclass('pg_temp.sanctions_cmp') IS NOT NULL THEN
		DROP TABLE pg_temp.sanctions_cmp;
	END IF;
	CREATE TEMP TABLE sanctions_cmp ON COMMIT DROP AS
	SELECT coalesce(d.source_id, c.source_id) AS source_id, d.doc, d.hash, c.entity_id AS old_id, c.content_hash AS old_hash,
		   CASE WHEN c.entity_id IS NULL THEN 'added' WHEN d.source_id IS NULL THEN 'removed'
				WHEN d.hash <> c.content_hash THEN 'changed' END AS change
	FROM (SELECT source_id, doc, sha256(convert_to(doc::text, 'UTF8')) AS hash FROM pg_temp.sanctions_doc) AS d
		 FULL JOIN (SELECT entity_id, source_id, content_hash FROM sanctions.entity
					WHERE list_id = lst.list_id AND valid_to IS NULL) AS c USING (source_id);

	UPDATE sanctions.entity e SET valid_to = ver.version_id
	FROM pg_temp.sanctions_cmp c WHERE e.entity_id = c.old_id AND c.change IN ('removed', 'changed');

	INSERT INTO sanctions.entity (list_id, source_id, kind, caption, programs, remarks, gender, title, details,
								  valid_from, content_hash)
	SELECT lst.list_id, c.source_id, c.doc->>'kind', c.doc->>'caption',
		   ARRAY(SELECT jsonb_array_elements_text(c.doc->'programs')), c.doc->>'remarks', c.doc->>'gender',
		   c.doc->>'title', coalesce(c.doc->'details', '{}'), ver.version_id, c.hash
	FROM pg_temp.sanctions_cmp c WHERE c.change IN ('added', 'changed')
	ORDER BY c.source_id;

	INSERT INTO sanctions.list_version_diff (version_id, source_id, change, old_entity_id, new_entity_id)
	SELECT ver.version_id, c.source_id, c.change, c.old_id, e.entity_id
	FROM pg_temp.sanctions_cmp c
		 LEFT JOIN sanctions.entity e ON e.list_id = lst.list_id AND e.source_id = c.source_id
									 AND e.valid_from = ver.version_id
	WHERE c.change IS NOT NULL;

	IF to_regclass('pg_temp.sanctions_new') IS NOT NULL THEN
		DROP TABLE pg_temp.sanctions_new;
	END IF;
	CREATE TEMP TABLE sanctions_new ON COMMIT DROP AS
	SELECT e.entity_id, c.doc FROM sanctions.entity e JOIN pg_temp.sanctions_cmp c USING (source_id)
	WHERE e.list_id = lst.list_id AND e.valid_from = ver.version_id;

	INSERT INTO sanctions.entity_name (entity_id, raw_name, name_kind, weak)
	SELECT n.entity_id, x->>'raw', x->>'kind', (x->>'weak')::boolean
	FROM pg_temp.sanctions_new n, jsonb_array_elements(n.doc->'names') WITH ORDINALITY AS a(x, o)
	ORDER BY n.entity_id, (x->>'kind' <> 'primary'), o;
	INSERT INTO sanctions.entity_birth_date (entity_id, date_from, date_to, date_precision, raw)
	SELECT n.entity_id, (x->>'from')::date, (x->>'to')::date, x->>'precision', x->>'raw'
	FROM pg_temp.sanctions_new n, jsonb_array_elements(n.doc->'birth_dates') AS x;
	INSERT INTO sanctions.entity_birth_place (entity_id, place, country)
	SELECT n.entity_id, x->>'place', x->>'country'
	FROM pg_temp.sanctions_new n, jsonb_array_elements(n.doc->'birth_places') AS x;
	INSERT INTO sanctions.entity_country (entity_id, country, relation)
	SELECT n.entity_id, x->>'country', x->>'relation'
	FROM pg_temp.sanctions_new n, jsonb_array_elements(n.doc->'countries') AS x;
	INSERT INTO sanctions.entity_identifier (entity_id, id_type, label, value, country, issued, expires)
	SELECT n.entity_id, x->>'type', x->>'label', x->>'value', x->>'country', x->>'issued', x->>'expires'
	FROM pg_temp.sanctions_new n, jsonb_array_elements(n.doc->'identifiers') AS x;
	INSERT INTO sanctions.entity_address (entity_id, street, city, region, postal_code, country, full_address, remarks)
	SELECT n.entity_id, x->>'street', x->>'city', x->>'region', x->>'postal_code', x->>'country',
		   coalesce(x->>'full', concat_ws(', ', x->>'street', x->>'city', x->>'region', x->>'postal_code', x->>'country')),
		   x->>'remarks'
	FROM pg_temp.sanctions_new n, jsonb_array_elements(n.doc->'addresses') AS x;
	INSERT INTO sanctions.entity_relation (entity_id, relation, target_name, target_source_id)
	SELECT n.entity_id, x->>'relation', x->>'target_name', x->>'target_source_id'
	FROM pg_temp.sanctions_new n, jsonb_array_elements(n.doc->'relations') AS x;

	rejected := sanctions._normalize_new_names(ver.version_id);

	/* ownership edges: an identical edge keeps its row */
	UPDATE sanctions.ownership o SET valid_to = ver.version_id
	WHERE o.list_id = lst.list_id AND o.valid_to IS NULL
		  AND NOT EXISTS (SELECT FROM pg_temp.sanctions_edge s
						  WHERE (s.owner_ref, s.owned_ref, s.share, s.source, s.start_date, s.end_date, s.owner_name, s.owned_name)
								IS NOT DISTINCT FROM
								(o.owner_ref, o.owned_ref, o.share, o.source, o.start_date, o.end_date, o.owner_name, o.owned_name));
	INSERT INTO sanctions.ownership (list_id, owner_ref, owned_ref, share, source, start_date, end_date,
									 owner_name, owned_name, valid_from)
	SELECT lst.list_id, s.owner_ref, s.owned_ref, s.share, s.source, s.start_date, s.end_date,
		   s.owner_name, s.owned_name, ver.version_id
	FROM pg_temp.sanctions_edge s
	WHERE NOT EXISTS (SELECT FROM sanctions.ownership o
					  WHERE o.list_id = lst.list_id AND o.valid_to IS NULL
						AND (s.owner_ref, s.owned_ref, s.share, s.source, s.start_date, s.end_date, s.owner_name, s.owned_name)
							IS NOT DISTINCT FROM
							(o.owner_ref, o.owned_ref, o.share, o.source, o.start_date, o.end_date, o.owner_name, o.owned_name))
	ORDER BY s.source;

	SELECT jsonb_build_object(
			'entities', count(*),
			'persons', count(*) FILTER (WHERE doc->>'kind' = 'person'),
			'organizations', count(*) FILTER (WHERE doc->>'kind' = 'organization'),
			'vessels', count(*) FILTER (WHERE doc->>'kind' = 'vessel'),
			'aircraft', count(*) FILTER (WHERE doc->>'kind' = 'aircraft'),
			'names', coalesce(sum(jsonb_array_length(doc->'names')), 0),
			'aliases', coalesce(sum((SELECT count(*) FROM jsonb_array_elements(doc->'names') AS x
									 WHERE x->>'kind' <> 'primary')), 0),
			'birth_dates', coalesce(sum(jsonb_array_length(doc->'birth_dates')), 0),
			'identifiers', coalesce(sum(jsonb_array_length(doc->'identifiers')), 0),
			'addresses', coalesce(sum(jsonb_array_length(doc->'addresses')), 0),
			'ownership_edges', (SELECT count(*) FROM pg_temp.sanctions_edge),
			'added', (SELECT count(*) FROM pg_temp.sanctions_cmp WHERE change = 'added'),
			'removed', (SELECT count(*) FROM pg_temp.sanctions_cmp WHERE change = 'removed'),
			'changed', (SELECT count(*) FROM pg_temp.sanctions_cmp WHERE change = 'changed'),
			'names_not_normalized', (SELECT count(*) FROM sanctions.entity e JOIN sanctions.entity_name n USING (entity_id)
									 WHERE e.list_id = lst.list_id AND e.valid_to IS NULL AND n.name IS NULL))
		   || coalesce(p_extra, '{}')
	INTO new_counts FROM pg_temp.sanctions_doc;

	UPDATE sanctions.list_version SET is_current = false WHERE version_id = cur.version_id;
	UPDATE sanctions.list_version SET is_current = true, counts = new_counts
	WHERE version_id = ver.version_id RETURNING * INTO ver;
	IF rejected > 0 THEN
		RAISE WARNING 'list "%": normalization rejected names of the new version', p_code
			USING DETAIL = format('Names stored with a NULL normalized name, found by raw_name only: %s.', rejected);
	END IF;

	DROP TABLE pg_temp.sanctions_cmp, pg_temp.sanctions_new, pg_temp.sanctions_doc, pg_temp.sanctions_edge;
	RETURN ver;
END;
$$;
COMMENT ON FUNCTION sanctions._apply_version(text, text, text, text, date, jsonb, jsonb) IS 'Internal: makes the staged entity documents and edges the new current version of a list and records the difference.';

-------------------------------------------------------------------------------
-- The loaders
-------------------------------------------------------------------------------

CREATE FUNCTION sanctions._load_ofac(main bytea, aliases bytea, addresses bytea, comments bytea,
									 published date, list_code text, file_names text[],
									 ignore_orphans boolean, title text)
RETURNS sanctions.list_version
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	staged jsonb;
	same sanctions.list_version;
BEGIN
	same := sanctions._current_if_same(list_code, ARRAY[main, aliases, addresses, comments]);
	IF same.version_id IS NOT NULL THEN
		RETURN same;
	END IF;
	staged := sanctions._stage_ofac(main, aliases, addresses, comments, file_names, ignore_orphans);
	RETURN sanctions._apply_version(list_code, title,
		'U.S. Department of the Treasury, Office of Foreign Assets Control', 'ofac_csv', published,
		staged->'files', jsonb_build_object('orphan_rows_skipped', staged->'orphan_rows_skipped'));
END;
$$;
COMMENT ON FUNCTION sanctions._load_ofac(bytea, bytea, bytea, bytea, date, text, text[], boolean, text) IS 'Internal: loads a version of an OFAC list from its legacy CSV set (both OFAC loaders).';

CREATE FUNCTION sanctions.load_ofac_sdn(sdn bytea, aliases bytea DEFAULT NULL, addresses bytea DEFAULT NULL,
										comments bytea DEFAULT NULL, published date DEFAULT NULL,
										list_code text DEFAULT 'ofac_sdn',
										file_names text[] DEFAULT '{sdn.csv,alt.csv,add.csv,sdn_comments.csv}',
										ignore_orphans boolean DEFAULT false)
RETURNS sanctions.list_version
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT sanctions._load_ofac(sdn, aliases, addresses, comments, published, list_code, file_names,
		ignore_orphans, 'OFAC Specially Designated Nationals and Blocked Persons List');
$$;
COMMENT ON FUNCTION sanctions.load_ofac_sdn(bytea, bytea, bytea, bytea, date, text, text[], boolean) IS 'Loads a version of the OFAC SDN list from its legacy CSV files (sdn.csv and optionally alt.csv, add.csv, sdn_comments.csv, as bytes); returns the new list_version.';

CREATE FUNCTION sanctions.load_ofac_cons(prim bytea, aliases bytea DEFAULT NULL, addresses bytea DEFAULT NULL,
										 comments bytea DEFAULT NULL, published date DEFAULT NULL,
										 list_code text DEFAULT 'ofac_cons',
										 file_names text[] DEFAULT '{cons_prim.csv,cons_alt.csv,cons_add.csv,cons_comments.csv}',
										 ignore_orphans boolean DEFAULT false)
RETURNS sanctions.list_version
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT sanctions._load_ofac(prim, aliases, addresses, comments, published, list_code, file_names,
		ignore_orphans, 'OFAC Consolidated Sanctions List (non-SDN)');
$$;
COMMENT ON FUNCTION sanctions.load_ofac_cons(bytea, bytea, bytea, bytea, date, text, text[], boolean) IS 'Loads a version of the OFAC consolidated non-SDN list from its legacy CSV files (cons_prim.csv, cons_alt.csv, cons_add.csv, cons_comments.csv, as bytes); returns the new list_version.';

CREATE FUNCTION sanctions.load_un_xml(xml bytea, published date DEFAULT NULL, list_code text DEFAULT 'un_sc',
									  file_name text DEFAULT 'consolidated.xml')
RETURNS sanctions.list_version
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	staged jsonb;
	same sanctions.list_version;
BEGIN
	same := sanctions._current_if_same(list_code, ARRAY[xml]);
	IF same.version_id IS NOT NULL THEN
		RETURN same;
	END IF;
	staged := sanctions._stage_un(xml, file_name);
	RETURN sanctions._apply_version(list_code, 'United Nations Security Council Consolidated List',
		'United Nations Security Council', 'un_xml',
		coalesce(published, (substring(staged->>'generated' FROM '^[0-9]{4}-[0-9]{2}-[0-9]{2}'))::date),
		staged->'files', '{}');
END;
$$;
COMMENT ON FUNCTION sanctions.load_un_xml(bytea, date, text, text) IS 'Loads a version of the UN Security Council consolidated list from its XML file (as bytes); published defaults to the file''s dateGenerated; returns the new list_version.';

CREATE FUNCTION sanctions.load_ftm(ftm bytea, published date DEFAULT NULL, list_code text DEFAULT 'opensanctions',
								   file_name text DEFAULT 'entities.ftm.json',
								   title text DEFAULT 'OpenSanctions FollowTheMoney entities')
RETURNS sanctions.list_version
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	staged jsonb;
	same sanctions.list_version;
BEGIN
	same := sanctions._current_if_same(list_code, ARRAY[ftm]);
	IF same.version_id IS NOT NULL THEN
		RETURN same;
	END IF;
	staged := sanctions._stage_ftm(ftm, file_name);
	RETURN sanctions._apply_version(list_code, title, 'OpenSanctions', 'ftm',
		coalesce(published, (staged->>'published')::date), staged->'files', '{}');
END;
$$;
COMMENT ON FUNCTION sanctions.load_ftm(bytea, date, text, text, text) IS 'Loads a version of a list from OpenSanctions FollowTheMoney JSON lines (as bytes), with its ownership edges; published defaults to the latest last_change in the file; returns the new list_version.';

-------------------------------------------------------------------------------
-- Reading versions
-------------------------------------------------------------------------------

CREATE FUNCTION sanctions.entity_at(p_list_code text, p_version bigint)
RETURNS SETOF sanctions.entity
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT e.* FROM sanctions.entity e JOIN sanctions.list l USING (list_id)
	WHERE l.code = p_list_code AND e.valid_from <= p_version AND (e.valid_to IS NULL OR e.valid_to > p_version)
$$;
COMMENT ON FUNCTION sanctions.entity_at(text, bigint) IS 'The entity states of a list as they were in a given version.';

CREATE VIEW sanctions.current_entity AS
	SELECT e.*, l.code AS list_code FROM sanctions.entity e JOIN sanctions.list l USING (list_id)
	WHERE e.valid_to IS NULL;
COMMENT ON VIEW sanctions.current_entity IS 'The current entity states of every list, with the list code.';

REVOKE ALL ON sanctions.list, sanctions.list_version, sanctions.entity, sanctions.entity_name,
	sanctions.entity_birth_date, sanctions.entity_birth_place, sanctions.entity_country,
	sanctions.entity_identifier, sanctions.entity_address, sanctions.entity_relation, sanctions.ownership,
	sanctions.list_version_diff, sanctions.ofac_identifier_label, sanctions.current_entity FROM PUBLIC;
REVOKE ALL ON SEQUENCE sanctions.list_list_id_seq, sanctions.list_version_version_id_seq, sanctions.entity_entity_id_seq,
	sanctions.entity_name_name_id_seq, sanctions.ownership_ownership_id_seq FROM PUBLIC;
REVOKE ALL ON FUNCTION sanctions._file_text(bytea, text), sanctions._csv_records(text, integer),
	sanctions._csv_stage(bytea, text, text, integer, integer), sanctions._date_point(text), sanctions._date_interval(text),
	sanctions._stage_reset(), sanctions._stage_ofac(bytea, bytea, bytea, bytea, text[], boolean),
	sanctions._stage_un(bytea, text), sanctions._identifier_class(text), sanctions._stage_ftm(bytea, text),
	sanctions._normalize_new_names(bigint), sanctions._current_if_same(text, bytea[]), sanctions._apply_version(text, text, text, text, date, jsonb, jsonb),
	sanctions._load_ofac(bytea, bytea, bytea, bytea, date, text, text[], boolean, text),
	sanctions.load_ofac_sdn(bytea, bytea, bytea, bytea, date, text, text[], boolean),
	sanctions.load_ofac_cons(bytea, bytea, bytea, bytea, date, text, text[], boolean),
	sanctions.load_un_xml(bytea, date, text, text), sanctions.load_ftm(bytea, date, text, text, text),
	sanctions.entity_at(text, bigint) FROM PUBLIC;

-- (end of section 4)

-------------------------------------------------------------------------------
-- Section 5: screening, alerts, decisions, audit, roles
--            (doc/screening.md)
-------------------------------------------------------------------------------

/*
 * Screening is set-based SQL over the list tables of section 4:
 *
 *   sanctions.screen_matches()  the matching core: one name against the
 *                               current lists, via the namesim index on
 *                               entity_name.name; STABLE, PARALLEL SAFE, so
 *                               LATERAL joins over whole tables run in
 *                               parallel.  Not audited.
 *   sanctions.screen()          the same as an audited API call.
 *   sanctions.screen_table()    re-screens a table in key order, chunk by
 *                               chunk (one set-based statement per chunk,
 *                               NOTICE after each), recording alerts.
 *   sanctions.screen_delta()    screens a table against only what a list
 *                               version added or changed, probing an index on
 *                               the table's names with each new listed name.
 *   sanctions.screen_trigger()  alert / block on INSERT and UPDATE.
 *
 * Score = name score (sanctions.similarity) + secondary-attribute adjustment
 * (sanctions.attribute_adjustment): a date of birth inside a listed one
 * +0.05, same year only 0, contradicting -0.15; a country among the listed
 * ones +0.03, none of them -0.10; an attribute the query or the list lacks
 * changes nothing.  Candidates are fetched at threshold - 0.08 (the largest
 * bonus) so that a bonus can lift a name over the threshold.  Weak aliases
 * hit only with a name score >= sanctions.weak_alias_threshold (0.95).
 *
 * Alerts are keyed by (counterparty table, key, entity state): re-screening
 * adds nothing new, a changed listed entity (a new entity_id, SCD-2 in
 * section 4) gives a new alert.  A decision ("X is not Y") names the entity
 * state it was taken on, so it stops suppressing once the entity changes.
 */

-- Roles are cluster-wide: created once, reused by every database.
DO $roles$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['sanctions_admin', 'sanctions_analyst', 'sanctions_screener'] LOOP
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
		END IF;
	END LOOP;
END;
$roles$;

CREATE TABLE sanctions.alert (
	alert_id			bigserial PRIMARY KEY,
	counterparty_table	text NOT NULL,
	counterparty_key	text NOT NULL,
	counterparty_name	text NOT NULL,
	entity_id			bigint NOT NULL REFERENCES sanctions.entity,
	list_code			text NOT NULL,
	source_id			text NOT NULL,
	list_version		bigint NOT NULL REFERENCES sanctions.list_version,
	matched_name		text NOT NULL,
	name_kind			text NOT NULL,
	score				real NOT NULL,
	name_score			real NOT NULL,
	explanation			jsonb NOT NULL,
	status				text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cleared', 'escalated')),
	created_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	created_by			name NOT NULL DEFAULT SESSION_USER,
	source				text NOT NULL CHECK (source IN ('screen_table', 'screen_delta', 'trigger')),
	status_changed_at	timestamptz,
	status_changed_by	name,
	status_note			text,
	UNIQUE (counterparty_table, counterparty_key, entity_id)
);
CREATE INDEX alert_open ON sanctions.alert (status, created_at) WHERE status <> 'cleared';
CREATE INDEX alert_entity ON sanctions.alert (entity_id);
COMMENT ON TABLE sanctions.alert IS
	'Screening hits on stored counterparties: one row per counterparty (table, key) and listed entity state; status open / cleared / escalated, changed with sanctions.set_alert_status() (logged).';

CREATE TABLE sanctions.decision (
	decision_id			bigserial PRIMARY KEY,
	counterparty_table	text NOT NULL,
	counterparty_key	text NOT NULL,
	entity_id			bigint NOT NULL REFERENCES sanctions.entity,
	reason				text NOT NULL CHECK (pg_catalog.btrim(reason) <> ''),
	decided_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	decided_by			name NOT NULL DEFAULT SESSION_USER,
	expires_at			timestamptz,
	revoked_at			timestamptz,
	revoked_by			name,
	revoke_reason		text
);
CREATE INDEX decision_pair ON sanctions.decision (counterparty_table, counterparty_key, entity_id);
COMMENT ON TABLE sanctions.decision IS
	'Good-guy decisions: the counterparty is not the listed entity state entity_id.  Suppresses the pair until it expires, is revoked, or the entity changes in a newer list version (a new entity state).';

CREATE TABLE sanctions.screening_log (
	log_id				bigserial PRIMARY KEY,
	logged_at			timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	session_user_name	name NOT NULL DEFAULT SESSION_USER,
	role_name			name NOT NULL,
	action				text NOT NULL CHECK (action IN ('screen', 'screen_table', 'screen_delta', 'trigger',
														'decide', 'revoke_decision', 'alert_status')),
	parameters			jsonb NOT NULL,
	list_versions		jsonb,
	hits				bigint
);
CREATE INDEX screening_log_time ON sanctions.screening_log (logged_at);
COMMENT ON TABLE sanctions.screening_log IS
	'Audit trail: screening calls (when sanctions.audit_screening is on), and always decisions, revocations and alert status changes; who (session user and role), when, parameters, list versions used, number of hits.';

SELECT pg_catalog.pg_extension_config_dump('sanctions.alert', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.alert_alert_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.decision', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.decision_decision_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.screening_log', '');
SELECT pg_catalog.pg_extension_config_dump('sanctions.screening_log_log_id_seq', '');

-- The listed names are found through a namesim index.
CREATE INDEX IF NOT EXISTS entity_name_namesim ON sanctions.entity_name USING namesim (name);

-- The screening settings, read through C so that the module (and its GUCs) is loaded first.
CREATE FUNCTION sanctions._audit_screening() RETURNS boolean
	AS 'MODULE_PATHNAME', 'screening_audit_enabled' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION sanctions._audit_screening() IS 'Internal: the value of sanctions.audit_screening.';
CREATE FUNCTION sanctions._weak_alias_threshold() RETURNS real
	AS 'MODULE_PATHNAME', 'screening_weak_alias_threshold' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION sanctions._weak_alias_threshold() IS 'Internal: the value of sanctions.weak_alias_threshold.';
CREATE FUNCTION sanctions._default_threshold() RETURNS real
	AS 'MODULE_PATHNAME', 'screening_default_threshold' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION sanctions._default_threshold() IS 'Internal: the value of sanctions.similarity_threshold.';

/*
 * The current version of every list, as jsonb {code: version_id}: what a
 * screening call screened against.
 */
CREATE FUNCTION sanctions.current_list_versions()
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(jsonb_object_agg(l.code, v.version_id ORDER BY l.code), '{}')
	FROM sanctions.list l JOIN sanctions.list_version v ON v.list_id = l.list_id AND v.is_current
$$;
COMMENT ON FUNCTION sanctions.current_list_versions() IS
	'The current version id of every loaded list, as a jsonb object keyed by list code.';

/*
 * Secondary attributes of one listed entity against the query's: the score
 * adjustment and its explanation.  See the section header for the rules.
 */
CREATE FUNCTION sanctions.attribute_adjustment(entity_id bigint, birth_date date, country text,
											   OUT adjustment real, OUT details jsonb)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH dob AS (
		SELECT CASE
				 WHEN attribute_adjustment.birth_date IS NULL OR NOT EXISTS (
					 SELECT FROM sanctions.entity_birth_date b
					 WHERE b.entity_id = attribute_adjustment.entity_id AND b.date_from IS NOT NULL) THEN NULL
				 WHEN EXISTS (SELECT FROM sanctions.entity_birth_date b
							  WHERE b.entity_id = attribute_adjustment.entity_id
								AND attribute_adjustment.birth_date BETWEEN b.date_from AND coalesce(b.date_to, b.date_from))
					 THEN 'match'
				 WHEN EXISTS (SELECT FROM sanctions.entity_birth_date b
							  WHERE b.entity_id = attribute_adjustment.entity_id
								AND extract(year FROM attribute_adjustment.birth_date)
									BETWEEN extract(year FROM b.date_from) AND extract(year FROM coalesce(b.date_to, b.date_from)))
					 THEN 'same_year'
				 ELSE 'contradicts' END AS verdict,
			   (SELECT jsonb_agg(b.raw ORDER BY b.date_from) FROM sanctions.entity_birth_date b
				WHERE b.entity_id = attribute_adjustment.entity_id) AS listed
	), ctry AS (
		SELECT CASE
				 WHEN attribute_adjustment.country IS NULL OR NOT EXISTS (
					 SELECT FROM sanctions.entity_country c WHERE c.entity_id = attribute_adjustment.entity_id) THEN NULL
				 WHEN EXISTS (SELECT FROM sanctions.entity_country c
							  WHERE c.entity_id = attribute_adjustment.entity_id
								AND lower(btrim(c.country)) = lower(btrim(attribute_adjustment.country))) THEN 'match'
				 ELSE 'contradicts' END AS verdict,
			   (SELECT jsonb_agg(DISTINCT c.country) FROM sanctions.entity_country c
				WHERE c.entity_id = attribute_adjustment.entity_id) AS listed
	), eff AS (
		SELECT dob.verdict AS dob_verdict, dob.listed AS dob_listed,
			   CASE dob.verdict WHEN 'match' THEN 0.05 WHEN 'contradicts' THEN -0.15 ELSE 0 END AS dob_effect,
			   ctry.verdict AS ctry_verdict, ctry.listed AS ctry_listed,
			   CASE ctry.verdict WHEN 'match' THEN 0.03 WHEN 'contradicts' THEN -0.10 ELSE 0 END AS ctry_effect
		FROM dob, ctry
	)
	SELECT (dob_effect + ctry_effect)::real,
		   jsonb_strip_nulls(jsonb_build_object(
			   'birth_date', CASE WHEN attribute_adjustment.birth_date IS NOT NULL THEN jsonb_build_object(
				   'query', attribute_adjustment.birth_date, 'listed', coalesce(dob_listed, '[]'),
				   'verdict', coalesce(dob_verdict, 'not_listed'), 'effect', dob_effect) END,
			   'country', CASE WHEN attribute_adjustment.country IS NOT NULL THEN jsonb_build_object(
				   'query', attribute_adjustment.country, 'listed', coalesce(ctry_listed, '[]'),
				   'verdict', coalesce(ctry_verdict, 'not_listed'), 'effect', ctry_effect) END))
	FROM eff
$$;
COMMENT ON FUNCTION sanctions.attribute_adjustment(bigint, date, text) IS
	'Score adjustment of a listed entity for the query''s date of birth and country: DOB inside a listed one +0.05, same year 0, contradicting -0.15; country listed +0.03, not listed -0.10; missing on either side 0.';

/*
 * The matching core.  A query with a date of birth is a person query unless
 * kind says otherwise; a kind admits entities of that kind and of unknown
 * kind.  One row per entity (its best-scoring name), best first.
 */
CREATE FUNCTION sanctions.screen_matches(name text, threshold real DEFAULT NULL, max_results integer DEFAULT 10,
										 kind text DEFAULT NULL, lists text[] DEFAULT NULL,
										 birth_date date DEFAULT NULL, country text DEFAULT NULL)
RETURNS TABLE (entity_id bigint, list_code text, source_id text, matched_name text, name_kind text,
			   score real, name_score real, explanation jsonb, list_version bigint)
LANGUAGE sql STABLE PARALLEL SAFE COST 10000 ROWS 2
SET search_path = pg_catalog, pg_temp
SET max_parallel_workers_per_gather = 0
AS $$
	-- (the queries of one name are tiny: workers belong to the batch query around it)
	WITH q AS MATERIALIZED (
		SELECT sanctions.normname(screen_matches.name) AS n,
			   coalesce(screen_matches.threshold, sanctions._default_threshold()) AS t,
			   sanctions._weak_alias_threshold() AS weak_t,
			   coalesce(screen_matches.kind, CASE WHEN screen_matches.birth_date IS NOT NULL THEN 'person' END) AS k
	), named AS MATERIALIZED (
		-- the index probe comes first, whatever the statistics of the list tables say
		SELECT en.name_id, en.entity_id, en.name, en.raw_name, en.name_kind, en.weak,
			   sanctions.similarity(q.n, en.name) AS name_score
		FROM q JOIN sanctions.entity_name en
		  ON en.name OPERATOR(sanctions.%>) sanctions.name_query(q.n, greatest(q.t - 0.08::real, 0::real))
	), candidate AS (
		SELECT DISTINCT ON (e.entity_id)
			   e.entity_id, l.code AS list_code, e.source_id, en.raw_name, en.name, en.name_kind,
			   en.name_score, a.adjustment, a.details, v.version_id, q.n, q.t
		FROM q
			 CROSS JOIN named en
			 JOIN sanctions.entity e ON e.entity_id = en.entity_id AND e.valid_to IS NULL
			 JOIN sanctions.list l ON l.list_id = e.list_id
			 JOIN sanctions.list_version v ON v.list_id = l.list_id AND v.is_current
			 CROSS JOIN LATERAL sanctions.attribute_adjustment(e.entity_id, screen_matches.birth_date,
															   screen_matches.country) a
		WHERE (q.k IS NULL OR e.kind IN (q.k, 'unknown'))
		  AND (screen_matches.lists IS NULL OR l.code = ANY (screen_matches.lists))
		  AND ((en.name_kind <> 'weak_alias' AND NOT en.weak) OR en.name_score >= q.weak_t)
		  AND least(en.name_score + a.adjustment, 1) >= q.t
		ORDER BY e.entity_id, least(en.name_score + a.adjustment, 1) DESC, en.name_score DESC, en.name_id
	)
	SELECT c.entity_id, c.list_code, c.source_id, c.raw_name, c.name_kind,
		   least(c.name_score + c.adjustment, 1)::real, c.name_score,
		   jsonb_build_object('query', screen_matches.name, 'query_normalized', c.n::text,
							  'listed', c.raw_name, 'listed_normalized', c.name::text,
							  'name_kind', c.name_kind, 'name_score', c.name_score,
							  'name', sanctions.explain_similarity(c.n, c.name),
							  'attributes', c.details, 'adjustment', c.adjustment,
							  'score', least(c.name_score + c.adjustment, 1)::real, 'threshold', c.t),
		   c.version_id
	FROM candidate c
	ORDER BY 6 DESC, c.name_score DESC, c.entity_id
	LIMIT screen_matches.max_results
$$;
COMMENT ON FUNCTION sanctions.screen_matches(text, real, integer, text, text[], date, text) IS
	'The listed entities matching a name, best first (one row per entity: its best name), with the explanation; the unaudited core of sanctions.screen(), for set-based and parallel queries (LATERAL).';

/*
 * Internal: one row of the audit trail.  SECURITY DEFINER so that nobody
 * needs (or gets) INSERT on sanctions.screening_log; the session user is
 * recorded by the column default, the caller's role is passed in.
 */
CREATE FUNCTION sanctions._log(action text, role_name name, parameters jsonb, hits bigint)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	INSERT INTO sanctions.screening_log (role_name, action, parameters, list_versions, hits)
	VALUES (_log.role_name, _log.action, _log.parameters, sanctions.current_list_versions(), _log.hits)
$$;
COMMENT ON FUNCTION sanctions._log(text, name, jsonb, bigint) IS
	'Internal: appends one row to sanctions.screening_log.';

/* Internal: rejects bad screening arguments with clear errors. */
CREATE FUNCTION sanctions._check_screen_args(threshold real, max_results integer, kind text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF threshold IS NOT NULL AND (threshold < 0 OR threshold > 1 OR threshold = 'NaN'::real) THEN
		RAISE EXCEPTION 'screening threshold % is out of range', threshold
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'A threshold is a score between 0 and 1.';
	END IF;
	IF max_results IS NOT NULL AND max_results < 1 THEN
		RAISE EXCEPTION 'max_results must be at least 1'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass NULL for all matches.';
	END IF;
	IF kind IS NOT NULL AND kind NOT IN ('person', 'organization', 'vessel', 'aircraft') THEN
		RAISE EXCEPTION 'unknown entity kind "%"', kind
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use person, organization, vessel or aircraft, or NULL for any.';
	END IF;
END;
$$;
COMMENT ON FUNCTION sanctions._check_screen_args(real, integer, text) IS
	'Internal: validates the threshold, max_results and kind arguments of the screening functions.';

/* Internal: the schema-qualified name of a table, as alerts and decisions record it. */
CREATE FUNCTION sanctions._table_name(tbl regclass)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT format('%I.%I', n.nspname, c.relname)
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl
$$;
COMMENT ON FUNCTION sanctions._table_name(regclass) IS
	'Internal: schema-qualified name of a table (how alerts and decisions name the counterparty table).';

/* Whether an active decision says this counterparty is not this entity state. */
CREATE FUNCTION sanctions.is_decided(counterparty_table text, counterparty_key text, entity_id bigint)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (
		SELECT FROM sanctions.decision d
		WHERE d.counterparty_table = is_decided.counterparty_table
		  AND d.counterparty_key = is_decided.counterparty_key
		  AND d.entity_id = is_decided.entity_id
		  AND d.revoked_at IS NULL
		  AND (d.expires_at IS NULL OR d.expires_at > now()))
$$;
COMMENT ON FUNCTION sanctions.is_decided(text, text, bigint) IS
	'True while an unrevoked, unexpired decision says the counterparty (table, key) is not the listed entity state entity_id.';

CREATE FUNCTION sanctions.screen(name text, threshold real DEFAULT NULL, max_results integer DEFAULT 10,
								 kind text DEFAULT NULL, lists text[] DEFAULT NULL,
								 birth_date date DEFAULT NULL, country text DEFAULT NULL)
RETURNS TABLE (entity_id bigint, list_code text, source_id text, matched_name text, name_kind text,
			   score real, name_score real, explanation jsonb, list_version bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	nhits bigint;
BEGIN
	PERFORM sanctions._check_screen_args(threshold, max_results, kind);
	RETURN QUERY SELECT * FROM sanctions.screen_matches(name, threshold, max_results, kind, lists, birth_date, country);
	GET DIAGNOSTICS nhits = ROW_COUNT;
	IF sanctions._audit_screening() THEN
		PERFORM sanctions._log('screen', current_user,
			jsonb_strip_nulls(jsonb_build_object('name', name, 'threshold', threshold, 'max_results', max_results,
				'kind', kind, 'lists', lists, 'birth_date', birth_date, 'country', country)), nhits);
	END IF;
END;
$$;
COMMENT ON FUNCTION sanctions.screen(text, real, integer, text, text[], date, text) IS
	'Screens one name against the current lists: matching entities best first, with list, source id, matched name and its kind, score (name score adjusted by date of birth and country), name score and explanation; logged when sanctions.audit_screening is on.';

/* Internal: the attributes of a table that screen_table / screen_delta read. */
CREATE FUNCTION sanctions._column_type(tbl regclass, col text, role text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t text;
BEGIN
	IF col IS NULL THEN
		RETURN NULL;
	END IF;
	SELECT format_type(a.atttypid, a.atttypmod) INTO t
	FROM pg_attribute a WHERE a.attrelid = tbl AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
	IF t IS NULL THEN
		RAISE EXCEPTION 'column "%" of relation % does not exist', col, tbl
			USING ERRCODE = 'undefined_column', DETAIL = format('It was given as the %s column.', role);
	END IF;
	RETURN t;
END;
$$;
COMMENT ON FUNCTION sanctions._column_type(regclass, text, text) IS
	'Internal: the type of a column named as an argument, or an error naming the argument.';

/* Internal: "c.col" cast to type, or NULL of that type when col is NULL. */
CREATE FUNCTION sanctions._column_expr(col text, typ text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN col IS NULL THEN format('NULL::%s', typ) ELSE format('c.%I::%s', col, typ) END
$$;
COMMENT ON FUNCTION sanctions._column_expr(text, text) IS
	'Internal: SQL text of an optional column of the screened table, cast to a type.';

/*
 * Re-screens a whole table: chunks of chunk_rows rows in key order, each one
 * set-based statement (CREATE TEMP TABLE AS, which may run in parallel) and
 * a NOTICE; hits become alerts unless a decision suppresses them.  A chunk
 * in which some name cannot be normalized is redone row by row; those rows
 * are counted as unscreenable (and named in a WARNING).
 */
CREATE FUNCTION sanctions.screen_table(tbl regclass, name_column text, key_column text,
									   threshold real DEFAULT NULL, kind text DEFAULT NULL, lists text[] DEFAULT NULL,
									   birth_date_column text DEFAULT NULL, country_column text DEFAULT NULL,
									   kind_column text DEFAULT NULL, chunk_rows integer DEFAULT 10000)
RETURNS TABLE (rows_screened bigint, rows_unscreenable bigint, hits bigint, hits_suppressed bigint, alerts_new bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	tbl_name text := sanctions._table_name(tbl);
	key_type text;
	src text;
	total bigint;
	lo text;
	hi text;
	n bigint;
	bad record;
	screened bigint := 0;
	unscreenable bigint := 0;
	nhits bigint := 0;
	nsup bigint := 0;
	nnew bigint := 0;
	k bigint;
BEGIN
	PERFORM sanctions._check_screen_args(threshold, NULL, kind);
	IF chunk_rows IS NULL OR chunk_rows < 1 THEN
		RAISE EXCEPTION 'chunk_rows must be at least 1' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM sanctions._column_type(tbl, name_column, 'name');
	key_type := sanctions._column_type(tbl, key_column, 'key');
	/* the rows of one chunk, as (key, name, birth_date, country, kind) */
	PERFORM sanctions._column_type(tbl, birth_date_column, 'birth date');
	PERFORM sanctions._column_type(tbl, country_column, 'country');
	PERFORM sanctions._column_type(tbl, kind_column, 'kind');
	src := format('SELECT c.%I::text AS key, c.%I::text AS name, %s AS birth_date, %s AS country, %s AS kind FROM %s c',
				  key_column, name_column,
				  sanctions._column_expr(birth_date_column, 'date'), sanctions._column_expr(country_column, 'text'),
				  CASE WHEN kind_column IS NULL THEN format('%L::text', kind)
					   ELSE format('coalesce(c.%I::text, %L)', kind_column, kind) END,
				  tbl);
	EXECUTE format('SELECT count(*) FROM %s WHERE %I IS NOT NULL', tbl, name_column) INTO total;
	IF to_regclass('pg_temp.sanctions_screen_hits') IS NOT NULL THEN
		DROP TABLE pg_temp.sanctions_screen_hits;
	END IF;
	LOOP
		/* the upper key of the next chunk */
		EXECUTE format('SELECT max(k)::text FROM (SELECT %1$I AS k FROM %2$s WHERE %3$I IS NOT NULL AND ($1 IS NULL OR %1$I > $1::%4$s)
						ORDER BY %1$I LIMIT $2) x', key_column, tbl, name_column, key_type)
			INTO hi USING lo, chunk_rows;
		EXIT WHEN hi IS NULL;
		BEGIN
			/* screen_matches() in the target list: costed per row, so big chunks get parallel workers */
			EXECUTE format('CREATE TEMP TABLE sanctions_screen_hits ON COMMIT DROP AS
				SELECT h.key, h.name, (h.m).*
				FROM (SELECT s.key, s.name,
							 sanctions.screen_matches(s.name, $3, NULL, s.kind, $4, s.birth_date, s.country) AS m
					  FROM (%s WHERE c.%I IS NOT NULL AND ($1 IS NULL OR c.%I > $1::%s) AND c.%I <= $2::%s) s) h',
				src, name_column, key_column, key_type, key_column, key_type)
				USING lo, hi, threshold, lists;
		EXCEPTION WHEN data_exception OR program_limit_exceeded THEN
			/* some name of the chunk is not a name: screen the chunk row by row */
			EXECUTE format('CREATE TEMP TABLE sanctions_screen_hits ON COMMIT DROP AS
				SELECT s.key, s.name, m.* FROM (%s WHERE false) s, LATERAL sanctions.screen_matches(s.name) m', src);
			FOR bad IN EXECUTE format('%s WHERE c.%I IS NOT NULL AND ($1 IS NULL OR c.%I > $1::%s) AND c.%I <= $2::%s',
									  src, name_column, key_column, key_type, key_column, key_type) USING lo, hi
			LOOP
				BEGIN
					INSERT INTO pg_temp.sanctions_screen_hits
					SELECT bad.key, bad.name, m.*
					FROM sanctions.screen_matches(bad.name, threshold, NULL, bad.kind, lists, bad.birth_date, bad.country) m;
				EXCEPTION WHEN data_exception OR program_limit_exceeded THEN
					unscreenable := unscreenable + 1;
					RAISE WARNING 'row % of % cannot be screened: %', bad.key, tbl_name, SQLERRM
						USING DETAIL = format('The name is %L.', bad.name);
				END;
			END LOOP;
		END;
		EXECUTE format('SELECT count(*) FROM %s c WHERE c.%I IS NOT NULL AND ($1 IS NULL OR c.%I > $1::%s) AND c.%I <= $2::%s',
					   tbl, name_column, key_column, key_type, key_column, key_type) INTO n USING lo, hi;
		screened := screened + n;
		SELECT count(*), count(*) FILTER (WHERE sanctions.is_decided(tbl_name, h.key, h.entity_id))
		INTO n, k FROM pg_temp.sanctions_screen_hits h;
		nhits := nhits + n;
		nsup := nsup + k;
		INSERT INTO sanctions.alert (counterparty_table, counterparty_key, counterparty_name, entity_id, list_code,
									 source_id, list_version, matched_name, name_kind, score, name_score, explanation, source)
		SELECT tbl_name, h.key, h.name, h.entity_id, h.list_code, h.source_id, h.list_version, h.matched_name,
			   h.name_kind, h.score, h.name_score, h.explanation, 'screen_table'
		FROM pg_temp.sanctions_screen_hits h
		WHERE NOT sanctions.is_decided(tbl_name, h.key, h.entity_id)
		ON CONFLICT (counterparty_table, counterparty_key, entity_id) DO NOTHING;
		GET DIAGNOSTICS n = ROW_COUNT;
		nnew := nnew + n;
		DROP TABLE pg_temp.sanctions_screen_hits;
		RAISE NOTICE 'sanctions.screen_table(%): % of % rows screened, % hits, % new alerts',
			tbl_name, screened, total, nhits, nnew;
		lo := hi;
	END LOOP;
	IF sanctions._audit_screening() THEN
		PERFORM sanctions._log('screen_table', current_user,
			jsonb_strip_nulls(jsonb_build_object('table', tbl_name, 'name_column', name_column, 'key_column', key_column,
				'threshold', threshold, 'kind', kind, 'lists', lists, 'birth_date_column', birth_date_column,
				'country_column', country_column, 'kind_column', kind_column, 'rows_screened', screened,
				'rows_unscreenable', unscreenable, 'alerts_new', nnew)), nhits);
	END IF;
	RETURN QUERY SELECT screened, unscreenable, nhits, nsup, nnew;
END;
$$;
COMMENT ON FUNCTION sanctions.screen_table(regclass, text, text, real, text, text[], text, text, text, integer) IS
	'Re-screens every row of a table against the current lists in chunks of chunk_rows rows (NOTICE after each), recording new hits as alerts unless a decision suppresses them; returns the counts.';

/*
 * Delta screening: the names of the entity states a list version added or
 * changed, each probing the screened table's names (name_column of type
 * sanctions.normname, or text with an index on sanctions.normname(column):
 * with a namesim index the probe is an index scan).  Same rules as
 * screen_matches (kind, weak aliases, attributes, decisions); one row per
 * counterparty and entity, recorded as alerts when record_alerts.
 */
CREATE FUNCTION sanctions.screen_delta(version_id bigint, tbl regclass, name_column text, key_column text,
									   threshold real DEFAULT NULL, birth_date_column text DEFAULT NULL,
									   country_column text DEFAULT NULL, kind_column text DEFAULT NULL,
									   record_alerts boolean DEFAULT true)
RETURNS TABLE (counterparty_key text, counterparty_name text, entity_id bigint, list_code text, source_id text,
			   matched_name text, name_kind text, score real, name_score real, explanation jsonb, alert_id bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	tbl_name text := sanctions._table_name(tbl);
	name_expr text;
	t real := coalesce(threshold, sanctions._default_threshold());
	nhits bigint;
BEGIN
	PERFORM sanctions._check_screen_args(threshold, NULL, NULL);
	IF NOT EXISTS (SELECT FROM sanctions.list_version v WHERE v.version_id = screen_delta.version_id) THEN
		RAISE EXCEPTION 'list version % does not exist', version_id
			USING ERRCODE = 'invalid_parameter_value', HINT = 'See sanctions.list_version.';
	END IF;
	name_expr := CASE WHEN sanctions._column_type(tbl, name_column, 'name') = 'sanctions.normname'
					  THEN format('c.%I', name_column) ELSE format('sanctions.normname(c.%I)', name_column) END;
	PERFORM sanctions._column_type(tbl, key_column, 'key');
	PERFORM sanctions._column_type(tbl, birth_date_column, 'birth date');
	PERFORM sanctions._column_type(tbl, country_column, 'country');
	PERFORM sanctions._column_type(tbl, kind_column, 'kind');
	IF to_regclass('pg_temp.sanctions_delta_hits') IS NOT NULL THEN
		DROP TABLE pg_temp.sanctions_delta_hits;
	END IF;
	EXECUTE format($q$
		CREATE TEMP TABLE sanctions_delta_hits ON COMMIT DROP AS
		WITH listed AS (
			SELECT en.name_id, en.name, en.raw_name, en.name_kind, en.weak, e.entity_id, e.kind, e.source_id,
				   l.code AS list_code, d.version_id
			FROM sanctions.list_version_diff d
				 JOIN sanctions.entity e ON e.entity_id = d.new_entity_id
				 JOIN sanctions.list l ON l.list_id = e.list_id
				 JOIN sanctions.entity_name en ON en.entity_id = e.entity_id
			WHERE d.version_id = $1 AND d.change IN ('added', 'changed') AND en.name IS NOT NULL
		), pair AS (
			SELECT c.%2$I::text AS key, c.%3$I::text AS cname, %4$s AS cnorm, ls.*,
				   %5$s AS birth_date, %6$s AS country, %7$s AS qkind
			FROM listed ls JOIN %1$s c
			  ON %4$s OPERATOR(sanctions.%%>) sanctions.name_query(ls.name, greatest($2 - 0.08::real, 0::real))
		)
		SELECT DISTINCT ON (p.key, p.entity_id)
			   p.key, p.cname, p.entity_id, p.list_code, p.source_id, p.raw_name, p.name_kind,
			   least(s.name_score + a.adjustment, 1)::real AS score, s.name_score,
			   jsonb_build_object('query', p.cname, 'query_normalized', p.cnorm::text,
								  'listed', p.raw_name, 'listed_normalized', p.name::text,
								  'name_kind', p.name_kind, 'name_score', s.name_score,
								  'name', sanctions.explain_similarity(p.cnorm, p.name),
								  'attributes', a.details, 'adjustment', a.adjustment,
								  'score', least(s.name_score + a.adjustment, 1)::real, 'threshold', $2) AS explanation,
			   p.version_id
		FROM pair p
			 CROSS JOIN LATERAL (SELECT sanctions.similarity(p.cnorm, p.name) AS name_score OFFSET 0) s
			 CROSS JOIN LATERAL sanctions.attribute_adjustment(p.entity_id, p.birth_date, p.country) a
		WHERE (coalesce(p.qkind, CASE WHEN p.birth_date IS NOT NULL THEN 'person' END) IS NULL
			   OR p.kind IN (coalesce(p.qkind, CASE WHEN p.birth_date IS NOT NULL THEN 'person' END), 'unknown'))
		  AND ((p.name_kind <> 'weak_alias' AND NOT p.weak)
			   OR s.name_score >= sanctions._weak_alias_threshold())
		  AND least(s.name_score + a.adjustment, 1) >= $2
		  AND NOT sanctions.is_decided($3, p.key, p.entity_id)
		ORDER BY p.key, p.entity_id, 8 DESC, s.name_score DESC, p.name_id
		$q$, tbl, key_column, name_column, name_expr,
		sanctions._column_expr(birth_date_column, 'date'), sanctions._column_expr(country_column, 'text'),
		sanctions._column_expr(kind_column, 'text'))
		USING version_id, t, tbl_name;
	GET DIAGNOSTICS nhits = ROW_COUNT;
	IF record_alerts THEN
		INSERT INTO sanctions.alert (counterparty_table, counterparty_key, counterparty_name, entity_id, list_code,
									 source_id, list_version, matched_name, name_kind, score, name_score, explanation, source)
		SELECT tbl_name, h.key, h.cname, h.entity_id, h.list_code, h.source_id, h.version_id, h.raw_name,
			   h.name_kind, h.score, h.name_score, h.explanation, 'screen_delta'
		FROM pg_temp.sanctions_delta_hits h
		ON CONFLICT ON CONSTRAINT alert_counterparty_table_counterparty_key_entity_id_key DO NOTHING;
	END IF;
	IF sanctions._audit_screening() THEN
		PERFORM sanctions._log('screen_delta', current_user,
			jsonb_strip_nulls(jsonb_build_object('version_id', version_id, 'table', tbl_name, 'name_column', name_column,
				'key_column', key_column, 'threshold', threshold, 'birth_date_column', birth_date_column,
				'country_column', country_column, 'kind_column', kind_column, 'record_alerts', record_alerts)), nhits);
	END IF;
	RETURN QUERY
		SELECT h.key, h.cname, h.entity_id, h.list_code, h.source_id, h.raw_name, h.name_kind, h.score, h.name_score,
			   h.explanation, al.alert_id
		FROM pg_temp.sanctions_delta_hits h
			 LEFT JOIN sanctions.alert al ON record_alerts AND al.counterparty_table = tbl_name
											AND al.counterparty_key = h.key AND al.entity_id = h.entity_id
		ORDER BY h.score DESC, h.key, h.entity_id;
	DROP TABLE pg_temp.sanctions_delta_hits;
END;
$$;
COMMENT ON FUNCTION sanctions.screen_delta(bigint, regclass, text, text, real, text, text, text, boolean) IS
	'Screens a table against only the entities a list version added or changed, probing an index on the table''s names with each new listed name; returns the hits (recorded as alerts when record_alerts).';

/*
 * The trigger.  Arguments: the name column, the mode (alert or block), then
 * optional key=column (default: the one-column primary key), birth_date=column,
 * country=column, kind=column, kind:person (a fixed kind), threshold=0.85,
 * lists=code1,code2.  block raises SQLSTATE SN001 naming the hit; alert lets
 * the row through and records alerts.  UPDATEs that leave the screened
 * columns unchanged are not screened again.  SECURITY DEFINER: whoever writes
 * the table needs no rights on the lists or the alerts.
 */
CREATE FUNCTION sanctions.screen_trigger()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	tbl_name text := format('%I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME);
	mode text := TG_ARGV[1];
	opt text;
	opts jsonb := '{}';
	row_new jsonb;
	row_old jsonb;
	key_col text;
	cols text[];
	qname text;
	qkey text;
	qkind text;
	qlists text[];
	hit record;
	nhits bigint := 0;
BEGIN
	IF TG_LEVEL <> 'ROW' OR TG_OP NOT IN ('INSERT', 'UPDATE') THEN
		RAISE EXCEPTION 'sanctions.screen_trigger() must be a row trigger on INSERT or UPDATE'
			USING ERRCODE = 'invalid_object_definition';
	END IF;
	IF TG_NARGS < 2 OR mode IS NULL OR mode NOT IN ('alert', 'block') THEN
		RAISE EXCEPTION 'sanctions.screen_trigger() on % needs the name column and the mode alert or block', tbl_name
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Example: EXECUTE FUNCTION sanctions.screen_trigger(''name'', ''block'', ''birth_date=dob'').';
	END IF;
	FOR i IN 2 .. TG_NARGS - 1 LOOP
		opt := TG_ARGV[i];
		IF opt !~ '^(key|birth_date|country|kind|threshold|lists)[=:]' THEN
			RAISE EXCEPTION 'unknown option "%" of sanctions.screen_trigger() on %', opt, tbl_name
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Options are key=, birth_date=, country=, kind= (columns), kind:, threshold=, lists=.';
		END IF;
		opts := opts || jsonb_build_object(substring(opt FROM '^[a-z_]+[=:]'), substring(opt FROM '[=:](.*)$'));
	END LOOP;
	row_new := to_jsonb(NEW);
	cols := ARRAY[TG_ARGV[0], opts->>'birth_date=', opts->>'country=', opts->>'kind='];
	IF NOT row_new ? TG_ARGV[0] THEN
		RAISE EXCEPTION 'column "%" of relation % does not exist', TG_ARGV[0], tbl_name
			USING ERRCODE = 'undefined_column', DETAIL = 'It is the name column of sanctions.screen_trigger().';
	END IF;
	qname := row_new->>TG_ARGV[0];
	IF qname IS NULL THEN
		RETURN NEW;
	END IF;
	IF TG_OP = 'UPDATE' THEN
		row_old := to_jsonb(OLD);
		IF NOT EXISTS (SELECT FROM unnest(cols) AS c WHERE c IS NOT NULL AND row_new->c IS DISTINCT FROM row_old->c) THEN
			RETURN NEW;
		END IF;
	END IF;
	key_col := coalesce(opts->>'key=',
		(SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		 WHERE i.indrelid = TG_RELID AND i.indisprimary AND i.indnatts = 1));
	qkey := row_new->>key_col;
	IF mode = 'alert' AND qkey IS NULL THEN
		RAISE EXCEPTION 'sanctions.screen_trigger() on % has no key for the alert', tbl_name
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give the key column as key=column, or give the table a one-column primary key.';
	END IF;
	qkind := coalesce(row_new->>(opts->>'kind='), opts->>'kind:');
	qlists := string_to_array(opts->>'lists=', ',');
	FOR hit IN
		SELECT m.* FROM sanctions.screen_matches(qname, (opts->>'threshold=')::real, NULL, qkind, qlists,
												 (row_new->>(opts->>'birth_date='))::date, row_new->>(opts->>'country=')) m
		WHERE qkey IS NULL OR NOT sanctions.is_decided(tbl_name, qkey, m.entity_id)
	LOOP
		nhits := nhits + 1;
		IF mode = 'block' THEN
			RAISE EXCEPTION 'sanctions screening blocked % on %: "%" matches % % "%" (score %)',
				lower(TG_OP), tbl_name, qname, hit.list_code, hit.source_id, hit.matched_name, round(hit.score::numeric, 3)
				USING ERRCODE = 'SN001',
					  DETAIL = format('Listed entity %s (%s %s), %s name, name score %s.', hit.entity_id, hit.list_code,
									  hit.source_id, hit.name_kind, round(hit.name_score::numeric, 3)),
					  HINT = 'If the counterparty is not the listed entity, an analyst can record that with sanctions.decide().';
		END IF;
		INSERT INTO sanctions.alert (counterparty_table, counterparty_key, counterparty_name, entity_id, list_code,
									 source_id, list_version, matched_name, name_kind, score, name_score, explanation, source)
		VALUES (tbl_name, qkey, qname, hit.entity_id, hit.list_code, hit.source_id, hit.list_version, hit.matched_name,
				hit.name_kind, hit.score, hit.name_score, hit.explanation, 'trigger')
		ON CONFLICT ON CONSTRAINT alert_counterparty_table_counterparty_key_entity_id_key DO NOTHING;
	END LOOP;
	IF sanctions._audit_screening() THEN
		PERFORM sanctions._log('trigger', session_user,
			jsonb_build_object('table', tbl_name, 'operation', TG_OP, 'mode', mode, 'key', qkey, 'name', qname), nhits);
	END IF;
	RETURN NEW;
END;
$$;
COMMENT ON FUNCTION sanctions.screen_trigger() IS
	'Row trigger screening a name column on INSERT and UPDATE: mode alert records alerts, mode block rejects the row with SQLSTATE SN001.';

CREATE FUNCTION sanctions.set_alert_status(alert_id bigint, status text, note text DEFAULT NULL)
RETURNS sanctions.alert
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	a sanctions.alert;
	old_status text;
BEGIN
	IF status IS NULL OR status NOT IN ('open', 'cleared', 'escalated') THEN
		RAISE EXCEPTION 'unknown alert status "%"', status
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use open, cleared or escalated.';
	END IF;
	IF status = 'cleared' AND nullif(btrim(note), '') IS NULL THEN
		RAISE EXCEPTION 'clearing an alert needs a note'
			USING ERRCODE = 'null_value_not_allowed', DETAIL = 'The note says why the hit is not a match.';
	END IF;
	SELECT * INTO a FROM sanctions.alert al WHERE al.alert_id = set_alert_status.alert_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'alert % does not exist', alert_id USING ERRCODE = 'no_data_found';
	END IF;
	IF a.status = status THEN
		RAISE EXCEPTION 'alert % is already %', alert_id, status USING ERRCODE = 'invalid_parameter_value';
	END IF;
	old_status := a.status;
	UPDATE sanctions.alert al
	SET status = set_alert_status.status, status_changed_at = now(), status_changed_by = session_user,
		status_note = note
	WHERE al.alert_id = set_alert_status.alert_id
	RETURNING * INTO a;
	PERFORM sanctions._log('alert_status', session_user,
		jsonb_build_object('alert_id', alert_id, 'from', old_status, 'to', status, 'note', note), NULL);
	RETURN a;
END;
$$;
COMMENT ON FUNCTION sanctions.set_alert_status(bigint, text, text) IS
	'Moves an alert to open, cleared (a note is required) or escalated; always logged in sanctions.screening_log.';

CREATE FUNCTION sanctions.decide(counterparty_table regclass, counterparty_key text, entity_id bigint, reason text,
								 expires timestamptz DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d bigint;
	tbl_name text := sanctions._table_name(counterparty_table);
BEGIN
	IF counterparty_key IS NULL OR entity_id IS NULL THEN
		RAISE EXCEPTION 'a decision needs the counterparty key and the entity' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF nullif(btrim(reason), '') IS NULL THEN
		RAISE EXCEPTION 'a decision needs a reason'
			USING ERRCODE = 'null_value_not_allowed', DETAIL = 'The reason says why the counterparty is not the listed entity.';
	END IF;
	IF expires IS NOT NULL AND expires <= now() THEN
		RAISE EXCEPTION 'the decision would expire at %, which is not in the future', expires
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT EXISTS (SELECT FROM sanctions.entity e WHERE e.entity_id = decide.entity_id) THEN
		RAISE EXCEPTION 'listed entity % does not exist', entity_id USING ERRCODE = 'foreign_key_violation';
	END IF;
	INSERT INTO sanctions.decision (counterparty_table, counterparty_key, entity_id, reason, expires_at)
	VALUES (tbl_name, counterparty_key, entity_id, reason, expires)
	RETURNING decision_id INTO d;
	UPDATE sanctions.alert al
	SET status = 'cleared', status_changed_at = now(), status_changed_by = session_user,
		status_note = format('decision %s: %s', d, reason)
	WHERE al.counterparty_table = tbl_name AND al.counterparty_key = decide.counterparty_key
	  AND al.entity_id = decide.entity_id AND al.status <> 'cleared';
	PERFORM sanctions._log('decide', session_user,
		jsonb_strip_nulls(jsonb_build_object('decision_id', d, 'table', tbl_name, 'key', counterparty_key,
			'entity_id', entity_id, 'reason', reason, 'expires', expires)), NULL);
	RETURN d;
END;
$$;
COMMENT ON FUNCTION sanctions.decide(regclass, text, bigint, text, timestamptz) IS
	'Records that a counterparty (table, key) is not a listed entity state (reason, optional expiry): later screenings suppress the pair until the entity changes in a newer list version; clears the pair''s alerts; always logged.';

CREATE FUNCTION sanctions.revoke_decision(decision_id bigint, reason text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF nullif(btrim(reason), '') IS NULL THEN
		RAISE EXCEPTION 'revoking a decision needs a reason' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	UPDATE sanctions.decision d SET revoked_at = now(), revoked_by = session_user, revoke_reason = revoke_decision.reason
	WHERE d.decision_id = revoke_decision.decision_id AND d.revoked_at IS NULL;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'decision % does not exist or is already revoked', decision_id USING ERRCODE = 'no_data_found';
	END IF;
	PERFORM sanctions._log('revoke_decision', session_user,
		jsonb_build_object('decision_id', decision_id, 'reason', reason), NULL);
END;
$$;
COMMENT ON FUNCTION sanctions.revoke_decision(bigint, text) IS
	'Revokes a decision (the pair is screened again); always logged.';

-- Privileges: PUBLIC gets nothing of this section; three roles get what their job needs.
REVOKE ALL ON sanctions.alert, sanctions.decision, sanctions.screening_log FROM PUBLIC;
REVOKE ALL ON SEQUENCE sanctions.alert_alert_id_seq, sanctions.decision_decision_id_seq,
	sanctions.screening_log_log_id_seq FROM PUBLIC;
REVOKE ALL ON FUNCTION sanctions._audit_screening(), sanctions._weak_alias_threshold(), sanctions._default_threshold(),
	sanctions.current_list_versions(), sanctions.attribute_adjustment(bigint, date, text),
	sanctions.screen_matches(text, real, integer, text, text[], date, text), sanctions._log(text, name, jsonb, bigint),
	sanctions._check_screen_args(real, integer, text), sanctions.is_decided(text, text, bigint),
	sanctions.screen(text, real, integer, text, text[], date, text), sanctions._column_type(regclass, text, text),
	sanctions._column_expr(text, text), sanctions._table_name(regclass),
	sanctions.screen_table(regclass, text, text, real, text, text[], text, text, text, integer),
	sanctions.screen_delta(bigint, regclass, text, text, real, text, text, text, boolean),
	sanctions.screen_trigger(), sanctions.set_alert_status(bigint, text, text),
	sanctions.decide(regclass, text, bigint, text, timestamptz), sanctions.revoke_decision(bigint, text) FROM PUBLIC;

GRANT USAGE ON SCHEMA sanctions TO sanctions_admin, sanctions_analyst, sanctions_screener;

-- Screener: screen names and tables, record alerts, attach the trigger.
GRANT SELECT ON sanctions.list, sanctions.list_version, sanctions.entity, sanctions.entity_name,
	sanctions.entity_birth_date, sanctions.entity_country, sanctions.list_version_diff TO sanctions_screener;
GRANT SELECT, INSERT ON sanctions.alert TO sanctions_screener;
GRANT USAGE ON SEQUENCE sanctions.alert_alert_id_seq TO sanctions_screener;
GRANT SELECT ON sanctions.decision TO sanctions_screener;
GRANT EXECUTE ON FUNCTION sanctions._audit_screening(), sanctions._weak_alias_threshold(), sanctions._default_threshold(),
	sanctions.current_list_versions(), sanctions.attribute_adjustment(bigint, date, text),
	sanctions.screen_matches(text, real, integer, text, text[], date, text), sanctions._log(text, name, jsonb, bigint),
	sanctions._check_screen_args(real, integer, text), sanctions.is_decided(text, text, bigint),
	sanctions.screen(text, real, integer, text, text[], date, text), sanctions._column_type(regclass, text, text),
	sanctions._column_expr(text, text), sanctions._table_name(regclass),
	sanctions.screen_table(regclass, text, text, real, text, text[], text, text, text, integer),
	sanctions.screen_delta(bigint, regclass, text, text, real, text, text, text, boolean),
	sanctions.screen_trigger() TO sanctions_screener;

-- Analyst: everything a screener does, plus deciding alerts and reading the audit trail.
GRANT sanctions_screener TO sanctions_analyst;
GRANT SELECT ON sanctions.screening_log TO sanctions_analyst;
GRANT EXECUTE ON FUNCTION sanctions.set_alert_status(bigint, text, text),
	sanctions.decide(regclass, text, bigint, text, timestamptz), sanctions.revoke_decision(bigint, text)
	TO sanctions_analyst;

-- Admin: loads lists (the loaders run with the caller's rights on the list tables).
DO $grants$
DECLARE
	f regprocedure;
BEGIN
	FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
			 WHERE p.pronamespace = 'sanctions'::regnamespace
			   AND (p.proname LIKE 'load\_%' OR p.proname = 'refresh_token_stats'
					OR (p.proname LIKE '\_%' AND p.oid NOT IN (
						'sanctions._log(text, name, jsonb, bigint)'::regprocedure,
						'sanctions._check_screen_args(real, integer, text)'::regprocedure,
						'sanctions._column_type(regclass, text, text)'::regprocedure,
						'sanctions._column_expr(text, text)'::regprocedure)))
	LOOP
		EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO sanctions_admin', f);
	END LOOP;
END;
$grants$;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA sanctions TO sanctions_admin;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON sanctions.alert, sanctions.decision, sanctions.screening_log
	FROM sanctions_admin;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA sanctions TO sanctions_admin;
REVOKE USAGE ON SEQUENCE sanctions.alert_alert_id_seq, sanctions.decision_decision_id_seq,
	sanctions.screening_log_log_id_seq FROM sanctions_admin;

/*
 * One line of text for an explanation of screen() / screen_matches(): the
 * aligned tokens (= exact, ~ with rule and score otherwise), the unmatched
 * ones, and the attribute verdicts with their effect.
 */
CREATE FUNCTION sanctions.explanation_text(explanation jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT concat_ws('; ',
		(SELECT string_agg(CASE WHEN a->>'rule' = 'exact' THEN format('%s = %s', a->>'query', a->>'listed')
								ELSE format('%s ~ %s (%s %s)', a->>'query', a->>'listed', a->>'rule',
											round((a->>'score')::numeric, 2)) END, ', ' ORDER BY o)
		 FROM jsonb_array_elements(explanation->'name'->'alignment') WITH ORDINALITY AS x(a, o)),
		(SELECT 'query only: ' || string_agg(coalesce(u->>'token', u #>> '{}'), ', ' ORDER BY o)
		 FROM jsonb_array_elements(explanation->'name'->'unmatched_query') WITH ORDINALITY AS x(u, o)),
		(SELECT 'listed only: ' || string_agg(coalesce(u->>'token', u #>> '{}'), ', ' ORDER BY o)
		 FROM jsonb_array_elements(explanation->'name'->'unmatched_listed') WITH ORDINALITY AS x(u, o)),
		CASE WHEN explanation->>'name_kind' <> 'primary' THEN 'matched ' || replace(explanation->>'name_kind', '_', ' ') END,
		(SELECT string_agg(format('%s %s %s', replace(k, '_', ' '), replace(v->>'verdict', '_', ' '),
								  CASE WHEN (v->>'effect')::numeric > 0 THEN '+' ELSE '' END || (v->>'effect')), '; ' ORDER BY k)
		 FROM jsonb_each(explanation->'attributes') AS x(k, v)))
$$;
COMMENT ON FUNCTION sanctions.explanation_text(jsonb) IS
	'A one-line reading of a screening explanation: aligned tokens with their rule and score, unmatched tokens, the name kind, and the date-of-birth and country verdicts with their effect on the score.';
REVOKE ALL ON FUNCTION sanctions.explanation_text(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sanctions.explanation_text(jsonb) TO sanctions_screener;

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
-- edges (valid_to IS NULL, date range covering today, known non-zero share)
-- and the current listed entities of every list (refs and source ids share
-- one namespace).  The same holding reported by several lists or
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
          WHERE o.valid_to IS NULL AND o.share > 0
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
          WHERE o.valid_to IS NULL AND o.share > 0
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
