#!/usr/bin/perl
# Validates a META.json against the PGXN Meta Spec 1.0.x, offline.
#
#   tools/validate_pgxn_meta.pl [META.json]
#
# Written here because no offline validator is packaged for Debian 12 or npm
# (PGXN's own, PGXN::Meta::Validator, is a CPAN module; the pgxn_meta CLI a
# Rust crate). It checks what the spec's v1 JSON schemas require: the
# mandatory keys, no unknown keys outside x_/X_ custom ones, Terms, SemVer
# versions, license shortcuts, provides entries, prereq phases,
# relationships and version ranges, tags, no_index, resources, meta-spec.
# Prints "META.json is OK" or the errors, one a line, and exits 1.
use strict;
use warnings;
use JSON::PP;

my $file = shift // 'META.json';
open my $fh, '<:raw', $file or die "$file: $!\n";
my $text = do { local $/; <$fh> };
my $meta = eval { JSON::PP->new->utf8->decode($text) };
if (!defined $meta) { print "$file is invalid. Errors:\n  not JSON: $@"; exit 1; }

my @errors;
sub err { push @errors, join('', @_) }

my $SEMVER = qr/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)
    (?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?
    (?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/x;
my %LICENSES = map { $_ => 1 } qw(agpl_3 apache_1_1 apache_2_0 artistic_1 artistic_2 bsd freebsd gfdl_1_2
    gfdl_1_3 gpl_1 gpl_2 gpl_3 lgpl_2_1 lgpl_3_0 mit mozilla_1_0 mozilla_1_1 openssl perl_5 postgresql qpl_1_0
    ssleay sun zlib open_source restricted unrestricted unknown);

sub is_obj { ref $_[0] eq 'HASH' }
sub is_arr { ref $_[0] eq 'ARRAY' }
sub is_str { defined $_[0] && !ref $_[0] && !JSON::PP::is_bool($_[0])
             && (B::svref_2object(\$_[0])->FLAGS & B::SVp_POK()) }
use B ();
sub custom { $_[0] =~ /^[xX]_./ }

sub string_min1 {
    my ($v, $where) = @_;
    is_str($v) && length $v >= 1 or err("$where: must be a non-empty string");
}
sub term {
    my ($v, $where) = @_;
    is_str($v) && $v =~ m{^[^/\\\s\p{Cntrl}]{2,}$}
        or err("$where: must be a Term (2+ characters, no slash, backslash, space or control character)");
}
sub semver {
    my ($v, $where) = @_;
    is_str($v) && $v =~ $SEMVER or err("$where: '", ($v // 'null'), "' is not a SemVer version (x.y.z)");
}
sub path {
    my ($v, $where) = @_;
    is_str($v) && length $v >= 2 && $v !~ m{^/} && $v !~ m{\\}
        or err("$where: must be a relative Unix path of 2+ characters");
}
sub uri {
    my ($v, $where) = @_;
    is_str($v) && $v =~ m{^[A-Za-z][A-Za-z0-9+.-]*:\S+$} or err("$where: must be a URI");
}
sub keys_only {
    my ($h, $where, @allowed) = @_;
    my %ok = map { $_ => 1 } @allowed;
    for my $k (sort keys %$h) { $ok{$k} || custom($k) or err("$where: unknown key '$k'") }
}
sub version_range {
    my ($v, $where) = @_;
    return if defined $v && !ref $v && !is_str($v) && $v eq '0';    # the number 0
    my $one = qr/(?:(?:[=!]=|[<>]=?)\s*)?(?:[0-9A-Za-z.+-]+)/;
    if (is_str($v) && $v =~ /^$one(?:,\s*$one)*$/) {
        for my $part (split /,\s*/, $v) {
            (my $ver = $part) =~ s/^(?:[=!]=|[<>]=?)\s*//;
            $ver eq '0' || $ver =~ $SEMVER or return err("$where: '$v' is not a version range");
        }
        return;
    }
    err("$where: '", ($v // 'null'), "' is not a version range");
}

is_obj($meta) or do { print "$file is invalid. Errors:\n  the top level must be an object\n"; exit 1 };

for my $k (qw(name version abstract maintainer license provides meta-spec)) {
    exists $meta->{$k} or err("Missing mandatory field, '$k'");
}
keys_only($meta, 'top level', qw(name version abstract maintainer license provides meta-spec description
    generated_by tags no_index prereqs release_status resources));

term($meta->{name}, 'name') if exists $meta->{name};
semver($meta->{version}, 'version') if exists $meta->{version};
string_min1($meta->{abstract}, 'abstract') if exists $meta->{abstract};
string_min1($meta->{description}, 'description') if exists $meta->{description};
string_min1($meta->{generated_by}, 'generated_by') if exists $meta->{generated_by};

if (exists $meta->{maintainer}) {
    my $m = $meta->{maintainer};
    if (is_arr($m)) {
        @$m or err('maintainer: an empty list');
        string_min1($m->[$_], "maintainer[$_]") for 0 .. $#$m;
    } else {
        string_min1($m, 'maintainer');
    }
}

if (exists $meta->{license}) {
    my $l = $meta->{license};
    if (is_arr($l)) {
        @$l or err('license: an empty list');
        for (@$l) { is_str($_) && $LICENSES{$_} or err("license: '", ($_ // 'null'), "' is not a license shortcut") }
    } elsif (is_obj($l)) {
        %$l or err('license: an empty object');
        uri($l->{$_}, "license.$_") for sort keys %$l;
    } else {
        is_str($l) && $LICENSES{$l} or err("license: '", ($l // 'null'), "' is not a license shortcut");
    }
}

if (exists $meta->{provides}) {
    my $p = $meta->{provides};
    if (!is_obj($p) || !%$p) {
        err('provides: must be an object naming at least one extension');
    } else {
        for my $ext (sort keys %$p) {
            term($ext, "provides key '$ext'");
            my $e = $p->{$ext};
            is_obj($e) or do { err("provides.$ext: must be an object"); next };
            exists $e->{file} or err("provides.$ext: Missing mandatory field, 'file'");
            exists $e->{version} or err("provides.$ext: Missing mandatory field, 'version'");
            keys_only($e, "provides.$ext", qw(file version abstract docfile docpath));
            path($e->{file}, "provides.$ext.file") if exists $e->{file};
            semver($e->{version}, "provides.$ext.version") if exists $e->{version};
            string_min1($e->{abstract}, "provides.$ext.abstract") if exists $e->{abstract};
            path($e->{docfile}, "provides.$ext.docfile") if exists $e->{docfile};
            string_min1($e->{docpath}, "provides.$ext.docpath") if exists $e->{docpath};
        }
    }
}

if (exists $meta->{'meta-spec'}) {
    my $s = $meta->{'meta-spec'};
    if (!is_obj($s)) {
        err('meta-spec: must be an object');
    } else {
        exists $s->{version} or err("meta-spec: Missing mandatory field, 'version'");
        is_str($s->{version}) && $s->{version} =~ /^1\.0\.\d+$/
            or err("meta-spec.version: must be 1.0.x") if exists $s->{version};
        !exists $s->{url} || (is_str($s->{url}) && $s->{url} =~ m{^https?://pgxn\.org/meta/spec\.txt$})
            or err('meta-spec.url: must be https://pgxn.org/meta/spec.txt');
        keys_only($s, 'meta-spec', qw(version url));
    }
}

if (exists $meta->{tags}) {
    my $t = $meta->{tags};
    if (!is_arr($t) || !@$t) {
        err('tags: must be a non-empty list');
    } else {
        for (@$t) {
            is_str($_) && length($_) >= 2 && length($_) <= 255 && !m{[/\\\p{Cntrl}]}
                or err("tags: '", ($_ // 'null'), "' is not a tag (2-255 characters, no slash, backslash, control)");
        }
    }
}

if (exists $meta->{no_index}) {
    my $n = $meta->{no_index};
    if (!is_obj($n) || !(exists $n->{file} || exists $n->{directory})) {
        err('no_index: must be an object with file or directory');
    } else {
        keys_only($n, 'no_index', qw(file directory));
        for my $k (grep { exists $n->{$_} } qw(file directory)) {
            my $v = $n->{$k};
            my @list = is_arr($v) ? @$v : ($v);
            @list or err("no_index.$k: an empty list");
            my %seen;
            for (@list) { path($_, "no_index.$k"); $seen{$_ // ''}++ and err("no_index.$k: '$_' twice") }
        }
    }
}

if (exists $meta->{prereqs}) {
    my $p = $meta->{prereqs};
    if (!is_obj($p) || !%$p) {
        err('prereqs: must be a non-empty object');
    } else {
        keys_only($p, 'prereqs', qw(configure build test runtime develop));
        for my $phase (grep { !custom($_) } sort keys %$p) {
            my $ph = $p->{$phase};
            is_obj($ph) && %$ph or do { err("prereqs.$phase: must be a non-empty object"); next };
            keys_only($ph, "prereqs.$phase", qw(requires recommends suggests conflicts));
            for my $rel (grep { !custom($_) } sort keys %$ph) {
                my $r = $ph->{$rel};
                is_obj($r) && %$r or do { err("prereqs.$phase.$rel: must be a non-empty object"); next };
                for my $dep (sort keys %$r) {
                    term($dep, "prereqs.$phase.$rel key '$dep'");
                    version_range($r->{$dep}, "prereqs.$phase.$rel.$dep");
                }
            }
        }
    }
}

if (exists $meta->{release_status}) {
    my $s = $meta->{release_status};
    is_str($s) && $s =~ /^(stable|testing|unstable)$/ or err('release_status: must be stable, testing or unstable');
}

if (exists $meta->{resources}) {
    my $r = $meta->{resources};
    if (!is_obj($r) || !%$r) {
        err('resources: must be a non-empty object');
    } else {
        keys_only($r, 'resources', qw(homepage bugtracker repository));
        uri($r->{homepage}, 'resources.homepage') if exists $r->{homepage};
        if (exists $r->{bugtracker}) {
            my $b = $r->{bugtracker};
            if (is_obj($b) && (exists $b->{web} || exists $b->{mailto})) {
                keys_only($b, 'resources.bugtracker', qw(web mailto));
                uri($b->{web}, 'resources.bugtracker.web') if exists $b->{web};
                !exists $b->{mailto} || (is_str($b->{mailto}) && $b->{mailto} =~ /^[^@\s]+@[^@\s]+$/)
                    or err('resources.bugtracker.mailto: must be an email address');
            } else {
                err('resources.bugtracker: must be an object with web or mailto');
            }
        }
        if (exists $r->{repository}) {
            my $s = $r->{repository};
            if (is_obj($s) && (exists $s->{web} || (exists $s->{url} && exists $s->{type}))) {
                keys_only($s, 'resources.repository', qw(url web type));
                uri($s->{url}, 'resources.repository.url') if exists $s->{url};
                uri($s->{web}, 'resources.repository.web') if exists $s->{web};
                string_min1($s->{type}, 'resources.repository.type') if exists $s->{type};
            } else {
                err('resources.repository: must be an object with web, or url and type');
            }
        }
    }
}

if (@errors) {
    print "$file is invalid. Errors:\n";
    print "  $_\n" for @errors;
    exit 1;
}
print "$file is OK\n";
