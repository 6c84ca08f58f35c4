-- Lists on the real data: the full OFAC SDN lists of 2024-02-20 and 2024-05-03
-- (and the update between them), a consistent 2021 SDN set with aliases,
-- addresses and comments, the OFAC consolidated list, the UN consolidated list
-- and the OpenSanctions Zala Aero cluster with its ownership edges.
-- Expected counts come from the raw files, read here line by line without the
-- loaders (or, where noted, were counted by hand-written scripts over the raw
-- files), never from the loaders' own output.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
SET client_min_messages = error;  -- the loads warn of the few names normalization rejects

BEGIN;
SELECT plan(47);

-- the raw files, one row per physical line
CREATE TEMP TABLE raw (file text, n bigserial, line text);
\copy raw(line) FROM 'data/ofac/2024-02-20/sdn.csv' WITH (FORMAT csv, DELIMITER E'\x1f', QUOTE E'\x1e')
UPDATE raw SET file = 'sdn0220' WHERE file IS NULL;
\copy raw(line) FROM 'data/ofac/2024-05-03/sdn.csv' WITH (FORMAT csv, DELIMITER E'\x1f', QUOTE E'\x1e')
UPDATE raw SET file = 'sdn0503' WHERE file IS NULL;
\copy raw(line) FROM 'data/ofac/cons/cons_prim.csv' WITH (FORMAT csv, DELIMITER E'\x1f', QUOTE E'\x1e')
UPDATE raw SET file = 'cons' WHERE file IS NULL;
\copy raw(line) FROM 'data/ofac/2021/sdn.csv' WITH (FORMAT csv, DELIMITER E'\x1f', QUOTE E'\x1e')
UPDATE raw SET file = 'sdn2021' WHERE file IS NULL;
CREATE TEMP TABLE raw_entry AS
	SELECT file, split_part(line, ',', 1) AS id, line,
	       substring(line FROM '^[0-9]+,"(?:[^"]|"")*",("[a-z]+"|-0- ),') AS sdn_type
	FROM raw WHERE line ~ '^[0-9]+,';

-------------------------------------------------------------------------------
-- SDN 2024-02-20, then 2024-05-03
-------------------------------------------------------------------------------
\set f `base64 -w0 data/ofac/2024-02-20/sdn.csv`
SELECT version_id AS v0220 FROM sanctions.load_ofac_sdn(decode(:'f', 'base64'), published => '2024-02-20') \gset
\set f `base64 -w0 data/ofac/2024-05-03/sdn.csv`
SELECT version_id AS v0503 FROM sanctions.load_ofac_sdn(decode(:'f', 'base64'), published => '2024-05-03') \gset
ANALYZE sanctions.entity, sanctions.entity_name, sanctions.list_version_diff;  -- plans for the checks

SELECT is((SELECT count(*) FROM sanctions.current_entity WHERE list_code = 'ofac_sdn'), 14965::bigint,
          'SDN 2024-05-03 has its 14,965 entries');
SELECT is((SELECT count(*) FROM sanctions.current_entity WHERE list_code = 'ofac_sdn'),
          (SELECT count(*) FROM raw_entry WHERE file = 'sdn0503'), 'one current entity per line of sdn.csv');
SELECT is((SELECT count(*) FROM sanctions.entity_at('ofac_sdn', :v0220)),
          (SELECT count(*) FROM raw_entry WHERE file = 'sdn0220'), 'the 2024-02-20 version is still queryable whole');
SELECT is((SELECT array_agg(n ORDER BY k) FROM (SELECT kind AS k, count(*) AS n FROM sanctions.current_entity
                                                 WHERE list_code = 'ofac_sdn' GROUP BY kind) AS x),
          (SELECT array_agg(n ORDER BY k) FROM (
               SELECT CASE sdn_type WHEN '"individual"' THEN 'person' WHEN '"vessel"' THEN 'vessel'
                                    WHEN '"aircraft"' THEN 'aircraft' ELSE 'organization' END AS k, count(*) AS n
               FROM raw_entry WHERE file = 'sdn0503' GROUP BY 1) AS x),
          'aircraft, organizations, persons, vessels as SDN_Type says');
SELECT is((SELECT count(*) FROM sanctions.current_entity WHERE list_code = 'ofac_sdn' AND kind = 'person'),
          6854::bigint, '6,854 individuals');

