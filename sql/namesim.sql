--
-- namesim: the similarity index access method on sanctions.normname.
-- Plans (index, bitmap and ordered scans), results equal to sequential
-- scans, the per-query threshold (%> sanctions.name_query), the operator
-- class validator, sanctions.namesim_check, VACUUM and space reuse,
-- REINDEX, REINDEX CONCURRENTLY, unlogged tables and the planner's choice.
--
SET search_path = sanctions, public;

-- real names from the OFAC SDN list (2024-05-03), some aliases, and NULLs
CREATE TABLE ns_names (id int PRIMARY KEY, name sanctions.normname);
INSERT INTO ns_names VALUES
  (1, 'PUTIN, Vladimir Vladimirovich'), (2, 'SECHIN, Igor Ivanovich'),
  (3, 'SECHIN, Ivan Igorevich'), (4, 'TIMCHENKO, Gennady Nikolayevich'),
  (5, 'ROTENBERG, Arkady Romanovich'), (6, 'ROTENBERG, Boris Romanovich'),
  (7, 'ROTENBERG, Roman Borisovich'), (8, 'ROTENBERG, Igor Arkadyevich'),
  (9, 'ROTENBERG, Boris Borisovich'), (10, 'ROTENBERG, Pavel Arkadyevich'),
  (11, 'KOVALCHUK, Yuri Valentinovich'), (12, 'KOVALCHUK, Kirill Mikhailovich'),
  (13, 'KADYROV, Ramzan Akhmatovich'), (14, 'DERIPASKA, Oleg Vladimirovich'),
  (15, 'BANK MELLI IRAN'), (16, 'BANK SEPAH'), (17, 'BANK SEPAH INTERNATIONAL PLC'),
  (18, 'MAHAN AIR'), (19, 'HAMAS'), (20, 'AL-QADRI, Ahmad'),
  (21, 'AL-QATIRJI, Muhammad'), (22, 'AL-QATIRJI COMPANY'),
  (23, 'ROSNEFT TRADING S.A.'), (24, 'SBERBANK EUROPE AG'),
  (25, 'GAZPROM BURENIE, OOO'), (26, NULL), (27, NULL),
  (28, 'Vladimir Putin'), (29, 'Wladimir Putin'), (30, 'Igor Setchin');

CREATE INDEX ns_names_idx ON ns_names USING namesim (name);
SELECT sanctions.namesim_check('ns_names_idx', true);

-- the operator class is valid
SELECT opc.opcname, amvalidate(opc.oid)
  FROM pg_opclass opc JOIN pg_am am ON am.oid = opc.opcmethod
 WHERE am.amname = 'namesim';

-- the same queries by sequential scan, index scan and bitmap scan
CREATE TABLE ns_queries (q text);
INSERT INTO ns_queries VALUES ('Vladimir Putin'), ('PUTIN Vladimir'), ('Igor Sechin'),
  ('Rotenberg Boris'), ('Bank Melli'), ('Bank Sepah'), ('Al Qatirji Mohammed'),
  ('Kovalchuk Yury'), ('Mahan Airlines'), ('John Smith');
