-- demo/seed_case.sql: the README's main job, after the lists are loaded.
--
-- Screens the persons and companies of the seed case (OFAC's July 2024
-- designation of a Chinese procurement network for North Korea, program
-- NPWMD) against every loaded list: in list spelling, in Chinese characters,
-- reordered, with typos and with other legal-form spellings, and a few clean
-- names that must not hit.  Then the same with dates of birth, a batch
-- re-screening of a small counterparty table and a trigger blocking an insert.
\set ON_ERROR_STOP 1
SELECT count(*) = 0 AS no_lists FROM sanctions.list_version WHERE is_current \gset
\if :no_lists
\echo 'No list is loaded: load one first, e.g. SELECT sanctions.load_ofac_sdn(pg_read_binary_file(''/path/to/sdn.csv''), published => ''2024-05-03'');'
\quit
\endif

\echo
\echo '== Lists screened against'
SELECT l.code AS list, v.version_id AS version, v.published, (v.counts->>'entities')::int AS entities,
       (v.counts->>'names')::int AS names
FROM sanctions.list l JOIN sanctions.list_version v ON v.list_id = l.list_id AND v.is_current
ORDER BY l.code;

\echo
\echo '== The seed case, spelled many ways (best hit per name, threshold = sanctions.similarity_threshold)'
SELECT q.variant, q.query, coalesce(h.list_code, 'no hit') AS list, h.source_id AS id, h.matched_name,
       round(h.score::numeric, 3) AS score, sanctions.explanation_text(h.explanation) AS why
FROM (VALUES
    (1, 'list spelling', 'CHEN, Tianxin'),
    (2, 'Chinese characters', '陈天新'),
    (3, 'reordered', 'Tianxin Chen'),
    (4, 'typo', 'Chen Tianxim'),
    (5, 'list spelling', 'SHI, Qianpei'),
    (6, 'Chinese characters', '施乾培'),
    (7, 'typo, reordered', 'Qianpie Shi'),
    (8, 'Chinese characters', '石安辉'),
    (9, 'reordered', 'Dongliang Wang'),
    (10, 'Chinese characters', '王东亮'),
    (11, 'typo', 'Du Jiaxing'),
    (12, 'Chinese characters', '韩德建'),
    (13, 'list spelling', 'BEIJING JINGHUA QIDI ELECTRONIC TECHNOLOGY CO., LTD.'),
    (14, 'other legal form', 'Beijing Jinghua Qidi Electronic Technology Company Limited'),
    (15, 'other legal form', 'Beijing Sanshunda Electronics Science & Technology Company Limited'),
    (16, 'punctuation, legal form', 'Yidatong (Tianjin) Metal Materials Co. Ltd.'),
    (17, 'typo', 'Qidong Hengcheng Electronic Factory'),
    (18, 'word dropped', 'Shenzhen Mean Well Electronics Co Ltd'),
    (19, 'former a.k.a.', 'Shenzhen Mingwei Electric Appliance Co., Ltd.'),
    (20, 'Chinese characters', '北京京华启迪电子科技有限公司'),
    (21, 'clean', 'Maria Garcia Lopez'),
    (22, 'clean', 'Siemens AG'),
    (23, 'clean', 'Tianjin Port Logistics Co Ltd'),
    (24, 'clean', 'Beijing Huawei Electronics Co Ltd')
  ) AS q(n, variant, query)
  LEFT JOIN LATERAL sanctions.screen(q.query, max_results => 1) h ON true
ORDER BY q.n;

\echo
\echo '== Secondary attributes: a matching date of birth raises the score, a contradicting one lowers it'
SELECT q.birth_date, q.country, h.source_id AS id, h.matched_name, round(h.name_score::numeric, 3) AS name_score,
       round(h.score::numeric, 3) AS score, sanctions.explanation_text(h.explanation) AS why
FROM (VALUES ('Chen Tianxim', DATE '1987-07-28', 'China'), ('Chen Tianxim', NULL, NULL),
             ('Chen Tianxim', DATE '1961-03-02', 'France')) AS q(name, birth_date, country)
  LEFT JOIN LATERAL sanctions.screen(q.name, birth_date => q.birth_date, country => q.country, threshold => 0.5,
                                     max_results => 1) h ON true;

\echo
\echo '== Batch re-screening of a counterparty table: hits become alerts'
CREATE TEMP TABLE counterparty (id int PRIMARY KEY, name text, birth_date date);
INSERT INTO counterparty VALUES
    (1, 'Tianxin Chen', '1987-07-28'), (2, 'Acme Industrial Supplies Ltd', NULL),
    (3, 'Yidatong Tianjin Metal Materials Company Limited', NULL), (4, 'Wang Dongliang', '1988-01-10'),
    (5, 'Li Wei', '1990-05-05'), (6, 'Qidong Hengcheng Electronics Factory', NULL);
SELECT * FROM sanctions.screen_table('counterparty', 'name', 'id', birth_date_column => 'birth_date');
SELECT a.alert_id, a.counterparty_key AS key, a.counterparty_name, a.list_code AS list, a.source_id AS id,
       a.matched_name, round(a.score::numeric, 3) AS score, a.status
FROM sanctions.alert a WHERE a.counterparty_table = pg_my_temp_schema()::regnamespace::text || '.counterparty'
ORDER BY a.alert_id;

\echo
\echo '== A trigger in block mode: the insert fails with SQLSTATE SN001, naming the hit'
CREATE TEMP TABLE payee (id serial PRIMARY KEY, name text);
CREATE TRIGGER payee_screen BEFORE INSERT OR UPDATE OF name ON payee
    FOR EACH ROW EXECUTE FUNCTION sanctions.screen_trigger('name', 'block');
INSERT INTO payee (name) VALUES ('Global Widgets GmbH');
\set ON_ERROR_STOP 0
\set SHOW_CONTEXT never
INSERT INTO payee (name) VALUES ('Shi Anhui');
\echo 'SQLSTATE' :LAST_ERROR_SQLSTATE
