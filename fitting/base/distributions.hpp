// Probability distributions the fits need for their intervals and tests.
#pragma once

namespace mgscope {

// P(T <= t) for Student's t with `dof` degrees of freedom.
double student_t_cdf(double t, double dof);
// Quantile of Student's t distribution with `dof` degrees of freedom (p in (0, 1)); NaN outside.
double student_t_quantile(double p, double dof);

}  // namespace mgscope
