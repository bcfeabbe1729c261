# Sourced by the scripts that start a throwaway cluster: sets STAGE, the
# directory `make install DESTDIR=$STAGE` stages the extension in, which the
# server finds through extension_destdir and dynamic_library_path.
#
# build/stage inside the tree, unless the server cannot read the tree: run as
# root, pg_virtualenv starts PostgreSQL as the postgres user, and a clone
# under /root (mode 700) is out of its reach. Then a directory of its own
# under /tmp, one per tree.
_stage_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STAGE=$_stage_root/build/stage
if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1 &&
    ! runuser -u postgres -- test -r "$_stage_root/Makefile" 2>/dev/null; then
    STAGE=/tmp/paperclip_locks-stage-$(printf '%s' "$_stage_root" | md5sum | cut -c1-12)
fi
unset _stage_root
