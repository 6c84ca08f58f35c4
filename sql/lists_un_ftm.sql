-- Lists: the UN Security Council XML loader and the FollowTheMoney loader on
-- small hand-made files (every element the loaders read), versions of
-- ownership edges, and bad files.
SET client_min_messages = notice;
\set SHOW_CONTEXT never

CREATE FUNCTION pg_temp.lists_state() RETURNS text LANGUAGE sql AS $$
	SELECT format('lists %s versions %s entities %s names %s edges %s diffs %s',
		(SELECT count(*) FROM sanctions.list), (SELECT count(*) FROM sanctions.list_version),
		(SELECT count(*) FROM sanctions.entity), (SELECT count(*) FROM sanctions.entity_name),
		(SELECT count(*) FROM sanctions.ownership), (SELECT count(*) FROM sanctions.list_version_diff))
$$;

-------------------------------------------------------------------------------
-- UN XML
-------------------------------------------------------------------------------
CREATE TEMP TABLE f (name text PRIMARY KEY, content bytea);
INSERT INTO f VALUES ('un1', convert_to($x$<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" dateGenerated="2018-10-29T19:09:49.856-04:00">
<INDIVIDUALS>
<INDIVIDUAL><DATAID>11</DATAID><VERSIONNUM>1</VERSIONNUM><FIRST_NAME>AHMAD</FIRST_NAME><SECOND_NAME> JAN  </SECOND_NAME><THIRD_NAME>AKHUNDZADA</THIRD_NAME><UN_LIST_TYPE>Taliban</UN_LIST_TYPE><REFERENCE_NUMBER>TAi.001</REFERENCE_NUMBER><LISTED_ON>2001-01-31</LISTED_ON><NAME_ORIGINAL_SCRIPT>احمد جان آخوندزاده</NAME_ORIGINAL_SCRIPT><COMMENTS1>Test person.
</COMMENTS1><TITLE><VALUE>Maulavi</VALUE></TITLE><DESIGNATION><VALUE>Governor</VALUE><VALUE>Minister</VALUE></DESIGNATION><NATIONALITY><VALUE>Afghanistan</VALUE></NATIONALITY><INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Ahmad Jan Akhund</ALIAS_NAME></INDIVIDUAL_ALIAS><INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Mullah Jan</ALIAS_NAME></INDIVIDUAL_ALIAS><INDIVIDUAL_ALIAS><QUALITY>f.k.a.</QUALITY><ALIAS_NAME>Old Jan</ALIAS_NAME></INDIVIDUAL_ALIAS><INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS><INDIVIDUAL_ADDRESS><CITY>Kandahar</CITY><COUNTRY>Afghanistan</COUNTRY></INDIVIDUAL_ADDRESS><INDIVIDUAL_ADDRESS><COUNTRY/></INDIVIDUAL_ADDRESS><INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1953</YEAR></INDIVIDUAL_DATE_OF_BIRTH><INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1958</FROM_YEAR><TO_YEAR>1963</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH><INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1960-07-17</DATE></INDIVIDUAL_DATE_OF_BIRTH><INDIVIDUAL_PLACE_OF_BIRTH><CITY>Zurmat</CITY><STATE_PROVINCE>Paktia Province</STATE_PROVINCE><COUNTRY>Afghanistan</COUNTRY></INDIVIDUAL_PLACE_OF_BIRTH><INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER> OR801168</NUMBER><ISSUING_COUNTRY>Afghanistan</ISSUING_COUNTRY><DATE_OF_ISSUE>2006-02-28</DATE_OF_ISSUE></INDIVIDUAL_DOCUMENT><INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>National Identification Number</TYPE_OF_DOCUMENT><NUMBER>4117</NUMBER></INDIVIDUAL_DOCUMENT><GENDER>Male</GENDER></INDIVIDUAL>
</INDIVIDUALS>
<ENTITIES>
<ENTITY><DATAID>12</DATAID><VERSIONNUM>1</VERSIONNUM><FIRST_NAME>AL-RASHID TRUST</FIRST_NAME><UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER>QDe.005</REFERENCE_NUMBER><LISTED_ON>2001-10-06</LISTED_ON><ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>Al Rasheed Trust</ALIAS_NAME></ENTITY_ALIAS><ENTITY_ADDRESS><STREET>Kitab Ghar</STREET><CITY>Karachi</CITY><COUNTRY>Pakistan</COUNTRY></ENTITY_ADDRESS></ENTITY>
</ENTITIES>
</CONSOLIDATED_LIST>
$x$, 'UTF8'));

