--
-- pgTAP: the sanctions.normname contract — catalog objects, casts, operators,
-- errors with their SQLSTATEs, and idempotence / round trip over every name
-- of the real OFAC SDN list (data/ofac/2024-05-03/sdn.csv) and its aliases
-- (data/ofac/2024-09/alt.csv).
--
BEGIN;
SELECT plan(43);

-- catalog contract
SELECT has_type('sanctions', 'normname', 'type sanctions.normname exists');
SELECT has_function('sanctions', 'normalize', ARRAY['text'], 'sanctions.normalize(text) exists');
SELECT has_function('sanctions', 'tokens', ARRAY['sanctions.normname'], 'sanctions.tokens(normname) exists');
SELECT has_function('sanctions', 'token_classes', ARRAY['sanctions.normname'], 'sanctions.token_classes(normname) exists');
SELECT has_function('sanctions', 'normalize_debug', ARRAY['text'], 'sanctions.normalize_debug(text) exists');
SELECT has_function('sanctions', 'name_kind', ARRAY['sanctions.normname'], 'sanctions.name_kind(normname) exists');
SELECT has_function('sanctions', 'icu_version', ARRAY[]::text[], 'sanctions.icu_version() exists');
SELECT function_returns('sanctions', 'normalize', ARRAY['text'], 'text', 'normalize returns text');
SELECT function_returns('sanctions', 'tokens', ARRAY['sanctions.normname'], 'text[]', 'tokens returns text[]');
SELECT function_returns('sanctions', 'normalize_debug', ARRAY['text'], 'jsonb', 'normalize_debug returns jsonb');
SELECT volatility_is('sanctions', 'normalize', ARRAY['text'], 'immutable', 'normalize is immutable');
SELECT volatility_is('sanctions', 'icu_version', ARRAY[]::text[], 'stable', 'icu_version is stable');
SELECT has_cast('text', 'sanctions.normname', 'cast text -> normname');
SELECT has_cast('sanctions.normname', 'text', 'cast normname -> text');
SELECT is((SELECT castcontext::text FROM pg_cast
           WHERE castsource = 'text'::regtype AND casttarget = 'sanctions.normname'::regtype),
          'a', 'text -> normname is an assignment cast');
SELECT has_operator('sanctions.normname', 'sanctions', '=', 'sanctions.normname', 'boolean', 'operator = exists');
SELECT has_operator('sanctions.normname', 'sanctions', '<>', 'sanctions.normname', 'boolean', 'operator <> exists');
SELECT has_opclass('sanctions', 'normname_ops', 'btree operator class exists');
SELECT has_opclass('sanctions', 'normname_hash_ops', 'hash operator class exists');
SELECT matches(sanctions.icu_version(), '^ICU [0-9]+\.[0-9]+, Unicode [0-9.]+$', 'icu_version names ICU and Unicode');

-- casts and operators
SELECT is('CHEN, Tianxin'::text::sanctions.normname::text, 'chen, tianxin', 'text -> normname -> text');
SELECT is(sanctions.normalize('CHEN, Tianxin'), 'chen tianxin', 'normalize gives the canonical text');
SELECT ok('CHEN, Tianxin'::sanctions.normname OPERATOR(sanctions.=) '陈天新'::sanctions.normname, '= across scripts and orders');
SELECT ok('Acme Co., Ltd'::sanctions.normname OPERATOR(sanctions.<>) 'Acme LLC'::sanctions.normname, '<> on different legal forms');
SELECT is(sanctions.tokens('J.P. Morgan Co., Ltd'), ARRAY['j', 'morgan', 'p', 'ltd'], 'tokens in canonical order');
SELECT is(sanctions.token_classes('J.P. Morgan Co., Ltd'), ARRAY['initial', 'word', 'initial', 'legal_form'], 'token classes');
SELECT is(sanctions.name_kind('Acme Co., Ltd'), 'organization', 'kind: organization');
SELECT is(sanctions.normalize_debug('Dr. Khamis')->'rules'->0->>'rule', 'title', 'normalize_debug records the removed title');

-- errors
SELECT throws_ok($$SELECT ''::sanctions.normname$$, '22P02', NULL, 'empty name');
SELECT throws_ok($$SELECT '.,-'::sanctions.normname$$, '22P02', NULL, 'punctuation only');
SELECT throws_ok($$SELECT 'Co., Ltd.'::sanctions.normname$$, '22P02', NULL, 'legal form only');
SELECT throws_ok($$SELECT 'Mr.'::sanctions.normname$$, '22P02', NULL, 'title only');
SELECT throws_ok($$SELECT E'a\u0007b'::sanctions.normname$$, '22P02', NULL, 'control character');
SELECT throws_ok($$SELECT E'a\u200Fb'::sanctions.normname$$, '22P02', NULL, 'bidi mark');
SELECT throws_ok($$SELECT E'\u0308a'::sanctions.normname$$, '22P02', NULL, 'lone combining mark');
SELECT throws_ok($$SELECT E'a \U0001F4A3'::sanctions.normname$$, '22P02', NULL, 'emoji');
SELECT throws_ok($$SELECT repeat('a', 1001)::sanctions.normname$$, '54000', NULL, 'over-long input');
SELECT throws_ok($$SELECT sanctions.normalize(repeat('a ', 65))$$, '54000', NULL, 'too many tokens');

-- the real list: every name normalizes, idempotently, and round-trips
CREATE TEMP TABLE sdn_line (line text);
\copy sdn_line FROM 'data/ofac/2024-05-03/sdn.csv' WITH (FORMAT csv, DELIMITER E'\x1f', QUOTE E'\x1e')
CREATE TEMP TABLE alt (ent_num text, alt_num text, alt_type text, alt_name text, alt_remarks text);
\copy alt FROM 'data/ofac/2024-09/alt.csv' WITH (FORMAT csv, HEADER)
CREATE TEMP TABLE ofac_names AS
    SELECT (regexp_match(line, '^[0-9]+,"([^"]*)"'))[1] AS name FROM sdn_line
    UNION ALL
    SELECT alt_name FROM alt WHERE alt_name IS NOT NULL AND alt_name <> '-0- ';
DELETE FROM ofac_names WHERE name IS NULL;

SELECT cmp_ok((SELECT count(*) FROM ofac_names), '>', 33000::bigint, 'all SDN names and aliases loaded');
CREATE TEMP TABLE ofac_norm AS
    SELECT name, sanctions.normalize(name) AS once, name::sanctions.normname AS n FROM ofac_names;
SELECT is((SELECT count(*) FROM ofac_norm WHERE sanctions.normalize(once) <> once), 0::bigint,
          'normalize(normalize(x)) = normalize(x) for every OFAC name');
SELECT is((SELECT count(*) FROM ofac_norm
           WHERE n::text::sanctions.normname OPERATOR(sanctions.<>) n
              OR sanctions.name_kind(n::text::sanctions.normname) <> sanctions.name_kind(n)
              OR sanctions.tokens(n::text::sanctions.normname) <> sanctions.tokens(n)
              OR sanctions.token_classes(n::text::sanctions.normname) <> sanctions.token_classes(n)),
          0::bigint, 'text output read back gives an equal value with the same kind, tokens and classes');
SELECT is((SELECT count(*) FROM ofac_norm WHERE once <> n::text AND replace(n::text, ',', '') <> once), 0::bigint,
          'normalize() is the text form without the person comma');
SELECT cmp_ok((SELECT count(DISTINCT n) FROM ofac_norm), '<', (SELECT count(DISTINCT name) FROM ofac_norm),
              'normalization merges spelling variants of the list');

SELECT * FROM finish();
ROLLBACK;
