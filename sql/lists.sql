-- Lists: the OFAC legacy CSV loader on the seed case's own SDN rows and on
-- small hand-made files, versions and their difference, bad files.
SET client_min_messages = notice;
\set SHOW_CONTEXT never

-- A summary of everything the loaders write: a failed load must not change it.
CREATE FUNCTION pg_temp.lists_state() RETURNS text LANGUAGE sql AS $$
	SELECT format('lists %s versions %s entities %s names %s attributes %s edges %s diffs %s',
		(SELECT count(*) FROM sanctions.list), (SELECT count(*) FROM sanctions.list_version),
		(SELECT count(*) FROM sanctions.entity), (SELECT count(*) FROM sanctions.entity_name),
		(SELECT count(*) FROM sanctions.entity_birth_date) + (SELECT count(*) FROM sanctions.entity_identifier)
		+ (SELECT count(*) FROM sanctions.entity_country) + (SELECT count(*) FROM sanctions.entity_address),
		(SELECT count(*) FROM sanctions.ownership), (SELECT count(*) FROM sanctions.list_version_diff))
$$;

-------------------------------------------------------------------------------
-- The seed case: the 11 SDN rows of the July 2024 NPWMD network (Nov 2025 list)
-------------------------------------------------------------------------------
\set seed `base64 -w0 data/ofac/excerpts/2025-11_sdn_rows_49741-49764_NPWMD_PRC_network.csv`
SELECT version_id, published, is_current, loaded_by = session_user AS by_me,
       files->0->>'name' AS file, files->0->>'records' AS records, counts
FROM sanctions.load_ofac_sdn(decode(:'seed', 'base64'), published => '2025-11-14', list_code => 'seed',
                             file_names => '{excerpt.csv}');

SELECT source_id, kind, caption, programs, gender, title, details
FROM sanctions.current_entity WHERE list_code = 'seed' ORDER BY source_id;
-- names: the primary names and the one weak a.k.a. of the remarks
SELECT e.source_id, n.raw_name, n.name_kind, n.weak, n.name IS NOT NULL AS normalized
FROM sanctions.current_entity e JOIN sanctions.entity_name n USING (entity_id)
WHERE e.list_code = 'seed' ORDER BY e.source_id, n.name_id;
SELECT e.source_id, b.raw, b.date_from, b.date_to, b.date_precision
FROM sanctions.current_entity e JOIN sanctions.entity_birth_date b USING (entity_id)
WHERE e.list_code = 'seed' ORDER BY e.source_id;
SELECT e.source_id, p.place, p.country
FROM sanctions.current_entity e JOIN sanctions.entity_birth_place p USING (entity_id)
WHERE e.list_code = 'seed' ORDER BY e.source_id;
SELECT e.source_id, c.relation, c.country
FROM sanctions.current_entity e JOIN sanctions.entity_country c USING (entity_id)
WHERE e.list_code = 'seed' ORDER BY e.source_id, c.relation;
-- national ids of the persons, USCC of the companies
SELECT e.source_id, i.id_type, i.label, i.value, i.country, i.issued, i.expires
FROM sanctions.current_entity e JOIN sanctions.entity_identifier i USING (entity_id)
WHERE e.list_code = 'seed' ORDER BY e.source_id;
-- "Linked To:" resolved to the entry of the same list with that primary name
-- (CHOE, Chol Min is not in the excerpt)
SELECT e.source_id, r.relation, r.target_name, r.target_source_id
FROM sanctions.current_entity e JOIN sanctions.entity_relation r USING (entity_id)
WHERE e.list_code = 'seed' ORDER BY e.source_id;
-- the remarks are kept whole
SELECT remarks FROM sanctions.current_entity WHERE list_code = 'seed' AND source_id = '49742';

