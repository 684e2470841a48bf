/*
 * libmlops — embeddable MLOps core: content-addressed artifacts, experiment
 * records, model registry and drift statistics behind one C API.
 *
 * This umbrella header includes every public header. See doc/api.md for a
 * guide and doc/conventions.md for the rules every function follows
 * (errors, ownership, lists, options, threads).
 */
#ifndef MLOPS_H
#define MLOPS_H

#include "mlops/common.h"
#include "mlops/store.h"
#include "mlops/cas.h"
#include "mlops/track.h"
#include "mlops/registry.h"
#include "mlops/import.h"
#include "mlops/remote.h"
#include "mlops/bundle.h"
#include "mlops/drift.h"
#include "mlops/eval.h"
#include "mlops/validate.h"
#include "mlops/fairness.h"
#include "mlops/monitor.h"

#endif /* MLOPS_H */
