-- Catalog contracts that hold for every object of the extension: all live in
-- schema sanctions, SQL-level functions pin their search_path, SECURITY DEFINER
-- functions are not executable by PUBLIC, PUBLIC has no rights on tables, and
-- every object is documented with COMMENT ON.
BEGIN;
SELECT plan(7);

CREATE TEMP VIEW ext_objects AS
  SELECT classid::regclass AS catalog, objid
  FROM pg_catalog.pg_depend
  WHERE refclassid = 'pg_catalog.pg_extension'::regclass
    AND refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'sanctions')
    AND deptype = 'e';

SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM ext_objects e JOIN pg_catalog.pg_proc p ON p.oid = e.objid
  WHERE e.catalog = 'pg_catalog.pg_proc'::regclass
    AND p.pronamespace <> 'sanctions'::regnamespace
  UNION ALL
  SELECT c.oid::regclass::text FROM ext_objects e JOIN pg_catalog.pg_class c ON c.oid = e.objid
  WHERE e.catalog = 'pg_catalog.pg_class'::regclass AND c.relnamespace <> 'sanctions'::regnamespace
  UNION ALL
  SELECT t.oid::regtype::text FROM ext_objects e JOIN pg_catalog.pg_type t ON t.oid = e.objid
  WHERE e.catalog = 'pg_catalog.pg_type'::regclass AND t.typnamespace <> 'sanctions'::regnamespace
  UNION ALL
  SELECT o.oid::regoperator::text FROM ext_objects e JOIN pg_catalog.pg_operator o ON o.oid = e.objid
  WHERE e.catalog = 'pg_catalog.pg_operator'::regclass AND o.oprnamespace <> 'sanctions'::regnamespace
$$, 'every function, relation, type and operator of the extension lives in schema sanctions');

SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM ext_objects e JOIN pg_catalog.pg_proc p ON p.oid = e.objid
  JOIN pg_catalog.pg_language l ON l.oid = p.prolang
  WHERE e.catalog = 'pg_catalog.pg_proc'::regclass AND l.lanname IN ('sql', 'plpgsql')
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(p.proconfig) c WHERE c LIKE 'search\_path=%')
$$, 'every SQL and PL/pgSQL function pins its search_path');

SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM ext_objects e JOIN pg_catalog.pg_proc p ON p.oid = e.objid
  WHERE e.catalog = 'pg_catalog.pg_proc'::regclass AND p.prosecdef
    AND (NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(p.proconfig) c WHERE c LIKE 'search\_path=%')
         OR pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE'))
$$, 'SECURITY DEFINER functions pin search_path and are not executable by PUBLIC');

SELECT is_empty($$
  SELECT c.oid::regclass::text FROM ext_objects e JOIN pg_catalog.pg_class c ON c.oid = e.objid
  WHERE e.catalog = 'pg_catalog.pg_class'::regclass AND c.relkind IN ('r', 'v', 'm', 'p')
    AND (pg_catalog.has_table_privilege('public', c.oid, 'INSERT')
         OR pg_catalog.has_table_privilege('public', c.oid, 'UPDATE')
         OR pg_catalog.has_table_privilege('public', c.oid, 'DELETE')
         OR pg_catalog.has_table_privilege('public', c.oid, 'TRUNCATE'))
$$, 'PUBLIC cannot write any table of the extension');

SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM ext_objects e JOIN pg_catalog.pg_proc p ON p.oid = e.objid
  WHERE e.catalog = 'pg_catalog.pg_proc'::regclass
    AND pg_catalog.obj_description(p.oid, 'pg_proc') IS NULL
    AND p.prorettype NOT IN ('pg_catalog.trigger'::regtype, 'pg_catalog.index_am_handler'::regtype)
    AND p.oid NOT IN (SELECT t.typinput FROM pg_catalog.pg_type t UNION SELECT t.typoutput FROM pg_catalog.pg_type t
                      UNION SELECT t.typreceive FROM pg_catalog.pg_type t UNION SELECT t.typsend FROM pg_catalog.pg_type t
                      UNION SELECT o.oprcode FROM pg_catalog.pg_operator o
                      UNION SELECT o.oprrest FROM pg_catalog.pg_operator o UNION SELECT o.oprjoin FROM pg_catalog.pg_operator o
                      UNION SELECT a.amproc FROM pg_catalog.pg_amproc a)
$$, 'every user-facing function has a COMMENT');

SELECT is_empty($$
  SELECT o.oid::regoperator::text FROM ext_objects e JOIN pg_catalog.pg_operator o ON o.oid = e.objid
  WHERE e.catalog = 'pg_catalog.pg_operator'::regclass AND pg_catalog.obj_description(o.oid, 'pg_operator') IS NULL
  UNION ALL
  SELECT t.oid::regtype::text FROM ext_objects e JOIN pg_catalog.pg_type t ON t.oid = e.objid
  WHERE e.catalog = 'pg_catalog.pg_type'::regclass AND t.typtype <> 'c' AND t.typelem = 0
    AND pg_catalog.obj_description(t.oid, 'pg_type') IS NULL
  UNION ALL
  SELECT c.oid::regclass::text FROM ext_objects e JOIN pg_catalog.pg_class c ON c.oid = e.objid
  WHERE e.catalog = 'pg_catalog.pg_class'::regclass AND c.relkind IN ('r', 'v', 'm')
    AND pg_catalog.obj_description(c.oid, 'pg_class') IS NULL
$$, 'every operator, type, table and view has a COMMENT');

SELECT is((SELECT extrelocatable FROM pg_catalog.pg_extension WHERE extname = 'sanctions'), false,
          'the extension is not relocatable');

SELECT * FROM finish();
ROLLBACK;