-- the update, against a comparison of the raw lines by entry number
CREATE TEMP TABLE raw_diff AS
	SELECT count(*) FILTER (WHERE a.id IS NULL) AS added, count(*) FILTER (WHERE b.id IS NULL) AS removed,
	       count(*) FILTER (WHERE a.line <> b.line) AS changed
	FROM (SELECT id, line FROM raw_entry WHERE file = 'sdn0220') AS a
	     FULL JOIN (SELECT id, line FROM raw_entry WHERE file = 'sdn0503') AS b USING (id);
SELECT is((SELECT array_agg(n ORDER BY c) FROM (SELECT change AS c, count(*) AS n FROM sanctions.list_version_diff
                                                 WHERE version_id = :v0503 GROUP BY change) AS x),
          (SELECT ARRAY[added, changed, removed] FROM raw_diff), 'diff: added, changed, removed entries');
SELECT is((SELECT ARRAY[(counts->>'added')::bigint, (counts->>'removed')::bigint, (counts->>'changed')::bigint]
           FROM sanctions.list_version WHERE version_id = :v0503), ARRAY[1140, 106, 37]::bigint[],
          'version counts: 1,140 added, 106 removed, 37 changed');
SELECT is((SELECT count(*) FROM sanctions.entity e JOIN sanctions.list l USING (list_id) WHERE l.code = 'ofac_sdn'),
          (SELECT count(*) + added + changed FROM raw_entry, raw_diff WHERE file = 'sdn0220' GROUP BY added, changed),
          'unchanged entries keep their row: one new row per added or changed entry');
SELECT is((SELECT count(*) FROM sanctions.entity e JOIN sanctions.list l USING (list_id)
           WHERE l.code = 'ofac_sdn' AND e.valid_to = :v0503),
          (SELECT removed + changed FROM raw_diff), 'removed and changed states are closed by the new version');
SELECT ok((SELECT bool_and(d.old_entity_id IS NOT NULL AND d.new_entity_id IS NOT NULL
                           AND o.content_hash <> n.content_hash AND o.source_id = n.source_id)
           FROM sanctions.list_version_diff d JOIN sanctions.entity o ON o.entity_id = d.old_entity_id
                JOIN sanctions.entity n ON n.entity_id = d.new_entity_id
           WHERE d.version_id = :v0503 AND d.change = 'changed'), 'a changed entry links its old and new state');
SELECT is((SELECT string_agg(is_current::text, ',' ORDER BY version_id) FROM sanctions.list_version v
           JOIN sanctions.list l USING (list_id) WHERE l.code = 'ofac_sdn'), 'false,true', 'only the newest version is current');

-- the weak a.k.a. / f.k.a. of the remarks (3,576 + 87 quoted names, counted by a script over
-- the raw remarks; 3 more are cut by the 1000-character field limit and left out)
SELECT is((SELECT count(*) FROM sanctions.current_entity e JOIN sanctions.entity_name n USING (entity_id)
           WHERE e.list_code = 'ofac_sdn' AND n.weak), 3663::bigint, 'weak names of the remarks');
SELECT is((SELECT count(*) FROM sanctions.current_entity e JOIN sanctions.entity_name n USING (entity_id)
           WHERE e.list_code = 'ofac_sdn' AND n.name_kind = 'primary'), 14965::bigint, 'one primary name per entry');
SELECT is((SELECT count(*) FROM sanctions.current_entity e JOIN sanctions.entity_name n USING (entity_id)
           WHERE e.list_code = 'ofac_sdn' AND n.name IS NULL),
          (SELECT (counts->>'names_not_normalized')::bigint FROM sanctions.list_version WHERE version_id = :v0503),
          'names without a normalized form are the ones counted');
SELECT is((SELECT count(*) FROM sanctions.current_entity e JOIN sanctions.entity_name n USING (entity_id)
           WHERE e.list_code = 'ofac_sdn' AND n.name IS NULL AND NOT n.weak), 0::bigint,
          'every primary name and strong alias has a normalized form');

-- known entries, field by field
SELECT is((SELECT ARRAY[kind, caption, array_to_string(programs, ','), gender, title] FROM sanctions.current_entity
           WHERE list_code = 'ofac_sdn' AND source_id = '2686'),
          ARRAY['person', 'NASRALLAH, Hasan', 'SDGT,SYRIA', 'male', 'Secretary General of Hizballah'], '2686: the entry');
SELECT is((SELECT array_agg(b.date_from::text || '/' || b.date_precision ORDER BY b.date_from)
           FROM sanctions.current_entity e JOIN sanctions.entity_birth_date b USING (entity_id)
           WHERE e.list_code = 'ofac_sdn' AND e.source_id = '2686'),
          ARRAY['1953-08-31/exact', '1955-08-31/exact', '1958-08-31/exact', '1960-08-31/exact'], '2686: four dates of birth');
