-- bench/screening.sql: run by bench/screening (see there), in a database with the lists loaded.
\set QUIET on
SET client_min_messages = warning;
\o /dev/null
REINDEX INDEX sanctions.entity_name_namesim;
SELECT sanctions.refresh_token_stats() AS tokens \gset
ANALYZE;

-- the counterparties: listed names as is, reordered, with a typo, and clean names
CREATE TABLE counterparty (id int PRIMARY KEY, name text NOT NULL, source_entity bigint);
WITH listed AS (
  SELECT row_number() OVER (ORDER BY n.name_id) AS i, n.entity_id, n.raw_name
  FROM sanctions.entity_name n JOIN sanctions.entity e USING (entity_id)
  WHERE e.valid_to IS NULL AND n.name IS NOT NULL AND n.name_kind <> 'weak_alias'
)
INSERT INTO counterparty
SELECT g, CASE g % 4
            WHEN 0 THEN l.raw_name
            WHEN 1 THEN array_to_string(ARRAY(SELECT w FROM regexp_split_to_table(l.raw_name, '[ ,]+') WITH ORDINALITY AS t(w, o)
                                              WHERE w <> '' ORDER BY o DESC), ' ')
            WHEN 2 THEN regexp_replace(l.raw_name, '([[:alpha:]]{3})[[:alpha:]]([[:alpha:]]{2})', '\1\2')
            ELSE initcap(s.first || ' ' || s.last)
          END,
       CASE WHEN g % 4 <> 3 THEN l.entity_id END
FROM generate_series(1, :n) g
     CROSS JOIN LATERAL (SELECT count(*) AS c FROM listed) t
     JOIN listed l ON l.i = 1 + (g::bigint * 7919) % t.c
     CROSS JOIN LATERAL (
       SELECT string_agg((ARRAY['ka','lo','mi','ne','ru','sa','te','vi','zo','pe','do','fu'])[1 + abs(hashint4(g * 7 + k)) % 12], '') AS first,
              string_agg((ARRAY['ba','ce','di','go','ha','ji','ku','li','mo','nu','po','qi'])[1 + abs(hashint4(g * 13 + k)) % 12], '') AS last
       FROM generate_series(1, 3) k) s;
ANALYZE counterparty;
CREATE TABLE counterparty_sample AS SELECT * FROM counterparty WHERE id <= :sample;
ALTER TABLE counterparty_sample ADD PRIMARY KEY (id);
CREATE TABLE counterparty_seq_sample AS SELECT * FROM counterparty WHERE id <= :seq_sample;
ANALYZE counterparty_sample, counterparty_seq_sample;

-- pg_trgm equivalent: trigram similarity on the same canonical text, GIN index
CREATE INDEX entity_name_trgm ON sanctions.entity_name USING gin ((name::text) gin_trgm_ops);
ANALYZE sanctions.entity_name;

CREATE TEMP TABLE result (method text, index text, rows int, seconds numeric, hits bigint, recall numeric);

CREATE FUNCTION pg_temp.run(method text, idx text, q text, nrows int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; t1 timestamptz;
BEGIN
  DROP TABLE IF EXISTS hits;
  t0 := clock_timestamp();
  EXECUTE 'CREATE TABLE hits AS ' || q;   -- CREATE TABLE AS may run in parallel, INSERT ... SELECT may not
  t1 := clock_timestamp();
  INSERT INTO result
  SELECT method, idx, nrows, extract(epoch FROM t1 - t0)::numeric, (SELECT count(*) FROM hits),
         (SELECT round(100.0 * count(*) FILTER (WHERE EXISTS (SELECT FROM hits h WHERE h.id = c.id AND h.entity_id = c.source_entity))
                       / nullif(count(*), 0), 1)
          FROM counterparty c WHERE c.id <= nrows AND c.source_entity IS NOT NULL);
END $$;

-- 1. screen_table (chunks, alerts recorded); the sample is too small for parallel workers by default
DO $$
DECLARE t0 timestamptz := clock_timestamp(); r record;
BEGIN
  SELECT * INTO r FROM sanctions.screen_table('counterparty_sample', 'name', 'id', chunk_rows => 1000);
  INSERT INTO result
  SELECT 'sanctions.screen_table()', 'namesim', r.rows_screened, extract(epoch FROM clock_timestamp() - t0)::numeric, r.hits,
         (SELECT round(100.0 * count(*) FILTER (WHERE EXISTS (SELECT FROM sanctions.alert a WHERE a.counterparty_key = c.id::text
                                                              AND a.entity_id = c.source_entity)) / count(*), 1)
          FROM counterparty_sample c WHERE c.source_entity IS NOT NULL);
END $$;

-- 2. LATERAL screen_matches, serial and with parallel workers
SET max_parallel_workers_per_gather = 0;
SELECT pg_temp.run('LATERAL screen_matches(), serial', 'namesim',
  'SELECT c.id, m.entity_id FROM counterparty_sample c CROSS JOIN LATERAL sanctions.screen_matches(c.name, max_results => NULL) m',
  :sample);
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SELECT pg_temp.run('screen_matches() in target list, 2 workers', 'namesim',
  'SELECT h.id, (h.m).entity_id FROM (SELECT c.id, sanctions.screen_matches(c.name, max_results => NULL) AS m
                                      FROM counterparty_sample c) h',
  :sample);
