-- test/namesim.sql: the namesim index is exact over the full OFAC SDN list.
--
-- Loads every primary name and alias of the OFAC SDN list (2024-05-03 names,
-- 2024-09 aliases), indexes them with namesim, and screens more than 500
-- queries made from real names by rules (as is, tokens reversed, a typo,
-- first token dropped) plus names of another list (UK), comparing what an
-- index scan, a bitmap scan and a sequential scan return for %, for %> with
-- a per-query threshold and for the top 10 of ORDER BY <-> (compared by
-- distances, so ties may come in any order).
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only true
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT plan(17);

-- raw lines of the legacy OFAC CSV (one field per line; a trailing 0x1A line)
CREATE TEMP TABLE sdn_line (line text);
\copy sdn_line FROM 'data/ofac/2024-05-03/sdn.csv' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02', ENCODING 'LATIN1')
CREATE TEMP TABLE alt_raw (ent_num text, alt_num text, alt_type text, alt_name text, alt_remarks text);
\copy alt_raw FROM 'data/ofac/2024-09/alt.csv' WITH (FORMAT csv, HEADER true, ENCODING 'LATIN1')
CREATE TEMP TABLE uk_raw (uid text, gid text, name text, regime text, type text, source text, designated text, sanctions text);
\copy uk_raw FROM 'data/uk/FCDO_UK_Sanctions_List_2025-08-11.csv' WITH (FORMAT csv, HEADER true)

-- the normalized form of a raw name, or NULL if it names nothing
CREATE FUNCTION pg_temp.norm(raw text) RETURNS sanctions.normname
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RETURN raw::sanctions.normname;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END $$;

CREATE TEMP TABLE ofac_raw AS
    SELECT m[1]::int AS ent_num, m[2] AS raw
      FROM sdn_line, regexp_match(line, '^(\d+),"([^"]*)"') AS m
    UNION ALL
    SELECT ent_num::int, alt_name FROM alt_raw WHERE alt_name <> '-0- ';

CREATE TEMP TABLE ofac_names (id serial PRIMARY KEY, ent_num int, raw text, name sanctions.normname);
INSERT INTO ofac_names (ent_num, raw, name)
    SELECT ent_num, raw, pg_temp.norm(raw) FROM ofac_raw ORDER BY ent_num, raw;

SELECT cmp_ok((SELECT count(*) FROM ofac_names WHERE name IS NOT NULL), '>', 30000::bigint,
              'the OFAC SDN names and aliases are loaded and normalized');

CREATE INDEX ofac_names_name_idx ON ofac_names USING namesim (name);
ANALYZE ofac_names;
SELECT lives_ok('SELECT sanctions.namesim_check(''ofac_names_name_idx'', true)',
                'namesim_check finds the index built over the OFAC list consistent');

-- queries: real names and rule-made variants, and names of another list
CREATE TEMP TABLE base AS
    SELECT raw FROM ofac_names
     WHERE id % 97 = 3 AND name IS NOT NULL AND raw ~ '\S+\s+\S+'
     ORDER BY id LIMIT 130;
CREATE TEMP TABLE query_raw (kind text, raw text);
INSERT INTO query_raw
    SELECT 'exact', raw FROM base
    UNION ALL
    SELECT 'reorder', array_to_string(ARRAY(SELECT t FROM regexp_split_to_table(raw, '\s+') WITH ORDINALITY AS s(t, o) ORDER BY o DESC), ' ') FROM base
    UNION ALL
    SELECT 'typo', left(raw, length(raw) / 2 - 1) || substr(raw, length(raw) / 2 + 1, 1)
                   || substr(raw, length(raw) / 2, 1) || substr(raw, length(raw) / 2 + 2) FROM base
    UNION ALL
    SELECT 'drop token', regexp_replace(raw, '^\S+\s+', '') FROM base
    UNION ALL
    (SELECT 'other list', name FROM uk_raw WHERE name ~ '\S+\s+\S+' ORDER BY uid LIMIT 100);
CREATE TEMP TABLE queries AS
    SELECT row_number() OVER (ORDER BY kind, raw) AS qid, kind, raw, pg_temp.norm(raw) AS name
      FROM query_raw;
DELETE FROM queries WHERE name IS NULL;
ANALYZE queries;

SELECT cmp_ok((SELECT count(*) FROM queries), '>=', 500::bigint, 'at least 500 screening queries');