-- published defaults to dateGenerated
SELECT version_id, published, counts FROM sanctions.load_un_xml((SELECT content FROM f WHERE name = 'un1'), file_name => 'un1.xml');
SELECT source_id, kind, caption, programs, gender, title, remarks, details
FROM sanctions.current_entity WHERE list_code = 'un_sc' ORDER BY source_id;
SELECT e.source_id, n.raw_name, n.name_kind, n.weak
FROM sanctions.current_entity e JOIN sanctions.entity_name n USING (entity_id)
WHERE e.list_code = 'un_sc' ORDER BY e.source_id, n.name_id;
SELECT b.raw, b.date_from, b.date_to, b.date_precision
FROM sanctions.current_entity e JOIN sanctions.entity_birth_date b USING (entity_id)
WHERE e.list_code = 'un_sc' ORDER BY b.date_from;
SELECT p.place, p.country FROM sanctions.current_entity e JOIN sanctions.entity_birth_place p USING (entity_id)
WHERE e.list_code = 'un_sc';
SELECT e.source_id, c.relation, c.country FROM sanctions.current_entity e JOIN sanctions.entity_country c USING (entity_id)
WHERE e.list_code = 'un_sc';
SELECT i.id_type, i.label, i.value, i.country, i.issued
FROM sanctions.current_entity e JOIN sanctions.entity_identifier i USING (entity_id)
WHERE e.list_code = 'un_sc' ORDER BY i.value;
SELECT e.source_id, a.street, a.city, a.country, a.full_address
FROM sanctions.current_entity e JOIN sanctions.entity_address a USING (entity_id)
WHERE e.list_code = 'un_sc' ORDER BY e.source_id;

-- a newer list: the entity is gone, the person has one alias more
INSERT INTO f SELECT 'un2', convert_to(replace(replace(convert_from(content, 'UTF8'), '2018-10-29T', '2018-11-05T'),
	'<INDIVIDUAL_ALIAS><QUALITY/>', '<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Ahmed Jan</ALIAS_NAME></INDIVIDUAL_ALIAS><INDIVIDUAL_ALIAS><QUALITY/>'), 'UTF8')
FROM f WHERE name = 'un1';
UPDATE f SET content = convert_to(regexp_replace(convert_from(content, 'UTF8'), '<ENTITY>.*</ENTITY>', ''), 'UTF8') WHERE name = 'un2';
SELECT published, counts->'added' AS added, counts->'removed' AS removed, counts->'changed' AS changed
FROM sanctions.load_un_xml((SELECT content FROM f WHERE name = 'un2'));
SELECT d.source_id, d.change FROM sanctions.list_version_diff d JOIN sanctions.list_version v USING (version_id)
JOIN sanctions.list l USING (list_id) WHERE l.code = 'un_sc' AND v.is_current ORDER BY 1;

-- bad UN files
SELECT pg_temp.lists_state() AS before \gset
SELECT version_id FROM sanctions.load_un_xml(substring((SELECT content FROM f WHERE name = 'un1') FROM 1 FOR 900),
                                             '2019-01-01', file_name => 'cut.xml');
SELECT version_id FROM sanctions.load_un_xml(convert_to('<?xml version="1.0"?><LIST><INDIVIDUALS/></LIST>', 'UTF8'),
                                             '2019-01-01', file_name => 'other.xml');
SELECT v.version_id FROM f, sanctions.load_un_xml(convert_to(replace(convert_from(content, 'UTF8'), 'QDe.005', 'TAi.001'), 'UTF8'),
                                                   '2019-01-01', file_name => 'dup.xml') AS v WHERE f.name = 'un1';
SELECT v.version_id FROM f, sanctions.load_un_xml(convert_to(replace(convert_from(content, 'UTF8'), '<REFERENCE_NUMBER>QDe.005</REFERENCE_NUMBER>', ''), 'UTF8'),
                                                   '2019-01-01', file_name => 'noref.xml') AS v WHERE f.name = 'un1';
SELECT pg_temp.lists_state() = :'before' AS unchanged;

-------------------------------------------------------------------------------
-- FollowTheMoney JSON lines, with ownership
-------------------------------------------------------------------------------
INSERT INTO f VALUES ('ftm1', convert_to($j${"id": "p1", "schema": "Person", "caption": "Ivan Petrov", "target": true, "properties": {"name": ["Ivan Petrov", "Иван Петров"], "alias": ["Vanya Petrov"], "weakAlias": ["Vanya"], "previousName": ["Ivan Sidorov"], "birthDate": ["1970-05"], "nationality": ["ru"], "gender": ["male"], "passportNumber": ["123456789"], "innCode": ["771234567890"], "addressEntity": ["a1"], "notes": ["Director of C1."]}, "last_change": "2024-05-01T10:00:00"}
{"id": "c1", "schema": "Company", "caption": "OOO Romashka", "target": true, "properties": {"name": ["OOO Romashka"], "jurisdiction": ["ru"], "ogrnCode": ["1027700000000"]}, "last_change": "2024-05-02T10:00:00"}
{"id": "c2", "schema": "Company", "caption": "Romashka Trading LLC", "target": false, "properties": {"name": ["Romashka Trading LLC"]}}

{"id": "a1", "schema": "Address", "caption": "Tverskaya 1, Moscow", "properties": {"full": ["Tverskaya 1, Moscow"], "city": ["Moscow"], "country": ["ru"]}}
{"id": "s1", "schema": "Sanction", "properties": {"entity": ["p1"], "programId": ["EU-UKR"], "program": ["EU Ukraine"]}}
{"id": "s2", "schema": "Sanction", "properties": {"entity": ["c1"], "program": ["US Russia"]}}
{"id": "o1", "schema": "Ownership", "properties": {"owner": ["p1"], "asset": ["c1"], "percentage": ["51"], "startDate": ["2015-11-25"]}}
{"id": "o2", "schema": "Ownership", "properties": {"owner": ["c1"], "asset": ["c2"], "percentage": ["100%"], "startDate": ["2019"], "endDate": ["2023-12"]}}
{"id": "o3", "schema": "Ownership", "properties": {"owner": ["p1"], "asset": ["c2"], "sharesCount": ["100"]}}
$j$, 'UTF8'));

