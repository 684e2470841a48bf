#include "cas/cas_internal.h"

/* Every digest that must survive garbage collection comes from one of
 * these queries (see "GC roots" in cas_internal.h). Each is a SELECT of
 * one column of 32-byte digest BLOBs; NULLs are ignored. A subsystem that
 * records digests adds exactly one line here for its table. */
static const char *const gc_root_queries[] = {
    "SELECT digest FROM cas_ref",
    "SELECT digest FROM run_lineage WHERE direction = 1", /* run outputs (lib/track) */
    /* model versions not deleted (lib/registry) */
    "SELECT artifact FROM reg_versions WHERE deleted_ms IS NULL",
    /* monitors' references and their windows' profiles (lib/monitor) */
    "SELECT reference FROM mon_columns",
    "SELECT profile FROM mon_window_columns",
    "SELECT profiles FROM mon_windows",
};

size_t mlops__cas_gc_root_queries(const char *const **out)
{
    *out = gc_root_queries;
    return sizeof gc_root_queries / sizeof gc_root_queries[0];
}
