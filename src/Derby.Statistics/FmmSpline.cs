namespace Derby.Statistics;

/// <summary>
/// R's <c>spline(x, y, n = 3 * length(x), method = "fmm")</c> and <c>approx(x, y, xout)</c>, ported so that profile-likelihood
/// intervals interpolate exactly as MASS's <c>confint.profile.glm</c> does. The cubic spline is Forsythe, Malcolm and Moler's
/// (Computer Methods for Mathematical Computations, 1977): end conditions match the third derivative of the cubics through
/// the first and last four points.
/// </summary>
internal static class FmmSpline
{
    /// <summary>Evaluates the spline through (x, y) at 3 n equally spaced points (n distinct x) over [min x, max x] (R's <c>spline()</c>).</summary>
    public static (double[] X, double[] Y) Spline(double[] x, double[] y)
    {
        var (xs, ys) = Regularize(x, y);
        var n = xs.Length;
        var nout = 3 * n;
        var (b, c, d) = Coefficients(xs, ys);
        var u = new double[nout];
        var v = new double[nout];
        var by = (xs[n - 1] - xs[0]) / (nout - 1);
        for (var l = 0; l < nout; l++)
        {
            u[l] = l == nout - 1 ? xs[n - 1] : xs[0] + l * by;
        }

        var i = 0;
        for (var l = 0; l < nout; l++)
        {
            var ul = u[l];
            if (ul < xs[i] || (i < n - 1 && xs[i + 1] < ul))
            {
                i = 0;
                var j = n;
                do
                {
                    var k = (i + j) / 2;
                    if (ul < xs[k])
                    {
                        j = k;
                    }
                    else
                    {
                        i = k;
                    }
                }
                while (j > i + 1);
            }

            var dx = ul - xs[i];
            v[l] = ys[i] + dx * (b[i] + dx * (c[i] + dx * d[i]));
        }

        return (u, v);
    }

    /// <summary>R's <c>approx(x, y, xout)$y</c>: linear interpolation after sorting by x and averaging tied x; NaN outside the range.</summary>
    public static double Approx(double[] x, double[] y, double xout)
    {
        var (xs, ys) = Regularize(x, y);
        var n = xs.Length;
        if (n == 0 || double.IsNaN(xout) || xout < xs[0] || xout > xs[n - 1])
        {
            return double.NaN;
        }

        int lo = 0, hi = n - 1;
        while (lo < hi - 1)
        {
            var mid = (lo + hi) / 2;
            if (xout < xs[mid])
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }

        if (xout == xs[hi])
        {
            return ys[hi];
        }

        if (xout == xs[lo])
        {
            return ys[lo];
        }

        return ys[lo] + (ys[hi] - ys[lo]) * ((xout - xs[lo]) / (xs[hi] - xs[lo]));
    }

    /// <summary>R's <c>regularize.values(x, y, ties = mean)</c>: drop NaN pairs, sort by x, average y over tied x.</summary>
    private static (double[] X, double[] Y) Regularize(double[] x, double[] y)
    {
        var pairs = x.Zip(y).Where(t => !double.IsNaN(t.First) && !double.IsNaN(t.Second)).OrderBy(t => t.First).ToArray();
        var xs = new List<double>();
        var ys = new List<double>();
        var start = 0;
        while (start < pairs.Length)
        {
            var end = start;
            var sum = 0.0;
            while (end < pairs.Length && pairs[end].First == pairs[start].First)
            {
                sum += pairs[end].Second;
                end++;
            }

            xs.Add(pairs[start].First);
            ys.Add(sum / (end - start));
            start = end;
        }

        return (xs.ToArray(), ys.ToArray());
    }

    /// <summary>R's C routine <c>fmm_spline</c> (src/library/stats/src/splines.c), 0-based.</summary>
    private static (double[] B, double[] C, double[] D) Coefficients(double[] x, double[] y)
    {
        var n = x.Length;
        var b = new double[n];
        var c = new double[n];
        var d = new double[n];
        if (n < 2)
        {
            return (b, c, d);
        }

        if (n < 3)
        {
            var t0 = (y[1] - y[0]) / (x[1] - x[0]);
            b[0] = b[1] = t0;
            return (b, c, d);
        }

        var nm1 = n - 1;
        d[0] = x[1] - x[0];
        c[1] = (y[1] - y[0]) / d[0];
        for (var i = 1; i < nm1; i++)
        {
            d[i] = x[i + 1] - x[i];
            b[i] = 2.0 * (d[i - 1] + d[i]);
            c[i + 1] = (y[i + 1] - y[i]) / d[i];
            c[i] = c[i + 1] - c[i];
        }

        b[0] = -d[0];
        b[nm1] = -d[n - 2];
        c[0] = c[nm1] = 0.0;
        if (n > 3)
        {
            c[0] = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0]);
            c[nm1] = c[n - 2] / (x[nm1] - x[n - 3]) - c[n - 3] / (x[n - 2] - x[n - 4]);
            c[0] = c[0] * d[0] * d[0] / (x[3] - x[0]);
            c[nm1] = -c[nm1] * d[n - 2] * d[n - 2] / (x[nm1] - x[n - 4]);
        }

        for (var i = 1; i <= nm1; i++)
        {
            var t = d[i - 1] / b[i - 1];
            b[i] -= t * d[i - 1];
            c[i] -= t * c[i - 1];
        }

        c[nm1] /= b[nm1];
        for (var i = n - 2; i >= 0; i--)
        {
            c[i] = (c[i] - d[i] * c[i + 1]) / b[i];
        }

        b[nm1] = (y[nm1] - y[n - 2]) / d[n - 2] + d[n - 2] * (c[n - 2] + 2.0 * c[nm1]);
        for (var i = 0; i < nm1; i++)
        {
            b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2.0 * c[i]);
            d[i] = (c[i + 1] - c[i]) / d[i];
            c[i] = 3.0 * c[i];
        }

        c[nm1] = 3.0 * c[nm1];
        d[nm1] = d[n - 2];
        return (b, c, d);
    }
}
