/* Internal interface of the fairness measures (lib/fairness). */
#ifndef MLOPS_FAIRNESS_INTERNAL_H
#define MLOPS_FAIRNESS_INTERNAL_H

#include "mlops/fairness.h"

struct mlops_fairness_frame {
    mlops_fairness_group overall;
    mlops_fairness_group *g; /* k groups in increasing code order */
    size_t k;
};

/* The body of mlops_fairness_frame_build; fn names the public function. */
int mlops__fairness_frame(const char *fn, int metric, const mlops_eval_data *d, const int *groups,
                          const mlops_eval_opts *opts, mlops_fairness_frame **out);

/* MetricFrame.difference (ratio = 0) or .ratio (ratio = 1) into out. */
int mlops__fairness_aggregate(const char *fn, const mlops_fairness_frame *f, int ratio,
                              int method, mlops_eval_result *out);

#endif