DELETE FROM sanctions.alert;
DO $$
DECLARE t0 timestamptz := clock_timestamp(); r record;
BEGIN
  SELECT * INTO r FROM sanctions.screen_table('counterparty_sample', 'name', 'id', chunk_rows => 1000);
  INSERT INTO result VALUES ('sanctions.screen_table(), 2 workers', 'namesim', r.rows_screened,
                             extract(epoch FROM clock_timestamp() - t0)::numeric, r.hits, NULL);
END $$;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;

-- 3. without the index (sequential scan of the list names per counterparty)
SET enable_indexscan = off; SET enable_bitmapscan = off;
SELECT pg_temp.run('LATERAL screen_matches(), serial', 'none (seq scan)',
  'SELECT c.id, m.entity_id FROM counterparty_seq_sample c CROSS JOIN LATERAL sanctions.screen_matches(c.name, max_results => NULL) m',
  :seq_sample);
RESET enable_indexscan; RESET enable_bitmapscan;

-- 4. pg_trgm: name::text % normalize(counterparty) at the same threshold, GIN index, and without it
SELECT set_config('pg_trgm.similarity_threshold', current_setting('sanctions.similarity_threshold'), false) \gset
SELECT pg_temp.run('pg_trgm %, serial', 'GIN gin_trgm_ops',
  'SELECT DISTINCT c.id, n.entity_id FROM counterparty_sample c JOIN sanctions.entity_name n
     ON n.name::text OPERATOR(public.%) sanctions.normalize(c.name) JOIN sanctions.entity e ON e.entity_id = n.entity_id AND e.valid_to IS NULL',
  :sample);
SET enable_indexscan = off; SET enable_bitmapscan = off;
SELECT pg_temp.run('pg_trgm %, serial', 'none (seq scan)',
  'SELECT DISTINCT c.id, n.entity_id FROM counterparty_seq_sample c JOIN sanctions.entity_name n
     ON n.name::text OPERATOR(public.%) sanctions.normalize(c.name) JOIN sanctions.entity e ON e.entity_id = n.entity_id AND e.valid_to IS NULL',
  :seq_sample);
RESET enable_indexscan; RESET enable_bitmapscan;

\o
\set QUIET off
\echo
\echo 'Lists screened against (current versions)'
SELECT l.code AS list, count(DISTINCT e.entity_id) AS entities, count(n.name_id) AS names
FROM sanctions.list l JOIN sanctions.entity e ON e.list_id = l.list_id AND e.valid_to IS NULL
     LEFT JOIN sanctions.entity_name n ON n.entity_id = e.entity_id GROUP BY 1 ORDER BY 1;
\echo
\echo 'Batch re-screening throughput (threshold = sanctions.similarity_threshold, recall = perturbed listed names finding their own entity)'
SELECT r.method, r.index, r.rows AS timed_rows, round(r.seconds, 2) AS seconds,
       round(r.rows / nullif(r.seconds, 0)) AS names_per_s,
       round(r.rows / nullif(r.seconds, 0) / (SELECT x.rows / nullif(x.seconds, 0) FROM result x
                                               WHERE x.method = 'pg_trgm %, serial' AND x.index = 'GIN gin_trgm_ops'), 2) AS vs_trgm_gin,
       r.hits, r.recall AS recall_pct,
       to_char(make_interval(secs => :n / nullif(r.rows / nullif(r.seconds, 0), 0)), 'HH24:MI:SS') AS full_table_estimate
FROM result r;
\echo 'full_table_estimate: time for all' :n 'counterparties at that throughput'
