--
-- pgTAP: hostile input.  A few thousand generated strings (random code points
-- from many Unicode blocks, combining marks, controls, bidi and zero-width
-- characters, emoji, private use, very long strings) go through the input
-- function and sanctions.normalize(); each must give a value or a clean error
-- (22P02 invalid text representation, 54000 program limit exceeded).  Any
-- other SQLSTATE (an internal error XX000, say) or a crash fails the test.
--
BEGIN;
SELECT plan(5);

CREATE FUNCTION pg_temp.hostile_string(i int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    -- [first, last] code point of each block drawn from
    blocks int[] := ARRAY[
        32, 126,        160, 591,       768, 879,       880, 1023,      1024, 1279,
        1424, 1535,     1536, 1791,     2304, 2431,     3584, 3711,     4352, 4607,
        8192, 8303,     8352, 8399,     12288, 12543,   19968, 40959,   44032, 55203,
        57344, 63743,   64256, 65023,   65024, 65039,   65279, 65279,   65280, 65519,
        127744, 129791, 917504, 917631, 1, 31,          127, 159,       8234, 8238,
        8294, 8297,     983040, 1048573, 201547, 205743];
    nblocks int := array_length(blocks, 1) / 2;
    len int;
    s text := '';
    b int;
BEGIN
    len := CASE WHEN i % 97 = 0 THEN 990 + (random() * 40)::int      -- around the limit
                WHEN i % 31 = 0 THEN 200 + (random() * 300)::int
                ELSE 1 + (random() * 24)::int END;
    FOR k IN 1 .. len LOOP
        IF random() < 0.3 THEN
            s := s || substr(' ,.-''', 1 + (random() * 4)::int, 1);
        ELSE
            b := 1 + (random() * (nblocks - 1))::int;
            s := s || chr(blocks[2 * b - 1] + (random() * (blocks[2 * b] - blocks[2 * b - 1]))::int);
        END IF;
    END LOOP;
    RETURN s;
END $$;

-- 'ok', 'clean error' or 'BAD <sqlstate> <message>'
CREATE FUNCTION pg_temp.feed(s text, via_input boolean) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    n sanctions.normname;
    t text;
BEGIN
    IF via_input THEN
        n := s::sanctions.normname;
        IF n::text::sanctions.normname OPERATOR(sanctions.<>) n THEN
            RETURN 'BAD round trip ' || n::text;
        END IF;
        IF n::text !~ '^[^ ]+( [^ ]+)*$' THEN
            RETURN 'BAD spacing ' || n::text;
        END IF;
    ELSE
        t := sanctions.normalize(s);
        IF sanctions.normalize(t) <> t THEN
            RETURN 'BAD not idempotent ' || t;
        END IF;
    END IF;
    RETURN 'ok';
EXCEPTION
    WHEN invalid_text_representation OR program_limit_exceeded THEN
        RETURN 'clean error';
    WHEN OTHERS THEN
        RETURN 'BAD ' || SQLSTATE || ' ' || SQLERRM;
END $$;

SELECT setseed(0.2024);
CREATE TEMP TABLE hostile AS
    SELECT i, pg_temp.hostile_string(i) AS s FROM generate_series(1, 3000) AS i;
INSERT INTO hostile VALUES (3001, repeat('陈', 5000)), (3002, repeat(E'\u0301', 10)),
    (3003, repeat('a-', 600)), (3004, repeat(E'\U0001F600', 3)), (3005, repeat(' ', 2000));
CREATE TEMP TABLE outcome AS
    SELECT i, s, pg_temp.feed(s, true) AS via_input, pg_temp.feed(s, false) AS via_normalize FROM hostile;

SELECT is((SELECT count(*) FROM outcome), 3005::bigint, 'all hostile strings were fed');
SELECT is((SELECT string_agg(DISTINCT via_input, '; ') FROM outcome WHERE via_input LIKE 'BAD%'), NULL,
          'the input function gives a value or a clean error for every hostile string');
SELECT is((SELECT string_agg(DISTINCT via_normalize, '; ') FROM outcome WHERE via_normalize LIKE 'BAD%'), NULL,
          'normalize() gives a value or a clean error for every hostile string');
SELECT cmp_ok((SELECT count(*) FROM outcome WHERE via_input = 'ok'), '>', 150::bigint,
              'many hostile strings still name something');
SELECT cmp_ok((SELECT count(*) FROM outcome WHERE via_input = 'clean error'), '>', 300::bigint,
              'many hostile strings are rejected cleanly');

SELECT * FROM finish();
ROLLBACK;