CREATE TABLE ns_results (method text, q text, ids int[], top3 float4[]);
CREATE FUNCTION ns_run(method text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ns_results
    SELECT method, q.q,
           ARRAY(SELECT id FROM ns_names WHERE name % q.q::sanctions.normname ORDER BY id),
           ARRAY(SELECT d FROM (SELECT name <-> q.q::sanctions.normname AS d FROM ns_names
                                 ORDER BY name <-> q.q::sanctions.normname LIMIT 3) t ORDER BY d)
      FROM ns_queries q;
  INSERT INTO ns_results
    SELECT method || ' %>', q.q,
           ARRAY(SELECT id FROM ns_names WHERE name %> sanctions.name_query(q.q, 0.6) ORDER BY id),
           NULL
      FROM ns_queries q;
END $$;
SET enable_indexscan = off; SET enable_bitmapscan = off;
SELECT ns_run('seqscan');
SET enable_seqscan = off; SET enable_indexscan = on;
SELECT ns_run('indexscan');
SET enable_indexscan = off; SET enable_bitmapscan = on;
SELECT ns_run('bitmapscan');
RESET enable_seqscan; RESET enable_indexscan; RESET enable_bitmapscan;
-- what the sequential scan finds
SELECT q, ids, top3 FROM ns_results WHERE method = 'seqscan' ORDER BY q;
SELECT q, ids FROM ns_results WHERE method = 'seqscan %>' ORDER BY q;
-- no differences (the bitmap run cannot order, so its top3 came from a sort)
SELECT a.method, a.q, a.ids, b.ids, a.top3, b.top3
  FROM ns_results a JOIN ns_results b USING (q)
 WHERE b.method = replace(replace(a.method, 'indexscan', 'seqscan'), 'bitmapscan', 'seqscan')
   AND a.method <> b.method
   AND (a.ids IS DISTINCT FROM b.ids OR a.top3 IS DISTINCT FROM b.top3);

-- plans
SET enable_seqscan = off; SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM ns_names WHERE name % 'vladimir putin';
EXPLAIN (COSTS OFF) SELECT id FROM ns_names WHERE name %> sanctions.name_query('vladimir putin', 0.7);
EXPLAIN (COSTS OFF) SELECT id FROM ns_names ORDER BY name <-> 'vladimir putin' LIMIT 3;
SET enable_indexscan = off; SET enable_bitmapscan = on;
EXPLAIN (COSTS OFF) SELECT id FROM ns_names WHERE name % 'vladimir putin';
RESET enable_seqscan; RESET enable_indexscan; RESET enable_bitmapscan;

-- an ordered scan returns every row, nearest first, NULLs never
SET enable_seqscan = off;
SELECT id, name, round((name <-> 'vladimir putin')::numeric, 2) AS dist
  FROM ns_names ORDER BY name <-> 'vladimir putin', id LIMIT 5;
SELECT count(*) FROM (SELECT id FROM ns_names ORDER BY name <-> 'vladimir putin') t;
-- a qual and an order together
SELECT id, name FROM ns_names WHERE name % 'rotenberg boris'
 ORDER BY name <-> 'rotenberg boris', id;
RESET enable_seqscan;

-- the namequery type
SELECT sanctions.name_query('PUTIN, Vladimir', 0.75);
SELECT sanctions.name_query('putin'::sanctions.normname, 1);
SELECT '0.5:Bank Melli'::sanctions.namequery;
SELECT sanctions.namequery_threshold('0.5:Bank Melli'), sanctions.namequery_name('0.5:Bank Melli');
SELECT 'Bank Melli'::sanctions.namequery;
SELECT 'x:Bank Melli'::sanctions.namequery;
SELECT sanctions.name_query('putin', 1.5);
SELECT sanctions.name_query('putin', 'NaN');

-- insert after build, delete, VACUUM; freed space is reused
INSERT INTO ns_names SELECT id + 100, name FROM ns_names WHERE id <= 25;
SELECT sanctions.namesim_check('ns_names_idx', true);
SET enable_seqscan = off;
SELECT id FROM ns_names WHERE name % 'vladimir putin' ORDER BY id;
RESET enable_seqscan;
CREATE TEMP TABLE ns_size AS SELECT pg_relation_size('ns_names_idx') AS before;
DELETE FROM ns_names WHERE id > 100;
VACUUM ns_names;
SELECT sanctions.namesim_check('ns_names_idx', true);
INSERT INTO ns_names SELECT id + 200, name FROM ns_names WHERE id <= 25;
SELECT pg_relation_size('ns_names_idx') = before AS space_reused FROM ns_size;
SET enable_seqscan = off;
SELECT id FROM ns_names WHERE name % 'vladimir putin' ORDER BY id;
RESET enable_seqscan;

-- REINDEX and REINDEX CONCURRENTLY
REINDEX INDEX ns_names_idx;
SELECT sanctions.namesim_check('ns_names_idx', true);
REINDEX INDEX CONCURRENTLY ns_names_idx;
SELECT sanctions.namesim_check('ns_names_idx', true);
SET enable_seqscan = off;
SELECT id FROM ns_names WHERE name % 'vladimir putin' ORDER BY id;
RESET enable_seqscan;

-- the bucket count can be set; a bad value is refused
CREATE INDEX ns_names_b64 ON ns_names USING namesim (name) WITH (buckets = 64);
SELECT pg_relation_size('ns_names_b64') / current_setting('block_size')::int AS blocks;
SELECT sanctions.namesim_check('ns_names_b64', true);
DROP INDEX ns_names_b64;
CREATE INDEX ns_names_bad ON ns_names USING namesim (name) WITH (buckets = -1);

-- namesim_check refuses what is not a namesim index
SELECT sanctions.namesim_check('ns_names_pkey');
SELECT sanctions.namesim_check('ns_names');

-- only normname can be indexed
CREATE TABLE ns_text (t text);
CREATE INDEX ON ns_text USING namesim (t);

-- unlogged tables: the init fork is a valid empty index
CREATE UNLOGGED TABLE ns_unlogged (name sanctions.normname);
CREATE INDEX ns_unlogged_idx ON ns_unlogged USING namesim (name);
INSERT INTO ns_unlogged SELECT name FROM ns_names WHERE id <= 10;
SELECT sanctions.namesim_check('ns_unlogged_idx', true);
SET enable_seqscan = off;
SELECT name FROM ns_unlogged WHERE name % 'igor sechin';
RESET enable_seqscan;

-- the planner uses the index for a selective % on a larger table
CREATE TABLE ns_big AS
  SELECT i AS id, (a.t || ' ' || b.t || ' ' || c.t)::sanctions.normname AS name
    FROM generate_series(1, 20000) i,
         LATERAL (SELECT (ARRAY['Ivanov','Petrov','Sidorov','Smirnov','Kuznetsov','Popov','Volkov','Sokolov','Lebedev','Kozlov'])[1 + i % 10] AS t) a,
         LATERAL (SELECT (ARRAY['Anna','Boris','Elena','Fedor','Galina','Igor','Kirill','Lidia','Maxim','Nina','Oleg','Pavel','Roman','Sofia','Yuri'])[1 + (i / 10) % 15] AS t) b,
         LATERAL (SELECT 'x' || (i / 150)::text || 'z' || chr(97 + i % 26) || chr(97 + (i / 26) % 26) || chr(97 + (i / 676) % 26) AS t) c;
CREATE INDEX ns_big_idx ON ns_big USING namesim (name);
ANALYZE ns_big;
EXPLAIN (COSTS OFF) SELECT id FROM ns_big WHERE name % 'Ivanov Anna x0zaaa';
EXPLAIN (COSTS OFF) SELECT id FROM ns_big ORDER BY name <-> 'Ivanov Anna x0zaaa' LIMIT 10;

DROP TABLE ns_names, ns_queries, ns_results, ns_text, ns_unlogged, ns_big;
DROP FUNCTION ns_run(text);
