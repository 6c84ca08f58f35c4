# Loaded lists and their history survive pg_dump / pg_restore: the list tables
# are extension configuration tables.  Two versions of the seed case's SDN rows
# (loaded with bin/sanctions-load) and the Zala Aero FollowTheMoney cluster with
# its ownership edges are dumped and restored into another database; every row
# comes back, the sequences continue, and a further version loads on top.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('lists_dump');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('postgres', 'CREATE DATABASE dst');
$node->safe_psql('src', 'CREATE EXTENSION sanctions');

my $excerpt = 'data/ofac/excerpts/2025-11_sdn_rows_49741-49764_NPWMD_PRC_network.csv';
open(my $in, '<', $excerpt) or die "cannot read $excerpt: $!";
my @rows = <$in>;
close $in;

# version 2: 49763 removed, 49742 changed (a new remark), one new entry
my $v2 = $node->basedir . '/sdn_v2.csv';
open(my $out, '>', $v2) or die;
for my $row (@rows) {
    next if $row =~ /^49763,/;
    $row =~ s/Linked To: SHI, Qianpei\."/Passport E12345678 (China); Linked To: SHI, Qianpei."/ if $row =~ /^49742,/;
    print $out $row;
}
print $out qq{49800,"NEW TEST TRADING CO., LTD.",-0- ,"NPWMD",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n};
close $out;

my @load = ('bin/sanctions-load', '-d', $node->connstr('src'));
$node->command_like([ @load, 'ofac-sdn', '--sdn', $excerpt, '--published', '2025-11-14', '--list', 'seed' ],
    qr/list seed version \d+ published 2025-11-14: 11 entities \(11 added, 0 removed, 0 changed\)/,
    'bin/sanctions-load loads the seed rows');
$node->command_like([ @load, 'ofac-sdn', '--sdn', $v2, '--published', '2025-11-21', '--list', 'seed' ],
    qr/: 11 entities \(1 added, 1 removed, 1 changed\)/, 'bin/sanctions-load loads a newer version');
$node->command_like([ @load, 'ftm', 'data/ownership/zala.entities.ftm.json' ],
    qr/list opensanctions version \d+ published 2026-04-29: 14 entities/, 'bin/sanctions-load loads FollowTheMoney');
$node->command_fails_like([ @load, 'ofac-sdn', '--sdn', $excerpt, '--list', 'seed' ],
    qr/needs --published/, 'an OFAC load without a date is refused');
$node->safe_psql('src', q{INSERT INTO sanctions.ofac_identifier_label VALUES ('Seafarer Book No.', 'national_id')});

my %queries = (
    lists    => q{SELECT string_agg(l::text, E'\n' ORDER BY list_id) FROM sanctions.list l},
    versions => q{SELECT string_agg(v::text, E'\n' ORDER BY version_id) FROM sanctions.list_version v},
    entities => q{SELECT string_agg(e::text, E'\n' ORDER BY entity_id) FROM sanctions.entity e},
    names    => q{SELECT string_agg(concat_ws('|', name_id, entity_id, name::text, raw_name, name_kind, weak), E'\n'
                  ORDER BY name_id) FROM sanctions.entity_name},
    attributes => q{SELECT (SELECT string_agg(b::text, E'\n' ORDER BY b::text) FROM sanctions.entity_birth_date b)
                  || (SELECT string_agg(i::text, E'\n' ORDER BY i::text) FROM sanctions.entity_identifier i)
                  || (SELECT string_agg(c::text, E'\n' ORDER BY c::text) FROM sanctions.entity_country c)
                  || (SELECT string_agg(r::text, E'\n' ORDER BY r::text) FROM sanctions.entity_relation r)
                  || (SELECT string_agg(a::text, E'\n' ORDER BY a::text) FROM sanctions.entity_address a)},
    diff     => q{SELECT string_agg(d::text, E'\n' ORDER BY version_id, source_id) FROM sanctions.list_version_diff d},
    edges    => q{SELECT string_agg(o::text, E'\n' ORDER BY ownership_id) FROM sanctions.ownership o},
    labels   => q{SELECT count(*) || '|' || count(*) FILTER (WHERE NOT builtin) FROM sanctions.ofac_identifier_label},
);
my %before = map { $_ => $node->safe_psql('src', $queries{$_}) } keys %queries;
like($before{diff}, qr/,49742,changed,\d+,\d+\)\n\(\d+,49763,removed,\d+,\)\n\(\d+,49800,added,,\d+\)/,
    'the source has the difference of version 2');
like($before{entities}, qr/^\(\d+,\d+,49742,.*\n\(\d+,\d+,49742,/ms, 'the source keeps both states of the changed entry');
like($before{edges}, qr/NK-aU5ybkbRFJucf8YMwsJvDw,NK-abdzbEBkqyT29GyREbiURZ,51,/, 'the source has the ownership edges');

my $dump = $node->basedir . '/lists.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('src') ], 'pg_dump');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('dst'), $dump ], 'pg_restore');
for my $what (sort keys %queries) {
    is($node->safe_psql('dst', $queries{$what}), $before{$what}, "$what restored intact");
}
is($node->safe_psql('dst', q{SELECT nextval('sanctions.entity_entity_id_seq') > max(entity_id) FROM sanctions.entity}),
    't', 'the entity sequence continues after the restored rows');
is($node->safe_psql('dst', q{SELECT count(*) FROM sanctions.entity_at('seed',
        (SELECT min(version_id) FROM sanctions.list_version JOIN sanctions.list USING (list_id) WHERE code = 'seed'))}),
    '11', 'the first version is still queryable after the restore');

# a third version on top of the restored history
$node->command_like([ 'bin/sanctions-load', '-d', $node->connstr('dst'), 'ofac-sdn', '--sdn', $excerpt,
        '--published', '2025-11-28', '--list', 'seed' ],
    qr/: 11 entities \(1 added, 1 removed, 1 changed\)/, 'a newer version loads into the restored database');
is($node->safe_psql('dst', q{SELECT count(*) FROM sanctions.list_version v JOIN sanctions.list l USING (list_id)
                             WHERE l.code = 'seed' AND v.is_current}), '1', 'one current version after the new load');

$node->stop;
done_testing();
