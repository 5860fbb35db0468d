// Small statistics used by every module: mean +- sd of repeats, binomial intervals.
#pragma once
#include <vector>

namespace mgscope {

struct MeanSd {
  double mean = 0;
  double sd = 0;  // sample standard deviation (n - 1); 0 for n = 1
  int n = 0;
};
MeanSd mean_sd(const std::vector<double>& values);  // NaNs are skipped

struct Interval {
  double low = 0;
  double high = 0;
};
// Wilson score interval for a binomial proportion k/n at the normal quantile z (1.96: 95 %).
Interval wilson_interval(long k, long n, double z = 1.959963984540054);

double median(std::vector<double> values);  // NaN for an empty vector

}  // namespace mgscope