SELECT is((SELECT p.place FROM sanctions.current_entity e JOIN sanctions.entity_birth_place p USING (entity_id)
           WHERE e.list_code = 'ofac_sdn' AND e.source_id = '2686'), 'Al Basuriyah, Lebanon', '2686: place of birth');
SELECT is((SELECT array_agg(ARRAY[i.id_type, i.value, i.country]) FROM sanctions.current_entity e
           JOIN sanctions.entity_identifier i USING (entity_id) WHERE e.list_code = 'ofac_sdn' AND e.source_id = '2686'),
          ARRAY[ARRAY['passport', '042833', 'Lebanon']], '2686: passport');
SELECT is((SELECT r.target_source_id FROM sanctions.current_entity e JOIN sanctions.entity_relation r USING (entity_id)
           WHERE e.list_code = 'ofac_sdn' AND e.source_id = '2686'),
          (SELECT source_id FROM sanctions.current_entity WHERE list_code = 'ofac_sdn' AND caption = 'HIZBALLAH'),
          '2686: Linked To: HIZBALLAH');
SELECT is((SELECT ARRAY[kind, details->>'call_sign', details->>'vessel_type', details->>'gross_registered_tonnage',
                        details->>'owner', (SELECT country FROM sanctions.entity_country c WHERE c.entity_id = e.entity_id)]
           FROM sanctions.current_entity e WHERE list_code = 'ofac_sdn' AND source_id = '4238'),
          ARRAY['vessel', 'CL2192', 'Tug', '212', 'Samir de Navegacion S.A.', 'Cuba'], '4238 MAR AZUL: the vessel');
SELECT is((SELECT ARRAY[e.kind, i.id_type, i.value, r.target_name] FROM sanctions.current_entity e
           JOIN sanctions.entity_identifier i USING (entity_id) JOIN sanctions.entity_relation r USING (entity_id)
           WHERE e.list_code = 'ofac_sdn' AND e.source_id = '15431'),
          ARRAY['aircraft', 'aircraft_serial', '1023409321', 'POUYA AIR'], '15431 EP-GOM: the aircraft');

-- the same files again: nothing new
SELECT is((SELECT version_id FROM sanctions.load_ofac_sdn(decode(:'f', 'base64'), published => '2024-05-03')), :v0503::bigint,
          'reloading the current files returns the current version');

-------------------------------------------------------------------------------
-- SDN of 2021, a same-day set of all four files
-------------------------------------------------------------------------------
\set s `base64 -w0 data/ofac/2021/sdn.csv`
\set a `base64 -w0 data/ofac/2021/alt.csv`
\set d `base64 -w0 data/ofac/2021/add.csv`
\set c `base64 -w0 data/ofac/2021/sdn_comments.csv`
SELECT version_id AS v2021 FROM sanctions.load_ofac_sdn(decode(:'s', 'base64'), decode(:'a', 'base64'), decode(:'d', 'base64'),
                                                        decode(:'c', 'base64'), published => '2021-01-01',
                                                        list_code => 'ofac_sdn_2021') \gset
ANALYZE sanctions.entity, sanctions.entity_name;
SELECT is((SELECT count(*) FROM sanctions.current_entity WHERE list_code = 'ofac_sdn_2021'),
          (SELECT count(*) FROM raw_entry WHERE file = 'sdn2021'), '2021: one entity per line');
-- alt.csv has 11,910 rows, 2 of them repeat a row of the same entry (counted by a script)
SELECT is((SELECT count(*) FROM sanctions.current_entity e JOIN sanctions.entity_name n USING (entity_id)
           WHERE e.list_code = 'ofac_sdn_2021' AND n.name_kind IN ('alias', 'former_name') AND NOT n.weak),
          11908::bigint, '2021: the aliases of alt.csv');
-- add.csv has 13,837 rows, 2,397 of them all "-0-" (counted by a script)
SELECT is((SELECT count(*) FROM sanctions.current_entity e JOIN sanctions.entity_address a USING (entity_id)
           WHERE e.list_code = 'ofac_sdn_2021'), 11440::bigint, '2021: the addresses of add.csv');
SELECT is((SELECT array_agg(n.raw_name) FROM sanctions.current_entity e JOIN sanctions.entity_name n USING (entity_id)
           WHERE e.list_code = 'ofac_sdn_2021' AND e.source_id = '306' AND n.name_kind = 'alias'),
          ARRAY['NATIONAL BANK OF CUBA'], '306: alias');
