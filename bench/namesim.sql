-- bench/namesim.sql: run by bench/namesim (see there).  psql variables:
-- gen (generated names), queries (latency sample), batch, trgm (threshold).
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION sanctions;
CREATE EXTENSION pg_trgm;
SET search_path = public, sanctions;
SELECT set_config('pg_trgm.similarity_threshold', :'trgm', false) \gset
SET maintenance_work_mem = '256MB';

-- 1. every list name in data/
CREATE TABLE list_raw (raw text);
CREATE TEMP TABLE lines (line text);
\copy lines FROM 'data/ofac/2024-05-03/sdn.csv' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02', ENCODING 'LATIN1')
\copy lines FROM 'data/ofac/cons/cons_prim.csv' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02', ENCODING 'LATIN1')
INSERT INTO list_raw SELECT m[1] FROM lines, regexp_match(line, '^\d+,"([^"]*)"') m;
TRUNCATE lines;
\copy lines FROM 'data/ofac/cons/cons_alt.csv' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02', ENCODING 'LATIN1')
INSERT INTO list_raw SELECT m[1] FROM lines, regexp_match(line, '^\d+,\d+,"[^"]*","([^"]*)"') m;
CREATE TEMP TABLE alt (ent text, alt text, typ text, name text, remarks text);
\copy alt FROM 'data/ofac/2024-09/alt.csv' WITH (FORMAT csv, HEADER true, ENCODING 'LATIN1')
INSERT INTO list_raw SELECT name FROM alt WHERE name <> '-0- ';
CREATE TEMP TABLE uk (a text, b text, name text, c text, d text, e text, f text, g text);
\copy uk FROM 'data/uk/FCDO_UK_Sanctions_List_2025-08-11.csv' WITH (FORMAT csv, HEADER true)
INSERT INTO list_raw SELECT name FROM uk;
CREATE TEMP TABLE dpl (name text, a text, b text, c text, d text, e text, f text, g text, h text, i text, j text, k text);
\copy dpl FROM 'data/us/dpl.txt' WITH (FORMAT csv, DELIMITER E'\t', HEADER true)
INSERT INTO list_raw SELECT name FROM dpl;
CREATE TEMP TABLE csl_lines (line text);
\copy csl_lines FROM 'data/us/csl_subset.csv' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02')
INSERT INTO list_raw
  SELECT m[1] FROM csl_lines, regexp_match(line, '^"[^"]*","[^"]*","[^"]*","[^"]*","[^"]*","([^"]*)"') m;
TRUNCATE lines;
\copy lines FROM 'data/un/consolidated-2018-10-29.xml' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02')
INSERT INTO list_raw
  SELECT concat_ws(' ', (xpath('FIRST_NAME/text()', p))[1], (xpath('SECOND_NAME/text()', p))[1],
                   (xpath('THIRD_NAME/text()', p))[1], (xpath('FOURTH_NAME/text()', p))[1])
    FROM (SELECT xmlparse(document string_agg(line, E'\n')) AS x FROM lines) d,
         unnest(xpath('//INDIVIDUAL|//ENTITY', x)) p;

CREATE FUNCTION pg_temp.norm(raw text) RETURNS sanctions.normname
LANGUAGE plpgsql AS $$
BEGIN RETURN raw::sanctions.normname; EXCEPTION WHEN OTHERS THEN RETURN NULL; END $$;

CREATE TABLE names_lists (id serial PRIMARY KEY, name sanctions.normname, t text);
INSERT INTO names_lists (name) SELECT n FROM (SELECT pg_temp.norm(raw) n FROM list_raw) s WHERE n IS NOT NULL;
UPDATE names_lists SET t = name::text;

-- 2. generated names from the lists' tokens, skewed towards frequent ones
CREATE TABLE tokens AS
  SELECT t, count(*) AS freq FROM names_lists, regexp_split_to_table(t, '[ ,]+') t
   WHERE t ~ '^[a-z]{3,}$' GROUP BY t;
CREATE TEMP TABLE tok AS SELECT array_agg(t ORDER BY freq DESC, t) AS a, count(*)::int AS n FROM tokens;
CREATE TABLE names_generated (id serial PRIMARY KEY, name sanctions.normname, t text);
INSERT INTO names_generated (name)
  SELECT (a[1 + floor(n * ((abs(hashint4(i * 3)) % 1000000) / 1e6) ^ 2)::int] || ' ' ||
          a[1 + floor(n * ((abs(hashint4(i * 3 + 1)) % 1000000) / 1e6) ^ 2)::int] ||
          CASE WHEN i % 3 = 0 THEN ' ' || a[1 + floor(n * ((abs(hashint4(i * 3 + 2)) % 1000000) / 1e6) ^ 2)::int] ELSE '' END
         )::sanctions.normname
    FROM generate_series(1, :gen) i, tok;