-------------------------------------------------------------------------------
-- Hand-made OFAC files: Latin-1 bytes, CRLF, 0x1A, -0-, remarks continued in
-- the comments file, every date form, identifiers, alias types, addresses,
-- a vessel and an aircraft.
-------------------------------------------------------------------------------
CREATE TEMP TABLE f (name text PRIMARY KEY, content bytea);
INSERT INTO f VALUES
('sdn1', convert_to(
'100,"TESTER, Anna","individual","SDGT] [IRGC",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 01 Jan 1961 to 31 Dec 1962; alt. DOB circa 1955; alt. DOB Aug 1946; alt. DOB 1979-1982; alt. DOB 31 Feb 1950; POB Zürich, Switzerland; nationality Iran; alt. nationality Iraq; citizen Germany; Gender Female; Passport A123456 (Iran) issued 01 Jan 2010 expires 31 Dec 2020; alt. Passport B98 (Iraq); Tax ID No. AABA 670850 Y; a.k.a. ''ANNIE''; f.k.a. ''OLD NAME''; Linked To: TEST SHIPP"' || E'\r\n' ||
'200,"TEST SHIPPING CO., LTD.",-0- ,"IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Vessel Registration Identification IMO 9999999; Registration Number 12345 (Iran); V.A.T. Number BG 121024920 (Bulgaria); Linked To: NOBODY KNOWN."' || E'\r\n' ||
'300,"SEA STAR","vessel","IRAN",-0- ,"EPBZ3","Crude Oil Tanker",-0- ,"158,000","Iran","TEST SHIPPING CO., LTD.","Vessel Registration Identification IMO 9187629; MMSI 422031200; Linked To: TEST SHIPPING CO., LTD."' || E'\r\n' ||
'400,"EP-ABC","aircraft","IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Aircraft Manufacturer''s Serial Number (MSN) 1023409321; Aircraft Model IL76-TD."' || E'\r\n' ||
'500,"O''BRIEN ""THE FIXER"", Sean","individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ' || E'\r\n' || chr(26),
'LATIN1')),
('alt1', convert_to(
E'100,1,"aka","TESTER, Ann",-0- \r\n100,2,"fka","MÜLLER, Anna",-0- \r\n200,3,"aka","TSC",-0- \r\n200,4,"weak aka","T.S.C.",-0- \r\n' || chr(26), 'LATIN1')),
('add1', convert_to(
E'200,10,"1 Harbour Road","Bandar Abbas","Iran",-0- \r\n200,11,-0- ,-0- ,-0- ,-0- \r\n100,12,-0- ,"Tehran","Iran","Some remark"\r\n' || chr(26), 'LATIN1')),
('cmt1', convert_to(E'100,"ING CO., LTD."\r\n' || chr(26), 'LATIN1'));

SELECT version_id, published, jsonb_path_query_array(files, '$[*].encoding') AS encodings, counts
FROM sanctions.load_ofac_sdn((SELECT content FROM f WHERE name = 'sdn1'), (SELECT content FROM f WHERE name = 'alt1'),
                             (SELECT content FROM f WHERE name = 'add1'), (SELECT content FROM f WHERE name = 'cmt1'),
                             published => '2024-01-10', list_code => 'test');
SELECT source_id, kind, caption, programs, gender, details
FROM sanctions.current_entity WHERE list_code = 'test' ORDER BY source_id;
SELECT e.source_id, n.raw_name, n.name_kind, n.weak
FROM sanctions.current_entity e JOIN sanctions.entity_name n USING (entity_id)
WHERE e.list_code = 'test' ORDER BY e.source_id, n.name_id;
SELECT b.raw, b.date_from, b.date_to, b.date_precision
FROM sanctions.current_entity e JOIN sanctions.entity_birth_date b USING (entity_id)
WHERE e.list_code = 'test' ORDER BY b.date_from NULLS LAST;
SELECT e.source_id, p.place, c.relation, c.country
FROM sanctions.current_entity e JOIN sanctions.entity_birth_place p USING (entity_id)
     JOIN sanctions.entity_country c USING (entity_id)