-- EXPLAIN text of a query, to pin plans
CREATE FUNCTION pg_temp.plan_of(query text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    line text;
    result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        result := result || line || E'\n';
    END LOOP;
    RETURN result;
END $$;

-- Ground truth by sequential scan.  Full scans of 33,000 rows for each of
-- 500+ queries would take many minutes, so the truth skips the rows that
-- share no block key with the query (found by a hash join of the names'
-- and the queries' sanctions.block_keys, not by namesim): the scorer's
-- contract (similarity.h) gives them similarity 0, i.e. distance 1, and a
-- full-scan check on a sample of queries guards that contract.  The rest
-- is scored once with <->; % and %> are evaluated on the rows close enough
-- to possibly pass them.
CREATE TEMP TABLE name_keys AS
    SELECT id, unnest(sanctions.block_keys(name)) AS k FROM ofac_names WHERE name IS NOT NULL;
CREATE TEMP TABLE query_keys AS
    SELECT DISTINCT qid, unnest(sanctions.block_keys(name)) AS k FROM queries;
ANALYZE name_keys; ANALYZE query_keys;

CREATE TEMP TABLE result_of (method text, op text, qid bigint, ids int[], dists float8[]);

CREATE FUNCTION pg_temp.run_truth(every int) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    SET LOCAL enable_indexscan = off;
    SET LOCAL enable_bitmapscan = off;
    -- OFFSET 0 keeps d computed once per pair
    CREATE TEMP TABLE truth ON COMMIT DROP AS
        SELECT qid, id, d,
               CASE WHEN d <= 0.25 THEN name OPERATOR(sanctions.%) qname ELSE false END AS pct,
               CASE WHEN d <= 0.55 THEN name OPERATOR(sanctions.%>) sanctions.name_query(qname, 0.5)
                    ELSE false END AS pctq
          FROM (SELECT p.qid, p.id, n.name, q.name AS qname,
                       (n.name OPERATOR(sanctions.<->) q.name)::float8 AS d
                  FROM (SELECT DISTINCT qk.qid, nk.id FROM query_keys qk JOIN name_keys nk USING (k)
                         WHERE qk.qid % every = 0) p
                  JOIN queries q USING (qid) JOIN ofac_names n USING (id)
                OFFSET 0) pairs;
    INSERT INTO result_of
        SELECT 'seqscan', '%', q.qid, coalesce(array_agg(t.id ORDER BY t.id) FILTER (WHERE t.pct), '{}'), NULL
          FROM queries q LEFT JOIN truth t USING (qid) WHERE q.qid % every = 0 GROUP BY q.qid;
    INSERT INTO result_of
        SELECT 'seqscan', '%>', q.qid, coalesce(array_agg(t.id ORDER BY t.id) FILTER (WHERE t.pctq), '{}'), NULL
          FROM queries q LEFT JOIN truth t USING (qid) WHERE q.qid % every = 0 GROUP BY q.qid;
    INSERT INTO result_of
        SELECT 'seqscan', '<->', q.qid, NULL,
               (coalesce(array_agg(t.d ORDER BY t.d) FILTER (WHERE t.rank <= 10), '{}')
                || array_fill(1::float8, ARRAY[10]))[1:10]
          FROM queries q
          LEFT JOIN (SELECT qid, d, row_number() OVER (PARTITION BY qid ORDER BY d) AS rank FROM truth) t
               USING (qid)
         WHERE q.qid % every = 0
         GROUP BY q.qid;
    DROP TABLE truth;
END $$;

CREATE FUNCTION pg_temp.run_index(method text, every int) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    SET LOCAL enable_seqscan = off;
    EXECUTE format('SET LOCAL enable_indexscan = %s', method = 'indexscan');
    EXECUTE format('SET LOCAL enable_bitmapscan = %s', method = 'bitmapscan');
    INSERT INTO result_of
        SELECT method, '%', q.qid,
               ARRAY(SELECT n.id FROM ofac_names n
                      WHERE n.name OPERATOR(sanctions.%) q.name ORDER BY n.id), NULL
          FROM queries q WHERE q.qid % every = 0;
    INSERT INTO result_of
        SELECT method, '%>', q.qid,
               ARRAY(SELECT n.id FROM ofac_names n
                      WHERE n.name OPERATOR(sanctions.%>) sanctions.name_query(q.name, 0.5)
                      ORDER BY n.id), NULL
          FROM queries q WHERE q.qid % every = 0;
    IF method = 'indexscan' THEN
        INSERT INTO result_of
            SELECT method, '<->', q.qid, NULL,
                   ARRAY(SELECT d FROM (SELECT (n.name OPERATOR(sanctions.<->) q.name)::float8 AS d
                                          FROM ofac_names n
                                         ORDER BY n.name OPERATOR(sanctions.<->) q.name
                                         LIMIT 10) AS top ORDER BY d)
              FROM queries q WHERE q.qid % every = 0;
    END IF;
END $$;

SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT ok(pg_temp.plan_of('SELECT n.id FROM queries q, ofac_names n WHERE n.name OPERATOR(sanctions.%) q.name')
          ~ 'Index Scan using ofac_names_name_idx',
          'index scan plan for %');
SELECT ok(pg_temp.plan_of('SELECT id FROM ofac_names ORDER BY name OPERATOR(sanctions.<->) ''john smith''::sanctions.normname LIMIT 10')
          ~ 'Index Scan using ofac_names_name_idx',
          'ordered index scan plan for <->');
SET LOCAL enable_indexscan = off;
SET LOCAL enable_bitmapscan = on;
SELECT ok(pg_temp.plan_of('SELECT n.id FROM queries q, ofac_names n WHERE n.name OPERATOR(sanctions.%>) sanctions.name_query(q.name, 0.5)')
          ~ 'Bitmap Index Scan on ofac_names_name_idx',
          'bitmap scan plan for %>');
RESET enable_seqscan; RESET enable_indexscan; RESET enable_bitmapscan;

SELECT pg_temp.run_truth(1);
SELECT pg_temp.run_index('indexscan', 1);
SELECT pg_temp.run_index('bitmapscan', 1);

-- the comparisons must not be vacuous
SELECT cmp_ok((SELECT count(*) FROM result_of WHERE method = 'seqscan' AND op = '%' AND ids <> '{}'),
              '>=', 300::bigint, 'most queries find matches with %');
SELECT cmp_ok((SELECT sum(cardinality(ids)) FROM result_of WHERE method = 'seqscan' AND op = '%>'),
              '>', (SELECT sum(cardinality(ids)) FROM result_of WHERE method = 'seqscan' AND op = '%'),
              '%> with a lower threshold finds more rows than %');
SELECT cmp_ok((SELECT count(*) FROM result_of r JOIN queries q USING (qid)
                WHERE method = 'seqscan' AND op = '%' AND q.kind = 'typo' AND ids <> '{}'),
              '>=', 50::bigint, 'typo variants still find their names');

CREATE FUNCTION pg_temp.mismatches(a text, b text, operator text) RETURNS bigint
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT count(*) FROM
        (SELECT * FROM result_of WHERE method = a AND op = operator) x
        FULL JOIN (SELECT * FROM result_of WHERE method = b AND op = operator) y USING (qid)
     WHERE x.ids IS DISTINCT FROM y.ids OR x.dists IS DISTINCT FROM y.dists
        OR x.qid IS NULL OR y.qid IS NULL
$$;

SELECT is(pg_temp.mismatches('indexscan', 'seqscan', '%'), 0::bigint, 'index scan = seqscan for %');
SELECT is(pg_temp.mismatches('bitmapscan', 'seqscan', '%'), 0::bigint, 'bitmap scan = seqscan for %');
SELECT is(pg_temp.mismatches('indexscan', 'seqscan', '%>'), 0::bigint, 'index scan = seqscan for %> name_query(q, 0.5)');
SELECT is(pg_temp.mismatches('bitmapscan', 'seqscan', '%>'), 0::bigint, 'bitmap scan = seqscan for %> name_query(q, 0.5)');
SELECT is(pg_temp.mismatches('indexscan', 'seqscan', '<->'), 0::bigint, 'ordered index scan = seqscan for the top 10 by <-> (up to ties)');

-- a sample of queries against full sequential scans, without the key test
SET LOCAL enable_indexscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT is((SELECT count(*) FROM queries q
            WHERE q.qid % 25 = 0
              AND ARRAY(SELECT n.id FROM ofac_names n
                         WHERE n.name OPERATOR(sanctions.%>) sanctions.name_query(q.name, 0.5)
                         ORDER BY n.id)
                  IS DISTINCT FROM (SELECT ids FROM result_of r
                                     WHERE r.method = 'indexscan' AND r.op = '%>' AND r.qid = q.qid)),
          0::bigint, 'full sequential scans agree with the index on a sample of queries');
RESET enable_indexscan; RESET enable_bitmapscan;

-- after deleting a third of the rows (the index still holds them), still
-- exact (on every fifth query, to keep the test short)
DELETE FROM ofac_names WHERE id % 3 = 0;
DELETE FROM result_of;
SELECT pg_temp.run_truth(5);
SELECT pg_temp.run_index('indexscan', 5);
SELECT is(pg_temp.mismatches('indexscan', 'seqscan', '%') + pg_temp.mismatches('indexscan', 'seqscan', '<->'),
          0::bigint, 'index scans = seqscan after deleting a third of the rows');
SELECT lives_ok('SELECT sanctions.namesim_check(''ofac_names_name_idx'', true)',
                'namesim_check passes after the deletes');

SELECT * FROM finish();
ROLLBACK;