UPDATE names_generated SET t = name::text;
VACUUM ANALYZE names_lists;
VACUUM ANALYZE names_generated;

-- 3. queries: variants of sampled names (source known) and non-matching names
CREATE FUNCTION pg_temp.syllables(seed int) RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(substr('bdfgklmnprstvz', 1 + abs(hashint4(seed * 31 + k)) % 14, 1)
                    || substr('aeiou', 1 + abs(hashint4(seed * 17 + k)) % 5, 1)
                    || CASE WHEN k % 3 = 2 THEN ' ' ELSE '' END, '' ORDER BY k)
    FROM generate_series(0, 6) k $$;
CREATE TABLE queries (dataset text, qid int, src int, name sanctions.normname, t text);
CREATE FUNCTION pg_temp.make_queries(dataset text, tab regclass, n int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE total int;
BEGIN
  EXECUTE format('SELECT max(id) FROM %s', tab) INTO total;
  EXECUTE format($q$
    INSERT INTO queries
    SELECT %L, row_number() OVER (), src, pg_temp.norm(v), NULL FROM (
      SELECT s.id AS src,
             CASE k % 4
               WHEN 0 THEN s.t
               WHEN 1 THEN array_to_string(ARRAY(SELECT x FROM regexp_split_to_table(s.t, ' ') WITH ORDINALITY r(x, o) ORDER BY o DESC), ' ')
               WHEN 2 THEN left(s.t, length(s.t) / 2) || 'x' || substr(s.t, length(s.t) / 2 + 2)
               ELSE regexp_replace(s.t, '^\S+\s+', '') END AS v
        FROM generate_series(1, %s) k
        JOIN %s s ON s.id = 1 + abs(hashint4(k * 7919)) %% %s
       WHERE s.t ~ '\S\s+\S'
      UNION ALL
      SELECT NULL, pg_temp.syllables(k) FROM generate_series(1, %s) k) v
     WHERE v IS NOT NULL $q$, dataset, n, tab, total, n);
END $$;
SELECT pg_temp.make_queries('lists', 'names_lists', (:batch + 1) / 2);
SELECT pg_temp.make_queries('generated', 'names_generated', (:batch + 1) / 2);
DELETE FROM queries WHERE name IS NULL;
UPDATE queries SET t = name::text;

-- 4. measurements
CREATE TABLE result (dataset text, method text, metric text, value float8);

CREATE FUNCTION pg_temp.measure(dataset text, tab text, method text, nqueries int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz; q record; lat_pct float8[] := '{}'; lat_knn float8[] := '{}';
  ddl text; col text; pct text; knn text; found int; recall_hits int := 0; recall_n int := 0;
BEGIN
  col := CASE method WHEN 'namesim' THEN 'name' ELSE 't' END;
  ddl := format('CREATE INDEX bench_idx ON %s USING %s (%s%s)', tab,
                CASE method WHEN 'namesim' THEN 'namesim' WHEN 'gin_trgm' THEN 'gin' ELSE 'gist' END,
                col, CASE method WHEN 'namesim' THEN '' WHEN 'gin_trgm' THEN ' gin_trgm_ops' ELSE ' gist_trgm_ops' END);
  t0 := clock_timestamp();
  EXECUTE ddl;
  INSERT INTO result VALUES (dataset, method, 'build s', extract(epoch FROM clock_timestamp() - t0));
  INSERT INTO result VALUES (dataset, method, 'index MB', pg_relation_size('bench_idx') / 1048576.0);
  EXECUTE format('ANALYZE %s', tab);
  SET LOCAL enable_seqscan = off;
  pct := CASE method WHEN 'namesim' THEN 'SELECT count(*) FROM %s WHERE name OPERATOR(sanctions.%%) $1'
                     ELSE 'SELECT count(*) FROM %s WHERE t OPERATOR(public.%%) $2' END;
  knn := CASE method WHEN 'namesim' THEN 'SELECT id FROM %s ORDER BY name OPERATOR(sanctions.<->) $1 LIMIT 10'
                     WHEN 'gist_trgm' THEN 'SELECT id FROM %s ORDER BY t OPERATOR(public.<->) $2 LIMIT 10' END;
  FOR q IN SELECT * FROM queries WHERE queries.dataset = measure.dataset ORDER BY qid LIMIT nqueries LOOP
    t0 := clock_timestamp();
    EXECUTE format(pct, tab) INTO found USING q.name, q.t;
    lat_pct := lat_pct || extract(epoch FROM clock_timestamp() - t0) * 1000;
    IF knn IS NOT NULL THEN
      t0 := clock_timestamp();
      EXECUTE format(knn, tab) USING q.name, q.t;
      lat_knn := lat_knn || extract(epoch FROM clock_timestamp() - t0) * 1000;
    END IF;
  END LOOP;
  INSERT INTO result SELECT dataset, method, '% p50 ms', percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(lat_pct) x;
  INSERT INTO result SELECT dataset, method, '% p99 ms', percentile_cont(0.99) WITHIN GROUP (ORDER BY x) FROM unnest(lat_pct) x;
  IF knn IS NOT NULL THEN
    INSERT INTO result SELECT dataset, method, 'top10 p50 ms', percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(lat_knn) x;
    INSERT INTO result SELECT dataset, method, 'top10 p99 ms', percentile_cont(0.99) WITHIN GROUP (ORDER BY x) FROM unnest(lat_knn) x;
  END IF;
  -- batch screening: every query of the dataset, one statement
  t0 := clock_timestamp();
  EXECUTE format(CASE method WHEN 'namesim' THEN
    'CREATE TEMP TABLE hits AS SELECT q.qid, q.src, n.id FROM queries q JOIN %s n ON n.name OPERATOR(sanctions.%%) q.name WHERE q.dataset = %L'
    ELSE 'CREATE TEMP TABLE hits AS SELECT q.qid, q.src, n.id FROM queries q JOIN %s n ON n.t OPERATOR(public.%%) q.t WHERE q.dataset = %L' END,
    tab, dataset);
  INSERT INTO result SELECT dataset, method, 'batch q/s',
    (SELECT count(*) FROM queries WHERE queries.dataset = measure.dataset) / extract(epoch FROM clock_timestamp() - t0);
  INSERT INTO result SELECT dataset, method, 'recall',
    (SELECT count(*) FROM queries x WHERE x.dataset = measure.dataset AND x.src IS NOT NULL
        AND EXISTS (SELECT 1 FROM hits h WHERE h.qid = x.qid AND h.id = x.src))::float8
    / (SELECT count(*) FROM queries x WHERE x.dataset = measure.dataset AND x.src IS NOT NULL);
  INSERT INTO result SELECT dataset, method, 'hits/query', (SELECT count(*) FROM hits)::float8
    / (SELECT count(*) FROM queries x WHERE x.dataset = measure.dataset);
  DROP TABLE hits;
  DROP INDEX bench_idx;
END $$;

SELECT pg_temp.measure('lists', 'names_lists', m, :queries) FROM unnest(ARRAY['namesim', 'gin_trgm', 'gist_trgm']) m;
SELECT pg_temp.measure('generated', 'names_generated', m, :queries) FROM unnest(ARRAY['namesim', 'gin_trgm', 'gist_trgm']) m;
INSERT INTO result
  SELECT 'lists', 'normname', 'column MB', (SELECT sum(pg_column_size(name)) FROM names_lists) / 1048576.0
  UNION ALL SELECT 'generated', 'normname', 'column MB', (SELECT sum(pg_column_size(name)) FROM names_generated) / 1048576.0;

\echo
SELECT dataset || ' (' || CASE dataset WHEN 'lists' THEN (SELECT count(*) FROM names_lists) ELSE (SELECT count(*) FROM names_generated) END || ' names)' AS dataset,
       metric,
       round(max(value) FILTER (WHERE method = 'namesim')::numeric, 3) AS namesim,
       round(max(value) FILTER (WHERE method = 'gin_trgm')::numeric, 3) AS gin_trgm,
       round(max(value) FILTER (WHERE method = 'gist_trgm')::numeric, 3) AS gist_trgm,
       round((max(value) FILTER (WHERE method = 'namesim') / nullif(max(value) FILTER (WHERE method = 'gin_trgm'), 0))::numeric, 2) AS "namesim/gin",
       round((max(value) FILTER (WHERE method = 'namesim') / nullif(max(value) FILTER (WHERE method = 'gist_trgm'), 0))::numeric, 2) AS "namesim/gist"
  FROM result WHERE method <> 'normname'
 GROUP BY dataset, metric
 ORDER BY dataset DESC, array_position(ARRAY['build s','index MB','% p50 ms','% p99 ms','top10 p50 ms','top10 p99 ms','batch q/s','recall','hits/query'], metric);
SELECT dataset, round(value::numeric, 3) AS "normname column MB",
       round(((SELECT value FROM result r WHERE r.dataset = c.dataset AND r.method = 'namesim' AND r.metric = 'index MB') / value)::numeric, 2) AS "namesim index/column"
  FROM result c WHERE method = 'normname' ORDER BY dataset DESC;
SELECT current_setting('pg_trgm.similarity_threshold') AS trgm_threshold,
       current_setting('sanctions.similarity_threshold') AS namesim_threshold,
       :queries AS latency_queries,
       (SELECT count(*) FROM queries WHERE dataset = 'generated') AS batch_queries;