SELECT is((SELECT array_agg(a.full_address ORDER BY a.full_address) FROM sanctions.current_entity e
           JOIN sanctions.entity_address a USING (entity_id) WHERE e.list_code = 'ofac_sdn_2021' AND e.source_id = '306'),
          ARRAY['Avenida de Concha Espina 8, Madrid E-28036, Spain',
                'Dai-Ichi Bldg. 6th Floor, 10-2 Nihombashi, 2-chome, Chuo-ku, Tokyo 103, Japan',
                'Federico Boyd Avenue & 51 Street, Panama City, Panama',
                'Zweierstrasse 35, Zurich CH-8022, Switzerland'], '306: four addresses');
SELECT is((SELECT n.raw_name FROM sanctions.current_entity e JOIN sanctions.entity_name n USING (entity_id)
           WHERE e.list_code = 'ofac_sdn_2021' AND e.source_id = '306' AND n.weak), 'BNC', '306: weak alias');
-- entry 12300's remarks are cut at "PROMO RAI" in sdn.csv and go on with "Z S.A.S." in sdn_comments.csv
SELECT ok((SELECT remarks LIKE '%Linked To: PROMO RAIZ S.A.S.; Linked To: %' FROM sanctions.current_entity
           WHERE list_code = 'ofac_sdn_2021' AND source_id = '12300'), '12300: remarks continued from the comments file');
SELECT ok((SELECT count(*) FROM sanctions.current_entity e JOIN sanctions.entity_relation r USING (entity_id)
           WHERE e.list_code = 'ofac_sdn_2021' AND e.source_id = '12300' AND r.target_name LIKE 'PROMO RAIZ S.A.S%') = 1,
          '12300: the relation that spans both files');

-------------------------------------------------------------------------------
-- OFAC consolidated (non-SDN) list
-------------------------------------------------------------------------------
\set s `base64 -w0 data/ofac/cons/cons_prim.csv`
\set a `base64 -w0 data/ofac/cons/cons_alt.csv`
\set d `base64 -w0 data/ofac/cons/cons_add.csv`
\set c `base64 -w0 data/ofac/cons/cons_comments.csv`
SELECT version_id AS vcons FROM sanctions.load_ofac_cons(decode(:'s', 'base64'), decode(:'a', 'base64'), decode(:'d', 'base64'),
                                                         decode(:'c', 'base64'), published => '2021-01-01') \gset
ANALYZE sanctions.entity, sanctions.entity_name;
SELECT is((SELECT count(*) FROM sanctions.current_entity WHERE list_code = 'ofac_cons'), 442::bigint, 'consolidated: 442 entries');
SELECT is((SELECT count(*) FROM sanctions.current_entity WHERE list_code = 'ofac_cons' AND kind = 'person'),
          (SELECT count(*) FROM raw_entry WHERE file = 'cons' AND sdn_type = '"individual"'), 'consolidated: individuals');
-- cons_alt.csv: 1,073 distinct rows; cons_add.csv: 522 of 574 rows not all "-0-" (counted by a script)
SELECT is((SELECT count(*) FROM sanctions.current_entity e JOIN sanctions.entity_name n USING (entity_id)
           WHERE e.list_code = 'ofac_cons' AND n.name_kind IN ('alias', 'former_name') AND NOT n.weak),
          1073::bigint, 'consolidated: aliases');
SELECT is((SELECT count(*) FROM sanctions.current_entity e JOIN sanctions.entity_address a USING (entity_id)
           WHERE e.list_code = 'ofac_cons'), 522::bigint, 'consolidated: addresses');

-------------------------------------------------------------------------------
-- UN Security Council consolidated list, 2018-10-29
-------------------------------------------------------------------------------
\set u `base64 -w0 data/un/consolidated-2018-10-29.xml`
SELECT version_id AS vun FROM sanctions.load_un_xml(decode(:'u', 'base64')) \gset
ANALYZE sanctions.entity, sanctions.entity_name;
SELECT is((SELECT published FROM sanctions.list_version WHERE version_id = :vun), '2018-10-29'::date,
          'UN: publication date from dateGenerated');
SELECT is((SELECT count(*) FROM sanctions.current_entity WHERE list_code = 'un_sc' AND kind = 'person'),
          (SELECT regexp_count(convert_from(decode(:'u', 'base64'), 'UTF8'), '<INDIVIDUAL>')::bigint), 'UN: 703 individuals');
SELECT is((SELECT count(*) FROM sanctions.current_entity WHERE list_code = 'un_sc' AND kind = 'organization'),
          (SELECT regexp_count(convert_from(decode(:'u', 'base64'), 'UTF8'), '<ENTITY>')::bigint), 'UN: 390 entities');
