--
-- sanctions.normname on the tricky names of data/variants/rigour_sample_names.csv
-- (legal forms, diacritics, order, Han, Cyrillic, Arabic, Hangul ...): the
-- canonical form, kind hint and token classes of each, or its error.
--
CREATE TEMP TABLE sample_names (name text);
\copy sample_names FROM 'data/variants/rigour_sample_names.csv' WITH (FORMAT csv, HEADER)

CREATE FUNCTION pg_temp.show(t text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    n sanctions.normname;
BEGIN
    n := t::sanctions.normname;
    RETURN n::text || '  [' || sanctions.name_kind(n) || ': '
        || array_to_string(sanctions.token_classes(n), ' ') || ']';
EXCEPTION WHEN OTHERS THEN
    RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE FUNCTION pg_temp.try_normname(t text) RETURNS sanctions.normname
LANGUAGE plpgsql AS $$
BEGIN
    RETURN t::sanctions.normname;
EXCEPTION WHEN invalid_text_representation OR program_limit_exceeded THEN
    RETURN NULL;
END $$;

SELECT count(*) AS names FROM sample_names;
SELECT name, pg_temp.show(name) AS normalized FROM sample_names ORDER BY name COLLATE "C";

-- every value read back from its text form is equal, with the same kind;
-- and normalizing the canonical form again changes nothing
SELECT count(*) FILTER (WHERE pg_temp.try_normname(name) IS NOT NULL) AS valid,
       count(*) FILTER (WHERE pg_temp.try_normname(name) IS NOT NULL
                        AND sanctions.normalize(sanctions.normalize(name)) <> sanctions.normalize(name)) AS not_idempotent
FROM sample_names;
SELECT count(*) AS round_trip_failures
FROM (SELECT pg_temp.try_normname(name) AS n FROM sample_names) s
WHERE n IS NOT NULL
  AND (n::text::sanctions.normname OPERATOR(sanctions.<>) n
       OR sanctions.name_kind(n::text::sanctions.normname) <> sanctions.name_kind(n));
