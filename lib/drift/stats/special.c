/* Special functions the tests need, written from their mathematical
 * definitions: the regularised incomplete gamma function (series and
 * continued fraction with a Stirling-based prefactor, so that large degrees
 * of freedom keep their digits), normal tails, and the modified Bessel
 * function K_nu by the trapezoid rule on its cosh integral, which converges
 * geometrically for this analytic integrand. */
#include "drift/drift_internal.h"

#include <float.h>
#include <math.h>

#define PI 3.14159265358979323846
#define LOG_2PI 1.83787706640934548356

double mlops__log1pmx(double x)
{
    if (fabs(x) > 0.1) return log1p(x) - x;
    /* log1p(x) = 2 atanh(z), z = x / (2 + x); 2z - x = -x^2 / (2 + x). */
    double z = x / (2.0 + x);
    double z2 = z * z;
    double term = z * z2;
    double sum = 0.0;
    for (int k = 3; k < 40; k += 2) {
        double t = term / k;
        sum += t;
        if (fabs(t) <= 1e-18 * fabs(sum)) break;
        term *= z2;
    }
    return -x * x / (2.0 + x) + 2.0 * sum;
}

double mlops__logaddexp(double a, double b)
{
    if (a == -INFINITY) return b;
    if (b == -INFINITY) return a;
    double m = a > b ? a : b;
    return m + log1p(exp(-fabs(a - b)));
}

/* log(x^a e^-x / Gamma(a)). For large a it is written as
 * a*(log1p(t) - t) + log(a / 2pi)/2 - stirling(a), t = (x - a)/a, which
 * avoids subtracting large nearly equal terms. */
static double log_gamma_prefactor(double a, double x)
{
    if (a < 10.0) return a * log(x) - x - lgamma(a);
    double t = (x - a) / a;
    double r = 1.0 / a, r2 = r * r;
    double stirling =
        r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 / 1188))));
    return a * mlops__log1pmx(t) + 0.5 * log(a / (2.0 * PI)) - stirling;
}

/* P(a, x) by its power series (x < a + 1): sum of x^n / (a (a+1)...(a+n)). */
static double gamma_p_series_sum(double a, double x)
{
    double term = 1.0 / a, sum = term;
    for (int n = 1; n < 1000000; n++) {
        term *= x / (a + n);
        sum += term;
        if (term < sum * DBL_EPSILON * 0.5) break;
    }
    return sum;
}

/* Q(a, x) / prefactor by Lentz's continued fraction (x >= a + 1). */
static double gamma_q_cf(double a, double x)
{
    const double tiny = 1e-300;
    double b = x + 1.0 - a;
    double c = 1.0 / tiny;
    double d = 1.0 / b;
    double h = d;
    for (int i = 1; i < 1000000; i++) {
        double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < tiny) d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < DBL_EPSILON * 0.5) break;
    }
    return h;
}

double mlops__log_gamma_q(double a, double x)
{
    if (!(x > 0.0)) return 0.0;
    if (x == INFINITY) return -INFINITY;
    double lp = log_gamma_prefactor(a, x);
    if (x < a + 1.0) {
        double p = exp(lp) * gamma_p_series_sum(a, x);
        return log1p(-(p < 1.0 ? p : 1.0));
    }
    return lp + log(gamma_q_cf(a, x));
}

double mlops__gamma_q(double a, double x)
{
    if (!(x > 0.0)) return 1.0;
    if (x == INFINITY) return 0.0;
    double lp = log_gamma_prefactor(a, x);
    if (x < a + 1.0) {
        double p = exp(lp) * gamma_p_series_sum(a, x);
        return p < 1.0 ? 1.0 - p : 0.0;
    }
    return exp(lp) * gamma_q_cf(a, x);
}

double mlops__chi2_sf(double x, double dof)
{
    if (x < 0.0) return 1.0;
    return mlops__gamma_q(dof / 2.0, x / 2.0);
}

double mlops__chi2_logsf(double x, double dof)
{
    if (x < 0.0) return 0.0;
    return mlops__log_gamma_q(dof / 2.0, x / 2.0);
}

double mlops__norm_2sf(double z)
{
    return erfc(fabs(z) / sqrt(2.0));
}

double mlops__norm_log_2sf(double z)
{
    double x = fabs(z) / sqrt(2.0);
    if (x < 25.0) return log(erfc(x));
    /* erfc(x) ~ e^{-x^2} / (x sqrt(pi)) * (1 - 1/(2x^2) + 3/(4x^4) - 15/(8x^6)) */
    double r = 1.0 / (2.0 * x * x);
    double series = 1.0 - r * (1.0 - 3.0 * r * (1.0 - 5.0 * r * (1.0 - 7.0 * r)));
    return -x * x - log(x) - 0.5 * log(PI) + log(series);
}

double mlops__bessel_k_scaled(double nu, double x)
{
    /* e^x K_nu(x) = integral over t >= 0 of exp(-x (cosh t - 1)) cosh(nu t);
     * cosh t - 1 = 2 sinh(t/2)^2 keeps digits near t = 0. The step shrinks
     * as 1/sqrt(x) with the integrand's width. */
    double h = 0.5 / sqrt(x);
    if (h > 0.1) h = 0.1;
    double sum = 0.5; /* t = 0 */
    for (int i = 1; i < 100000; i++) {
        double t = i * h;
        double s = sinh(0.5 * t);
        double f = exp(-2.0 * x * s * s) * cosh(nu * t);
        sum += f;
        if (f < 1e-20 * sum) break;
    }
    return sum * h;
}
