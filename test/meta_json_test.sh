#!/usr/bin/env bash
# META.json (PGXN): valid per the PGXN Meta Spec 1.0 (tools/validate_pgxn_meta.pl,
# offline), consistent with the source (every paperclip_locks*.control is
# provided at its default_version, files exist, the Debian changelog and the
# Makefile agree), and the validator rejects each of a set of broken copies
# -- so it can fail. Prints "meta_json: ok".
set -u
cd "$(dirname "$0")/.."
validate=tools/validate_pgxn_meta.pl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bad=0
ok() { echo "ok   $*"; }
no() { echo "FAIL $*"; bad=$((bad + 1)); }

if out=$($validate META.json); then ok "META.json: $out"; else no "META.json"; echo "$out"; fi

# Consistency with the source tree.
semver() { case $1 in *.*.*) echo "$1" ;; *.*) echo "$1.0" ;; *) echo "$1.0.0" ;; esac; }
meta() { perl -MJSON::PP -e 'local $/; my $m = decode_json(<STDIN>); my $v = eval "\$m->$ARGV[0]"; print $v // ""' "$1" <META.json; }
main_version=$(sed -nE "s/^default_version = '([^']+)'.*/\1/p" paperclip_locks.control)
[ "$(meta '{version}')" = "$(semver "$main_version")" ] &&
    ok "distribution version $(meta '{version}') = paperclip_locks $main_version" ||
    no "distribution version $(meta '{version}') is not paperclip_locks $main_version"
for control in paperclip_locks*.control; do
    ext=${control%.control}
    v=$(sed -nE "s/^default_version = '([^']+)'.*/\1/p" "$control")
    pv=$(meta "{provides}{$ext}{version}")
    [ "$pv" = "$(semver "$v")" ] && ok "provides $ext $pv (control: $v)" ||
        no "provides $ext: '$pv', its control file says $v"
    for key in file docfile; do
        f=$(meta "{provides}{$ext}{$key}")
        [ -z "$f" ] || [ -f "$f" ] && ok "provides $ext $key ${f:-(none)} exists" || no "provides $ext $key $f is missing"
    done
done
deb=$(sed -nE '1s/^[^ ]+ \(([^)-]+)(-[^)]*)?\).*/\1/p' debian/changelog)
[ "$deb" = "$main_version" ] && ok "debian/changelog $deb" || no "debian/changelog says $deb, the control file $main_version"
mk=$(sed -nE 's/^EXTVERSION = (.*)/\1/p' Makefile)
[ "$mk" = "$main_version" ] && ok "Makefile EXTVERSION $mk" || no "Makefile EXTVERSION $mk, the control file $main_version"

# Broken copies the validator must reject, each with its reason.
broken() {  # name "perl statement on $m" expected-error-substring
    perl -MJSON::PP -e 'local $/; my $m = decode_json(<STDIN>); eval $ARGV[0]; die $@ if $@;
                        print JSON::PP->new->canonical->encode($m)' "$2" <META.json >"$work/$1.json"
    if out=$($validate "$work/$1.json"); then
        no "broken copy '$1' accepted"
    elif grep -qF "$3" <<<"$out"; then
        ok "broken copy '$1' rejected: $3"
    else
        no "broken copy '$1' rejected for another reason"; echo "$out"
    fi
}
broken no-license 'delete $m->{license}' "Missing mandatory field, 'license'"
broken no-provides 'delete $m->{provides}' "Missing mandatory field, 'provides'"
broken empty-provides '$m->{provides} = {}' 'provides: must be an object naming at least one extension'
broken two-part-version '$m->{version} = "1.1"' "version: '1.1' is not a SemVer version"
broken ext-version '$m->{provides}{paperclip_locks}{version} = "1.1"' "provides.paperclip_locks.version: '1.1'"
broken ext-no-file 'delete $m->{provides}{paperclip_locks}{file}' "provides.paperclip_locks: Missing mandatory field, 'file'"
broken ext-extra-key '$m->{provides}{paperclip_locks}{schema} = "paperclip"' "provides.paperclip_locks: unknown key 'schema'"
broken bad-license '$m->{license} = "MIT"' "license: 'MIT' is not a license shortcut"
broken meta-spec-2 '$m->{"meta-spec"}{version} = "2.0.0"' 'meta-spec.version: must be 1.0.x'
broken unknown-key '$m->{homepage} = "https://example.org"' "top level: unknown key 'homepage'"
broken name-space '$m->{name} = "paperclip locks"' 'name: must be a Term'
broken bad-range '$m->{prereqs}{runtime}{requires}{PostgreSQL} = "~15"' "prereqs.runtime.requires.PostgreSQL: '~15'"
broken bad-phase '$m->{prereqs}{install} = {requires => {x => 0}}' "prereqs: unknown key 'install'"
broken bad-status '$m->{release_status} = "beta"' 'release_status: must be stable, testing or unstable'
broken short-tag '$m->{tags} = ["x"]' "tags: 'x' is not a tag"
broken abs-path '$m->{no_index} = {directory => ["/test"]}' 'no_index.directory: must be a relative Unix path'
# Custom x_ keys are allowed by the spec.
perl -MJSON::PP -e 'local $/; my $m = decode_json(<STDIN>); $m->{x_debian} = "postgresql-15-paperclip-locks";
                    print encode_json($m)' <META.json >"$work/custom.json"
$validate "$work/custom.json" >/dev/null && ok "a custom x_ key is accepted" || no "a custom x_ key was rejected"

[ "$bad" -eq 0 ] && echo "meta_json: ok" || { echo "meta_json: $bad check(s) failed"; exit 1; }