WHERE e.list_code = 'test' ORDER BY e.source_id, c.relation, c.country;
SELECT e.source_id, c.relation, c.country
FROM sanctions.current_entity e JOIN sanctions.entity_country c USING (entity_id)
WHERE e.list_code = 'test' AND e.kind = 'vessel';
SELECT e.source_id, i.id_type, i.label, i.value, i.country, i.issued, i.expires
FROM sanctions.current_entity e JOIN sanctions.entity_identifier i USING (entity_id)
WHERE e.list_code = 'test' ORDER BY e.source_id, i.id_type, i.value;
SELECT e.source_id, a.street, a.city, a.country, a.full_address, a.remarks
FROM sanctions.current_entity e JOIN sanctions.entity_address a USING (entity_id)
WHERE e.list_code = 'test' ORDER BY e.source_id, a.full_address;
-- the Linked To of entry 100 is cut in sdn.csv and continued in the comments file
SELECT e.source_id, r.target_name, r.target_source_id
FROM sanctions.current_entity e JOIN sanctions.entity_relation r USING (entity_id)
WHERE e.list_code = 'test' ORDER BY e.source_id;

-------------------------------------------------------------------------------
-- A newer version: 100 changed (new alias), 400 removed, 600 added, the others
-- unchanged (they keep their row)
-------------------------------------------------------------------------------
CREATE TEMP TABLE before_v2 AS
	SELECT source_id, entity_id FROM sanctions.current_entity WHERE list_code = 'test';
INSERT INTO f VALUES
('sdn2', convert_to(replace(replace(convert_from((SELECT content FROM f WHERE name = 'sdn1'), 'LATIN1'),
	E'400,"EP-ABC","aircraft","IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Aircraft Manufacturer''s Serial Number (MSN) 1023409321; Aircraft Model IL76-TD."\r\n', ''),
	chr(26), E'600,"NEW CORP",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'), 'LATIN1')),
('alt2', convert_to(E'100,1,"aka","TESTER, Ann",-0- \r\n100,2,"fka","MÜLLER, Anna",-0- \r\n100,5,"aka","TESTER, Annie",-0- \r\n200,3,"aka","TSC",-0- \r\n200,4,"weak aka","T.S.C.",-0- \r\n', 'LATIN1'));
SELECT version_id, published, counts->'added' AS added, counts->'removed' AS removed, counts->'changed' AS changed,
       counts->'entities' AS entities
FROM sanctions.load_ofac_sdn((SELECT content FROM f WHERE name = 'sdn2'), (SELECT content FROM f WHERE name = 'alt2'),
                             (SELECT content FROM f WHERE name = 'add1'), (SELECT content FROM f WHERE name = 'cmt1'),
                             published => '2024-02-10', list_code => 'test');
SELECT d.source_id, d.change, d.old_entity_id IS NOT NULL AS has_old, d.new_entity_id IS NOT NULL AS has_new
FROM sanctions.list_version_diff d JOIN sanctions.list_version v USING (version_id) JOIN sanctions.list l USING (list_id)
WHERE l.code = 'test' AND v.is_current ORDER BY d.source_id;
-- unchanged entities keep their entity_id; the changed one has a new row
SELECT b.source_id, b.entity_id = e.entity_id AS same_row
FROM before_v2 b LEFT JOIN sanctions.current_entity e ON e.list_code = 'test' AND e.source_id = b.source_id
ORDER BY b.source_id;
-- the previous version is still there as it was
SELECT v.published, count(*) AS entities, string_agg(e.source_id, ',' ORDER BY e.source_id) AS ids
FROM sanctions.list_version v JOIN sanctions.list l USING (list_id),
     LATERAL sanctions.entity_at('test', v.version_id) AS e
WHERE l.code = 'test' GROUP BY v.published ORDER BY v.published;
SELECT n.raw_name FROM sanctions.entity_at('test', (SELECT min(version_id) FROM sanctions.list_version v
       JOIN sanctions.list l USING (list_id) WHERE l.code = 'test')) AS e
     JOIN sanctions.entity_name n USING (entity_id)
WHERE e.source_id = '100' ORDER BY n.raw_name;
SELECT count(*) AS current_versions FROM sanctions.list_version v JOIN sanctions.list l USING (list_id)
WHERE l.code = 'test' AND v.is_current;

