# Sourced by benchmark scripts that make and drop thousands of files.
#
# On ext4 without a journal (this machine kind's file system), every file
# created looks past the inodes freed in the last 30 s or so (the
# kernel's dirty expiry) in its inode group, so removing thousands of
# files just before a timed step slows that step, whoever's it is, by
# seconds. A script therefore moves what a step is done with aside
# (set_aside), removes it all at the end (set_aside_cleanup), and starts
# timing 35 s after its last removal (wait_after_removals).
#
# Needs $work (an absolute folder) set before sourcing.

aside_folder=$work/trash
removed_at=0

# remove_old PATH...: removes an earlier run's folders, noting when.
remove_old() {
    rm -rf "$@"
    removed_at=$(date +%s)
}

# set_aside PATH...: moves its arguments (those that exist) aside.
set_aside() {
    local f
    mkdir -p "$aside_folder"
    for f in "$@"; do
        [ -e "$f" ] && mv "$f" "$(mktemp -d "$aside_folder/XXXXXX")/"
    done
    return 0
}

# wait_after_removals: sleeps until 35 s have passed since the last
# remove_old.
wait_after_removals() {
    local wait_s=$((removed_at + 35 - $(date +%s)))
    [ "$wait_s" -le 0 ] || sleep "$wait_s"
}

# set_aside_cleanup: removes what was set aside (for an EXIT trap).
set_aside_cleanup() {
    rm -rf "$aside_folder"
}
