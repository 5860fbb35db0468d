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
// The smallest m with P(X <= m) >= q for X ~ Binomial(n, p): the count that chance alone reaches
// with probability at most 1 - q.
long binomial_quantile(long n, double p, double q);

double median(std::vector<double> values);  // NaN for an empty vector
// Robust standard deviation: 1.4826 x the median absolute deviation from the median (the sd of
// normal values; a few outliers do not widen it). NaN for an empty vector.
double robust_sd(std::vector<double> values);
// The sd of one reading of a smooth series from the absolute values of its second differences
// x[i+1] - 2 x[i] + x[i-1]: white noise gives them a variance of 6 sd^2, a smooth trend almost
// nothing, and their median (0.6745 sd for a Gaussian) is robust to a few outliers and corners.
// NaN for an empty vector.
double noise_sd_from_second_differences(std::vector<double> absolute_second_differences);
// The same of [first, last), reordering it in place (no copy): for many medians of parts of one array.
double median_in_place(double* first, double* last);
// The same for floats (the mean of the two middle values of an even count taken in double), as
// for the same values as doubles: selecting among floats moves half the bytes.
double median_in_place(float* first, float* last);

// Pearson's r of the finite pairs (NaN for fewer than 3 pairs or no spread); `n` gets the pairs.
double pearson_r(const std::vector<double>& x, const std::vector<double>& y, int& n);

// Pearson's r with its two-sided p-value (t = r sqrt((n-2)/(1-r^2)), Student t with n - 2 degrees
// of freedom) and 95 % interval (Fisher z, normal); NaNs where r is undefined.
struct Correlation {
  double r = 0;
  int n = 0;
  double p_value = 0;
  Interval r_95;
};
Correlation pearson(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace mgscope