-- 411 non-blank NAME_ORIGINAL_SCRIPT; 2,650 distinct non-blank aliases per entry and quality class (by a script)
SELECT is((SELECT count(*) FROM sanctions.current_entity e JOIN sanctions.entity_name n USING (entity_id)
           WHERE e.list_code = 'un_sc' AND n.name_kind = 'original_script'), 411::bigint, 'UN: names in original script');
SELECT is((SELECT count(*) FROM sanctions.current_entity e JOIN sanctions.entity_name n USING (entity_id)
           WHERE e.list_code = 'un_sc' AND n.name_kind IN ('alias', 'weak_alias', 'former_name')), 2650::bigint, 'UN: aliases');
SELECT is((SELECT array_agg(n.name_kind || ':' || n.raw_name ORDER BY n.name_kind, n.raw_name)
           FROM sanctions.current_entity e JOIN sanctions.entity_name n USING (entity_id)
           WHERE e.list_code = 'un_sc' AND e.source_id = 'QDi.317'),
          ARRAY['alias:Abu Mohamed al-Jawlani', 'alias:Amjad Muzaffar Hussein Ali al-Naimi', 'original_script:أبو محمد الجولاني',
                'primary:ABU MOHAMMED AL-JAWLANI', 'weak_alias:Abu Ashraf', 'weak_alias:شيخ الفاتح ، الفاتح'],
          'QDi.317: names by quality');
SELECT is((SELECT ARRAY[b.raw, b.date_from::text, b.date_to::text, b.date_precision, c.country, e.programs[1]]
           FROM sanctions.current_entity e JOIN sanctions.entity_birth_date b USING (entity_id)
           JOIN sanctions.entity_country c USING (entity_id) WHERE e.list_code = 'un_sc' AND e.source_id = 'QDi.317'),
          ARRAY['1975 to 1979', '1975-01-01', '1979-12-31', 'range', 'Syrian Arab Republic', 'Al-Qaida'],
          'QDi.317: birth years between, nationality, program');
SELECT is((SELECT ARRAY[b.date_from::text, b.date_precision, i.id_type, i.value]
           FROM sanctions.current_entity e JOIN sanctions.entity_birth_date b USING (entity_id)
           JOIN sanctions.entity_identifier i USING (entity_id) WHERE e.list_code = 'un_sc' AND e.source_id = 'KPi.033'),
          ARRAY['1964-07-17', 'exact', 'passport', '381310014'], 'KPi.033: date of birth and passport');

-------------------------------------------------------------------------------
-- OpenSanctions FollowTheMoney: the Zala Aero cluster
-------------------------------------------------------------------------------
\set z `base64 -w0 data/ownership/zala.entities.ftm.json`
SELECT version_id AS vftm FROM sanctions.load_ftm(decode(:'z', 'base64')) \gset
ANALYZE sanctions.entity, sanctions.entity_name;
-- 6 Person and 8 Company entities with "target": true; 14 Ownership entities (counted by a script)
SELECT is((SELECT array_agg(n ORDER BY k) FROM (SELECT kind AS k, count(*) AS n FROM sanctions.current_entity
                                                 WHERE list_code = 'opensanctions' GROUP BY kind) AS x),
          ARRAY[8, 6]::bigint[], 'FtM: 8 organizations, 6 persons');
SELECT is((SELECT count(*) FROM sanctions.ownership o JOIN sanctions.list l USING (list_id)
           WHERE l.code = 'opensanctions' AND o.valid_to IS NULL), 14::bigint, 'FtM: 14 ownership edges');
SELECT is((SELECT array_agg(share::text || ' ' || coalesce(end_date::text, 'open') ORDER BY share)
           FROM sanctions.ownership o JOIN sanctions.list l USING (list_id)
           WHERE l.code = 'opensanctions' AND owner_ref = 'NK-aU5ybkbRFJucf8YMwsJvDw' AND owned_ref = 'NK-abdzbEBkqyT29GyREbiURZ'),
          ARRAY['48 2023-12-21', '50 2023-03-02', '51 open'], 'FtM: Zakharov''s stakes in LLC CST over time');
SELECT ok((SELECT 'UA-SA1644' = ANY (programs) AND caption = 'LLC CST' FROM sanctions.current_entity
           WHERE list_code = 'opensanctions' AND source_id = 'NK-abdzbEBkqyT29GyREbiURZ'),
          'FtM: the owned company is a listed entity with its programs');

SELECT * FROM finish();
ROLLBACK;