-- published defaults to the latest last_change; c2 is not a listed party ("target": false)
SELECT published, counts FROM sanctions.load_ftm((SELECT content FROM f WHERE name = 'ftm1'), list_code => 'ftm_test');
SELECT source_id, kind, caption, programs, gender, remarks, details
FROM sanctions.current_entity WHERE list_code = 'ftm_test' ORDER BY source_id;
SELECT e.source_id, n.raw_name, n.name_kind, n.weak
FROM sanctions.current_entity e JOIN sanctions.entity_name n USING (entity_id)
WHERE e.list_code = 'ftm_test' ORDER BY e.source_id, n.name_id;
SELECT e.source_id, b.raw, b.date_from, b.date_to, b.date_precision
FROM sanctions.current_entity e JOIN sanctions.entity_birth_date b USING (entity_id) WHERE e.list_code = 'ftm_test';
SELECT e.source_id, c.relation, c.country FROM sanctions.current_entity e JOIN sanctions.entity_country c USING (entity_id)
WHERE e.list_code = 'ftm_test' ORDER BY 1;
SELECT e.source_id, i.id_type, i.label, i.value FROM sanctions.current_entity e JOIN sanctions.entity_identifier i USING (entity_id)
WHERE e.list_code = 'ftm_test' ORDER BY 1, 4;
SELECT e.source_id, a.city, a.country, a.full_address FROM sanctions.current_entity e JOIN sanctions.entity_address a USING (entity_id)
WHERE e.list_code = 'ftm_test';
SELECT owner_ref, owner_name, owned_ref, owned_name, share, source, start_date, end_date, valid_to IS NULL AS current
FROM sanctions.ownership o JOIN sanctions.list l USING (list_id) WHERE l.code = 'ftm_test' ORDER BY source;

-- a newer file: o1 now 50%, o3 gone, o2 unchanged (keeps its row)
CREATE TEMP TABLE edges_v1 AS SELECT source, ownership_id FROM sanctions.ownership;
INSERT INTO f SELECT 'ftm2', convert_to(replace(replace(replace(convert_from(content, 'UTF8'), '"percentage": ["51"]', '"percentage": ["50"]'),
	'{"id": "o3", "schema": "Ownership", "properties": {"owner": ["p1"], "asset": ["c2"], "sharesCount": ["100"]}}', ''),
	'2024-05-02T10:00:00', '2024-06-01T10:00:00'), 'UTF8') FROM f WHERE name = 'ftm1';
SELECT published, counts->'changed' AS changed, counts->'ownership_edges' AS edges
FROM sanctions.load_ftm((SELECT content FROM f WHERE name = 'ftm2'), list_code => 'ftm_test');
SELECT o.source, o.share, o.valid_to IS NULL AS current, o.ownership_id = v1.ownership_id AS same_row
FROM sanctions.ownership o JOIN sanctions.list l USING (list_id) LEFT JOIN edges_v1 v1 USING (source)
WHERE l.code = 'ftm_test' ORDER BY o.source, o.ownership_id;

-- bad FollowTheMoney files
SELECT pg_temp.lists_state() AS before \gset
SELECT version_id FROM sanctions.load_ftm(convert_to(E'{"id": "x1", "schema": "Person", "caption": "A", "properties": {}}\n{"id": "x2", "schema": "Person", "capt', 'UTF8'),
                                          '2025-01-01', 'ftm_test', 'cut.json');
SELECT version_id FROM sanctions.load_ftm(convert_to(E'{"id": "x1", "schema": "Person", "caption": "A", "properties": {}}\n{"id": "x1", "schema": "Company", "caption": "B", "properties": {}}\n', 'UTF8'),
                                          '2025-01-01', 'ftm_test', 'dup.json');
SELECT version_id FROM sanctions.load_ftm(convert_to(E'{"id": "x1", "schema": "Person", "caption": "A", "properties": {}}\n["x2"]\n', 'UTF8'),
                                          '2025-01-01', 'ftm_test', 'array.json');
SELECT version_id FROM sanctions.load_ftm(convert_to(E'{"id": "o9", "schema": "Ownership", "properties": {"owner": ["p1"]}}\n', 'UTF8'),
                                          '2025-01-01', 'ftm_test', 'edge.json');
SELECT pg_temp.lists_state() = :'before' AS unchanged;