-- loading the same files again does nothing
SELECT pg_temp.lists_state() AS before \gset
SELECT version_id = (SELECT max(version_id) FROM sanctions.list_version) AS returns_current
FROM sanctions.load_ofac_sdn((SELECT content FROM f WHERE name = 'sdn2'), (SELECT content FROM f WHERE name = 'alt2'),
                             (SELECT content FROM f WHERE name = 'add1'), (SELECT content FROM f WHERE name = 'cmt1'),
                             published => '2024-02-11', list_code => 'test');
SELECT pg_temp.lists_state() = :'before' AS unchanged;

-------------------------------------------------------------------------------
-- Bad OFAC files: a clear error naming file and line, and nothing changed
-------------------------------------------------------------------------------
-- an older version than the current one
SELECT version_id FROM sanctions.load_ofac_sdn((SELECT content FROM f WHERE name = 'sdn1'), published => '2024-01-01',
                                               list_code => 'test');
-- no publication date
SELECT version_id FROM sanctions.load_ofac_sdn((SELECT content FROM f WHERE name = 'sdn1'), list_code => 'test');
-- truncated in the middle of line 2 (an unterminated quoted field)
SELECT version_id FROM sanctions.load_ofac_sdn(substring((SELECT content FROM f WHERE name = 'sdn1') FROM 1 FOR 700),
                                               published => '2024-03-01', list_code => 'test');
-- a line with a missing field
SELECT version_id FROM sanctions.load_ofac_sdn(convert_to(E'1,"A",-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n2,"B",-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n', 'UTF8'),
                                               published => '2024-03-01', list_code => 'test');
-- a duplicate entry number
SELECT version_id FROM sanctions.load_ofac_sdn(convert_to(E'1,"A",-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n2,"B",-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n1,"C",-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n', 'UTF8'),
                                               published => '2024-03-01', list_code => 'test');
-- not an entry number
SELECT version_id FROM sanctions.load_ofac_sdn(convert_to(E'ent_num,"A",-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \nX1,"B",-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n', 'UTF8'),
                                               published => '2024-03-01', list_code => 'test');
-- an alias of an entry that is not in the main file
SELECT version_id FROM sanctions.load_ofac_sdn((SELECT content FROM f WHERE name = 'sdn1'),
                                               convert_to(E'100,1,"aka","X",-0- \r\n999,2,"aka","Y",-0- \r\n', 'UTF8'),
                                               published => '2024-03-01', list_code => 'test');
-- an address file given as alias file (wrong column count)
SELECT version_id FROM sanctions.load_ofac_sdn((SELECT content FROM f WHERE name = 'sdn1'), (SELECT content FROM f WHERE name = 'add1'),
                                               published => '2024-03-01', list_code => 'test');
-- a binary file
SELECT version_id FROM sanctions.load_ofac_sdn('\x0102000304'::bytea, published => '2024-03-01', list_code => 'test');
-- a list code of another format
SELECT version_id FROM sanctions.load_un_xml(convert_to('<CONSOLIDATED_LIST/>', 'UTF8'), '2024-03-01', list_code => 'test');
SELECT pg_temp.lists_state() = :'before' AS unchanged;

-- with ignore_orphans the orphan alias is skipped and counted
SELECT counts->'orphan_rows_skipped' AS skipped, counts->'changed' AS changed
FROM sanctions.load_ofac_sdn((SELECT content FROM f WHERE name = 'sdn2'),
                             convert_to(E'100,1,"aka","TESTER, Ann",-0- \r\n999,2,"aka","Y",-0- \r\n', 'UTF8'),
                             published => '2024-03-01', list_code => 'test', ignore_orphans => true);

-------------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC
-------------------------------------------------------------------------------
CREATE ROLE lists_nobody;
GRANT USAGE ON SCHEMA sanctions TO lists_nobody;
SET ROLE lists_nobody;
SELECT count(*) FROM sanctions.entity;
SELECT version_id FROM sanctions.load_ofac_sdn(convert_to('1,"A",-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ', 'UTF8'),
                                               published => '2025-01-01');
RESET ROLE;
REVOKE USAGE ON SCHEMA sanctions FROM lists_nobody;
DROP ROLE lists_nobody;
