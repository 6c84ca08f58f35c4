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
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH q AS MATERIALIZED (
		SELECT sanctions.normname(screen_matches.name) AS n,
			   coalesce(screen_matches.threshold,
						current_setting('sanctions.similarity_threshold')::real) AS t,
			   current_setting('sanctions.weak_alias_threshold')::real AS weak_t,
			   coalesce(screen_matches.kind, CASE WHEN screen_matches.birth_date IS NOT NULL THEN 'person' END) AS k
	), candidate AS (
		SELECT DISTINCT ON (e.entity_id)
			   e.entity_id, l.code AS list_code, e.source_id, en.raw_name, en.name, en.name_kind,
			   s.name_score, a.adjustment, a.details, v.version_id, q.n, q.t
		FROM q
			 JOIN sanctions.entity_name en
			   ON en.name OPERATOR(sanctions.%>) sanctions.name_query(q.n, greatest(q.t - 0.08::real, 0::real))
			 JOIN sanctions.entity e ON e.entity_id = en.entity_id AND e.valid_to IS NULL
			 JOIN sanctions.list l ON l.list_id = e.list_id
			 JOIN sanctions.list_version v ON v.list_id = l.list_id AND v.is_current
			 CROSS JOIN LATERAL (SELECT sanctions.similarity(q.n, en.name) AS name_score OFFSET 0) s
			 CROSS JOIN LATERAL sanctions.attribute_adjustment(e.entity_id, screen_matches.birth_date,
															   screen_matches.country) a
		WHERE (q.k IS NULL OR e.kind IN (q.k, 'unknown'))
		  AND (screen_matches.lists IS NULL OR l.code = ANY (screen_matches.lists))
		  AND ((en.name_kind <> 'weak_alias' AND NOT en.weak) OR s.name_score >= q.weak_t)
		  AND least(s.name_score + a.adjustment, 1) >= q.t
		ORDER BY e.entity_id, least(s.name_score + a.adjustment, 1) DESC, s.name_score DESC, en.name_id
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
	IF current_setting('sanctions.audit_screening')::boolean THEN
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
			EXECUTE format('CREATE TEMP TABLE sanctions_screen_hits ON COMMIT DROP AS
				SELECT s.key, s.name, m.*
				FROM (%s WHERE c.%I IS NOT NULL AND ($1 IS NULL OR c.%I > $1::%s) AND c.%I <= $2::%s) s
					 CROSS JOIN LATERAL sanctions.screen_matches(s.name, $3, NULL, s.kind, $4, s.birth_date, s.country) m',
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
	IF current_setting('sanctions.audit_screening')::boolean THEN
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
	t real := coalesce(threshold, current_setting('sanctions.similarity_threshold')::real);
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
			   OR s.name_score >= current_setting('sanctions.weak_alias_threshold')::real)
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
	IF current_setting('sanctions.audit_screening')::boolean THEN
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
	IF current_setting('sanctions.audit_screening')::boolean THEN
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
REVOKE ALL ON FUNCTION sanctions.current_list_versions(), sanctions.attribute_adjustment(bigint, date, text),
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
GRANT EXECUTE ON FUNCTION sanctions.current_list_versions(), sanctions.attribute_adjustment(bigint, date, text),
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
