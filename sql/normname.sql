--
-- sanctions.normname: the normalization rules, one block per rule, with the
-- names of the seed case (OFAC's July 2024 designation of a Chinese
-- procurement network for North Korea, data/ofac/excerpts/).
--
SET search_path = sanctions, public;

-- A name as the tests show it: text form, kind hint, tokens with classes.
CREATE FUNCTION pg_temp.show(t text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    n sanctions.normname;
BEGIN
    n := t::sanctions.normname;
    RETURN n::text || '  [' || sanctions.name_kind(n) || ': '
        || array_to_string(ARRAY(SELECT tok || '/' || cls
                                 FROM unnest(sanctions.tokens(n), sanctions.token_classes(n)) AS x(tok, cls)), ' ')
        || ']';
EXCEPTION WHEN OTHERS THEN
    RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
END $$;

-- Type I/O and casts
SELECT 'CHEN, Tianxin'::normname;
SELECT 'Tianxin Chen'::normname;
SELECT 'CHEN, Tianxin'::normname::text, sanctions.normalize('CHEN, Tianxin');
SELECT ('CHEN, Tianxin'::normname)::text::normname = 'CHEN, Tianxin'::normname AS round_trip;
SELECT name_kind(('CHEN, Tianxin'::normname)::text::normname) AS kind_after_round_trip;
CREATE TEMP TABLE assigned (n normname);
INSERT INTO assigned VALUES ('Beijing Jinghua Qidi Electronic Technology Co., Ltd'::text);
INSERT INTO assigned VALUES ('SHI, Anhui'::varchar);
SELECT n FROM assigned ORDER BY n;
SELECT NULL::normname IS NULL AS null_in, sanctions.normalize(NULL) IS NULL AS null_normalize;

-- NFKC, case folding, accents and diacritics
SELECT x, pg_temp.show(x) FROM unnest(ARRAY['Müller', 'MULLER', 'müller', 'Mu' || chr(776) || 'ller',
    'ＭＵＬＬＥＲ', 'Straße', 'Łukasz Żółć', 'Ørsted', 'Þór', 'ﬁnance', 'Ǆuro', 'ƏHMƏD']) AS x;
SELECT 'Müller'::normname = 'MULLER'::normname AS umlaut_eq,
       'müller'::normname = ('Mu' || chr(776) || 'ller')::normname AS combining_eq;

-- Any script to Latin (ICU); Han gives pinyin without tones
SELECT x, pg_temp.show(x) FROM unnest(ARRAY['陈天新', '陳天新', '习近平', 'Владимир Путин', 'Ελληνικά Πετρέλαια',
    '김정은', 'やまだ たろう', 'ウラジーミル・プーチン', 'דוד כהן', 'محمد علي',
    'नरेन्द्र मोदी', 'ทักษิณ ชินวัตร', '佐々木']) AS x;
SELECT '陈天新'::normname = 'CHEN, Tianxin'::normname AS han_person_eq,
       '陳天新'::normname = '陈天新'::normname AS traditional_eq,
       'Владимир Путин'::normname = 'Vladimir Putin'::normname AS cyrillic_eq;

-- Punctuation: apostrophes join, hyphens/dots/slashes separate, nothing merges
SELECT x, pg_temp.show(x) FROM unnest(ARRAY['O''Brien', 'O’Brien', 'Tian-Xin', 'J.P. Morgan', 'AL-QAEDA',
    'Al Qaeda', 'M/V Oceanic', 'AT&T', 'Smith,John', '5. Batallion', 'Rungra-888', '٣ Brigade']) AS x;
SELECT 'AL-QAEDA'::normname = 'Al Qaeda'::normname AS hyphen_eq,
       'O''Brien'::normname = 'OBrien'::normname AS apostrophe_joins,
       'Tian-Xin'::normname = 'Tian Xin'::normname AS hyphen_splits;

-- Canonical token order: "SURNAME, Given" = "Given Surname"
SELECT 'CHEN, Tianxin'::normname = 'Tianxin Chen'::normname AS comma_order,
       'Chen Tianxin'::normname = 'Tianxin CHEN'::normname AS any_order,
       'Chen Tianxin'::normname = 'Chen Tian Xin'::normname AS split_given_name_differs;

-- Legal forms: recognised (longest alias first), canonicalized, kept last
SELECT x, pg_temp.show(x) FROM unnest(ARRAY['Acme Co., Ltd', 'Acme Company Limited', 'Acme Ltd.', 'ACME CO.,LTD',
    'ООО Ромашка', 'Общество с ограниченной ответственностью Ромашка', 'Siemens GmbH',
    'Siemens Gesellschaft mit beschränkter Haftung', 'Acme LLC', 'Limited Liability Company Acme',
    'Acme JSC', 'Acme S.A.', 'Acme SA', 'Banco S A', 'Siemens GmbH & Co. KG', '招商银行有限公司',
    'OOO ORION', 'NPP PT OKEANOS, AO', 'EP-LDA', '株式会社東芝', '東芝株式会社']) AS x;
SELECT 'Acme Co., Ltd'::normname = 'Acme Company Limited'::normname AS co_ltd_eq,
       'Acme Co., Ltd'::normname = 'ACME LTD'::normname AS ltd_eq,
       'ООО Ромашка'::normname = 'Romashka OOO'::normname AS ooo_eq,
       'Acme S.A.'::normname = 'ACME SA'::normname AS sa_eq;
-- short aliases only at the ends of a name: "SA" inside a name is a word
SELECT pg_temp.show('Sa Ding Trading');
-- idempotence of legal forms: each canonical form is read back as itself
SELECT x, sanctions.normalize(x) = sanctions.normalize(sanctions.normalize(x)) AS idempotent
FROM unnest(ARRAY['Acme Co., Ltd', 'ООО Ромашка', 'Siemens GmbH & Co. KG', 'Acme S.A.',
    'IS BANK, AO', 'NPO ANDROIDNAYA TEKHNIKA AO', 'CVG COMPANIA GENERAL DE MINERIA DE VENEZUELA CA']) AS x;

-- Titles and honorifics are removed from names that are not organizations'
SELECT x, pg_temp.show(x) FROM unnest(ARRAY['Dr. Khamis', 'Khamis', 'Mr John Doe', 'Sheikh Ahmed Yassin',
    'General Electric Co', 'Prof. Dr. Hans Meier']) AS x;
SELECT 'Dr. Khamis'::normname = 'Khamis'::normname AS title_removed;

-- Token classes: word, initial, number, legal form
SELECT tokens(n), token_classes(n) FROM (SELECT 'J.P. Morgan Chase 2 N.A. Ltd'::normname AS n) s;

-- Kind hint
SELECT x, name_kind(x::normname) FROM unnest(ARRAY['CHEN, Tianxin', 'Tianxin Chen', '陈天新',
    'Qidong Hengcheng Electronics Factory', 'Acme Ltd', 'Kopenhagener Str. 47, Berlin']) AS x;

-- The seed case: list spelling (SDN rows), other orders, Chinese, other legal forms
CREATE TEMP TABLE seed (listed text, variant text);
INSERT INTO seed VALUES
    ('CHEN, Tianxin', 'Tianxin Chen'), ('CHEN, Tianxin', '陈天新'), ('CHEN, Tianxin', 'Chen Tian-Xin'),
    ('DU, Jiaxin', 'Jiaxin DU'), ('DU, Jiaxin', '杜佳鑫'),
    ('HAN, Dejian', 'Dejian Han'), ('HAN, Dejian', '韩德建'),
    ('SHI, Anhui', 'Anhui Shi'), ('SHI, Anhui', '施安辉'),
    ('SHI, Qianpei', 'Qianpei SHI'), ('SHI, Qianpei', '施倩培'),
    ('WANG, Dongliang', 'Mr. Dongliang Wang'), ('WANG, Dongliang', '王东亮'),
    ('BEIJING JINGHUA QIDI ELECTRONIC TECHNOLOGY CO., LTD.', 'Beijing Jinghua Qidi Electronic Technology Co., Ltd'),
    ('BEIJING JINGHUA QIDI ELECTRONIC TECHNOLOGY CO., LTD.', 'Beijing Jinghua Qidi Electronic Technology Company Limited'),
    ('BEIJING JINGHUA QIDI ELECTRONIC TECHNOLOGY CO., LTD.', '北京晶华启迪电子科技有限公司'),
    ('BEIJING JINGHUA QIDI ELECTRONIC TECHNOLOGY CO., LTD.', 'Jinghua Qidi Electronic Technology (Beijing) Ltd.'),
    ('BEIJING SANSHUNDA ELECTRONICS SCIENCE AND TECHNOLOGY CO., LTD.', 'Beijing Sanshunda Electronics Science and Technology Co Ltd'),
    ('BEIJING SANSHUNDA ELECTRONICS SCIENCE AND TECHNOLOGY CO., LTD.', '北京三顺达电子科技有限公司'),
    ('QIDONG HENGCHENG ELECTRONICS FACTORY', 'Qidong Hengcheng Electronics Factory'),
    ('QIDONG HENGCHENG ELECTRONICS FACTORY', '启东恒成电子厂'),
    ('SHENZHEN CITY MEAN WELL ELECTRONICS CO., LTD.', 'Shenzhen City Mean Well Electronics Company Limited'),
    ('SHENZHEN CITY MEAN WELL ELECTRONICS CO., LTD.', '深圳市明纬电子有限公司'),
    ('YIDATONG TIANJIN METAL MATERIALS CO., LTD', 'Yidatong (Tianjin) Metal Materials Co., Ltd'),
    ('YIDATONG TIANJIN METAL MATERIALS CO., LTD', '易达通（天津）金属材料有限公司');
SELECT listed::normname AS listed, variant, variant::normname AS variant_normalized,
       listed::normname = variant::normname AS equal
FROM seed;

-- normalize_debug: each step, each token with its class
SELECT d->>'path' AS path, d->>'han_hangul_romanized' AS romanized, d->'rules' AS rules,
       d->>'canonical' AS canonical, d->>'kind' AS kind
FROM (SELECT normalize_debug('北京晶华启迪电子科技有限公司') AS d) s;
SELECT d->>'path' AS path, d->'tokens' AS tokens, d->'rules' AS rules, d->'canonical_tokens' AS canonical_tokens
FROM (SELECT normalize_debug('Dr. J.P. Morgan Co., Ltd.') AS d) s;
SELECT normalize_debug('Müller')->>'path' AS latin_path, normalize_debug('Muller')->>'path' AS ascii_path;

-- Bad input: a clean error with a proper SQLSTATE
SELECT x, pg_temp.show(x) FROM unnest(ARRAY['', '   ', E'\t\n', '...', '-- !! --', 'Ltd', 'Co., Ltd', '有限公司',
    'Mr.', 'Dr. Prof.', E'Chen\u0001Tianxin', E'Chen\u200BTianxin', E'Chen\u202ETianxin', E'\u0301Chen',
    E'Chen \u0301', E'Chen\U0001F600', E'Chen\uE000', 'Sp. z o.o.']) AS x;
SELECT pg_temp.show(repeat('a', 1001));
SELECT pg_temp.show(repeat('ab ', 65));
SELECT pg_temp.show(repeat('a', 256));
SELECT length(sanctions.normalize(repeat('ab ', 64))) AS sixty_four_tokens_ok;
-- invisible presentation hints are dropped silently
SELECT sanctions.normalize(E'Chen\u200CTianxin') AS zwnj, sanctions.normalize(E'Chen\u00ADTianxin') AS soft_hyphen,
       sanctions.normalize(E'\u9648\uFE00\u5929\u65B0') AS variation_selector;
-- the error message
SELECT ''::normname;
SELECT E'Chen\u202ETianxin'::normname;
SELECT repeat('x', 1001)::normname;

-- Operators and operator classes
CREATE TEMP TABLE names (id int, n normname);
INSERT INTO names VALUES (1, 'CHEN, Tianxin'), (2, 'Tianxin Chen'), (3, '陈天新'), (4, 'SHI, Anhui'),
    (5, 'Anhui Shi'), (6, 'Acme Co., Ltd'), (7, 'ACME LIMITED'), (8, NULL);
SELECT n, count(*) FROM names GROUP BY n ORDER BY n;
SELECT DISTINCT n FROM names ORDER BY n;
SELECT a.id, b.id FROM names a JOIN names b ON a.n = b.n AND a.id < b.id ORDER BY 1, 2;
SELECT 'a b'::normname < 'a c'::normname AS lt, 'a b'::normname <= 'a b'::normname AS le,
       'b'::normname > 'a b'::normname AS gt, 'b'::normname >= 'b'::normname AS ge,
       'a'::normname <> 'b'::normname AS ne, normname_cmp('a', 'b') AS cmp;
SELECT normname_hash('CHEN, Tianxin') = normname_hash('Tianxin Chen') AS hash_agrees,
       normname_hash_extended('CHEN, Tianxin', 7) = normname_hash_extended('陈天新', 7) AS hash_ext_agrees;
CREATE UNIQUE INDEX names_unique ON names (n) WHERE id IN (1, 4, 6);
INSERT INTO names VALUES (9, 'Tianxin CHEN');
UPDATE names SET id = 1 WHERE id = 9;
CREATE INDEX names_hash ON names USING hash (n);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM names WHERE n = 'Chen Tianxin';
SELECT id FROM names WHERE n = 'Chen Tianxin' ORDER BY id;
RESET enable_seqscan;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT * FROM names a JOIN names b USING (n);
RESET enable_mergejoin;
RESET enable_nestloop;
SELECT amname, opcname FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod
WHERE opcintype = 'sanctions.normname'::regtype AND opcdefault ORDER BY 1;
