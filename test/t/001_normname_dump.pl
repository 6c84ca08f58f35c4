# pg_dump / pg_restore round trip of a table of sanctions.normname values, and
# a binary COPY round trip (send/receive): nothing may be lost or changed,
# neither the values nor what is derived from them (kind, token classes).
# Also: a database that is not UTF8 gets a clear error.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('normname_dump');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('postgres', 'CREATE DATABASE dst');

$node->safe_psql('src', q{
CREATE EXTENSION sanctions;
CREATE TABLE names (id int PRIMARY KEY, raw text NOT NULL, n sanctions.normname NOT NULL);
INSERT INTO names (id, raw, n)
SELECT i, r, r FROM unnest(ARRAY[
    'CHEN, Tianxin', '陈天新', 'SHI, Qianpei', 'Müller', 'O''Brien', 'J.P. Morgan & Co.',
    'AL-QAEDA', 'Dr. Khamis', 'Владимир Путин', '北京晶华启迪电子科技有限公司',
    'BEIJING SANSHUNDA ELECTRONICS SCIENCE AND TECHNOLOGY CO., LTD.', 'ООО Ромашка',
    'Siemens GmbH & Co. KG', 'محمد علي', '김정은', 'EP-LDA', '5. Batallion', '鿀 陈'])
    WITH ORDINALITY AS t(r, i);
CREATE INDEX names_btree ON names (n);
CREATE INDEX names_hash ON names USING hash (n);
});

my $summary = q{SELECT string_agg(id || '|' || n::text || '|' || sanctions.name_kind(n) || '|'
                     || array_to_string(sanctions.token_classes(n), ','), E'\n' ORDER BY id) FROM names};
my $before = $node->safe_psql('src', $summary);
like($before, qr/^1\|chen, tianxin\|person\|word,word\n/, 'the source table holds the names');

my $dump = $node->basedir . '/names.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('src') ], 'pg_dump');
$node->command_ok([ 'pg_restore', '-d', $node->connstr('dst'), $dump ], 'pg_restore');

is($node->safe_psql('dst', $summary), $before, 'values, kinds and token classes survive dump/restore');
is($node->safe_psql('dst',
        'SELECT count(*) FROM names WHERE n OPERATOR(sanctions.<>) raw::sanctions.normname'),
    '0', 'restored values equal the raw names normalized again');
is($node->safe_psql('dst', q{SET enable_seqscan = off;
        SELECT count(*) FROM names WHERE n OPERATOR(sanctions.=) 'Tianxin Chen'::sanctions.normname}),
    '2', 'restored indexes find both spellings of CHEN Tianxin');

my $bin = $node->basedir . '/names.bin';
$node->safe_psql('src', "COPY names TO '$bin' (FORMAT binary)");
$node->safe_psql('dst', "CREATE TABLE names_bin (LIKE names); COPY names_bin FROM '$bin' (FORMAT binary)");
is($node->safe_psql('dst', $summary =~ s/FROM names/FROM names_bin/r), $before,
    'binary COPY (send/receive) round trip');

# ICU needs Unicode: a non-UTF8 database gets a clear error, not garbage
$node->safe_psql('postgres', "CREATE DATABASE ascii_db ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
my ($ret, $stdout, $stderr) = $node->psql('ascii_db',
    "CREATE EXTENSION sanctions; SELECT 'Chen'::sanctions.normname");
like($stderr, qr/sanctions\.normname requires a UTF8 database/, 'non-UTF8 database is refused clearly');

$node->stop;
done_testing();
