using System.Buffers;
using Derby.Imaging.Series;

namespace Derby.Imaging.Segmentation;

/// <summary>
/// Segments one PET lesion inside the box a physician drew: the paper's "adaptive threshold + region growing" (Boudraa and
/// Zaidi 2006, the paper's reference 26), as an iterative background-subtracted threshold in the manner of Jentzen et al.
/// (J Nucl Med 2007;48:108-114) with the source estimated by the region's own mean (as Black et al., IJROBP 2004;60:1272,
/// do with the mean SUV):
/// <list type="number">
/// <item>Seed: the box's hottest voxel (first in slice, row, column order on ties).</item>
/// <item>Background B: median (or mean) SUV of the box's shell, the outer <see cref="SegmentationSettings.ShellThickness"/> voxels.</item>
/// <item>T₀ = B + f · (SUVmax − B); the region = voxels ≥ T grown from the seed inside the box, <b>6-connected</b> (faces
/// only: two lesions touching at an edge or a corner stay apart). f = <see cref="SegmentationSettings.ThresholdFraction"/>.</item>
/// <item>S = mean SUV of the region; T = B + f · (S − B); regrow; repeat until |ΔT| &lt; tolerance or the maximum
/// number of updates (then <see cref="LesionSegmentation.Converged"/> is false, with a warning). T never goes below
/// B + <see cref="SegmentationSettings.NoiseFloorSigmas"/> robust SDs of the shell.</item>
/// <item>Holes filled (<see cref="HoleFilling"/>): necrotic cores have near-zero uptake but belong to the lesion.</item>
/// </list>
/// Two options, off by default (measured in the ADR below: neither meets the study's numbers on more lesions):
/// <see cref="SegmentationSettings.SmoothingFwhmMm"/> grows the region on a Gaussian-smoothed copy of the box (its hottest
/// voxel, noise, source, emptiness test and T; the measures stay on the raw SUVs), and
/// <see cref="SegmentationSettings.SourceFraction"/> takes S from the region's hotter part (after Nestle et al., J Nucl Med
/// 2005;46:1342).
/// With <see cref="SegmentationSettings.FixedThresholdSuv"/> the region is grown once at the physician's threshold.
/// <para>
/// Defined cases: an empty box (adaptive threshold, hottest voxel not clearly above the background:
/// <see cref="SegmentationSettings.MinimumPeakToBackground"/>, <see cref="SegmentationSettings.MinimumPeakSigmas"/>) or a
/// fixed threshold above the hottest voxel gives a result with 0 voxels and a warning, not an exception. A lesion cut by
/// the box is segmented as far as the box goes, with a warning naming the touched faces. Two lesions whose voxels ≥ T
/// touch through a face are one region (the threshold then comes from both); separate ones give the hottest only: draw
/// one box per lesion or set a fixed threshold. docs/decisions/0013-lesion-segmentation.md has the calibration and the
/// known limits. NaN and infinite voxels are no lesion and no background (counted in a
/// warning); negative SUVs (reconstruction undershoot) are kept as they are.
/// </para>
/// </summary>
public static class LesionSegmenter
{
    /// <summary>Radius of the 1 cm³ sphere of SUVpeak, mm: (3 / (4π))^(1/3) × 10 mm.</summary>
    public const double PeakSphereRadiusMm = 6.2035;

    /// <summary>Segments the lesion in <paramref name="box"/> of the SUV volume <paramref name="suv"/> (slice, row, column).</summary>
    /// <exception cref="ArgumentException">The volume does not match the geometry, the box is outside the grid, or a setting is out of range.</exception>
    public static LesionSegmentation Segment(float[] suv, SeriesGeometry g, VoxelBox box, SegmentationSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(suv);
        ArgumentNullException.ThrowIfNull(g);
        settings ??= SegmentationSettings.Default;
        settings.Validate();
        if (suv.LongLength != (long)g.Rows * g.Columns * g.Slices)
        {
            throw new ArgumentException($"The volume has {suv.LongLength} voxels where the geometry has {g.Columns} × {g.Rows} × {g.Slices}", nameof(suv));
        }

        box.Validate(g.Columns, g.Rows, g.Slices);
        return new Work(suv, g, box, settings).Run();
    }

    /// <summary>The working state of one segmentation: the box copied into a padded grid, the mask and the queue.</summary>
    private sealed class Work
    {
        // Mask states in the padded grid. Rejected: tested by the growing region and below its threshold.
        private const byte Outside = 0;
        private const byte Inside = 1;
        private const byte Marked = 2;
        private const byte Rejected = 3;

        private readonly float[] suv;
        private readonly SeriesGeometry g;
        private readonly VoxelBox box;
        private readonly SegmentationSettings settings;
        private readonly List<string> warnings = [];

        // The box with a one-voxel frame of NaN (mask Marked), so neighbours never need bounds checks.
        private readonly int w, h, d, pw, ph, plane;
        private readonly float[] p;
        private readonly float[]? smoothed;
        private readonly float[] grown;
        private readonly byte[] mask;
        private readonly int[] queue;
        private readonly int[] rejected;
        private int regionCount;
        private int rejectedCount;
        private double regionSum;
        private double grownAt = double.PositiveInfinity;

        // The region's bounding box grown by one voxel and clipped to the box (padded coordinates), after the growing.
        private int sx0, sx1, sy0, sy1, sz0, sz1;

        public Work(float[] suv, SeriesGeometry g, VoxelBox box, SegmentationSettings settings)
        {
            this.suv = suv;
            this.g = g;
            this.box = box;
            this.settings = settings;
            w = box.Width;
            h = box.Height;
            d = box.Depth;
            pw = w + 2;
            ph = h + 2;
            plane = pw * ph;
            var padded = checked(plane * (d + 2));
            // Pooled: a 100³ box needs about 13 MB of working arrays, which would otherwise be large-object-heap garbage.
            p = ArrayPool<float>.Shared.Rent(padded);
            smoothed = settings.SmoothingFwhmMm > 0 && settings.FixedThresholdSuv is null ? ArrayPool<float>.Shared.Rent(padded) : null;
            grown = smoothed ?? p;
            mask = ArrayPool<byte>.Shared.Rent(padded);
            queue = ArrayPool<int>.Shared.Rent(checked(w * h * d));
            rejected = ArrayPool<int>.Shared.Rent(checked(w * h * d));
        }

        public LesionSegmentation Run()
        {
            try
            {
                return Segment();
            }
            finally
            {
                ArrayPool<float>.Shared.Return(p);
                if (smoothed is not null)
                {
                    ArrayPool<float>.Shared.Return(smoothed);
                }

                ArrayPool<byte>.Shared.Return(mask);
                ArrayPool<int>.Shared.Return(queue);
                ArrayPool<int>.Shared.Return(rejected);
            }
        }

        private int Padded(int x, int y, int z) => ((z + 1) * ph + y + 1) * pw + x + 1;

        private LesionSegmentation Segment()
        {
            var (seed, max, nonFinite) = Copy();
            if (nonFinite > 0)
            {
                warnings.Add($"{nonFinite} voxel(s) of the box are not numbers (NaN or infinite): they are neither lesion nor background");
            }

            var (background, sigma) = Background(p);
            if (seed < 0)
            {
                warnings.Add("the box has no finite voxel: nothing to segment");
                return Empty(seed, 0, background, 0, []);
            }

            var f = settings.ThresholdFraction;
            var history = new List<double>();
            double threshold;
            var iterations = 0;
            var converged = true;
            if (settings.FixedThresholdSuv is { } fixedThreshold)
            {
                threshold = fixedThreshold;
                history.Add(threshold);
                if (max < threshold)
                {
                    warnings.Add($"no voxel reaches the fixed threshold {threshold:0.###} (the hottest is {max:0.###}): empty segmentation");
                    return Empty(seed, max, background, threshold, history);
                }

                Grow(seed, threshold);
            }
            else
            {
                // The region grows on the smoothed copy (when asked): its hottest voxel, its noise, its values against T.
                var (start, top) = (seed, max);
                if (smoothed is not null)
                {
                    Smooth();
                    (_, sigma) = Background(smoothed);
                    (start, top) = Hottest(smoothed);
                }

                var floor = background + settings.NoiseFloorSigmas * sigma;
                threshold = Math.Max(floor, background + f * (top - background));
                var contrast = top - background;
                if (contrast <= 0 || contrast <= settings.MinimumPeakSigmas * sigma || (background > 0 && top < settings.MinimumPeakToBackground * background))
                {
                    var what = smoothed is null ? "the hottest voxel" : $"the hottest voxel of the smoothed box ({settings.SmoothingFwhmMm:0.#} mm FWHM)";
                    warnings.Add($"no voxel clearly above the background: {what} is {top:0.###} against a background of {background:0.###} " +
                        $"(needs {settings.MinimumPeakToBackground:0.##}× and {settings.MinimumPeakSigmas:0.#} SD of the shell, SD {sigma:0.###}): empty box, empty segmentation");
                    return Empty(seed, max, background, threshold, history);
                }

                var level = background + settings.SourceFraction * (top - background);
                history.Add(threshold);
                Grow(start, threshold);
                converged = false;
                while (iterations < settings.MaxIterations)
                {
                    iterations++;
                    var next = Math.Max(floor, background + f * (Source(level) - background));
                    history.Add(next);
                    var change = Math.Abs(next - threshold);
                    threshold = next;
                    Grow(start, threshold);
                    if (change < settings.ToleranceSuv)
                    {
                        converged = true;
                        break;
                    }
                }

                if (!converged)
                {
                    warnings.Add($"the threshold did not settle within {settings.ToleranceSuv} SUV after {iterations} updates (last {threshold:0.###}): check the box");
                }
            }

            FillHoles();
            return Measure(seed, max, background, threshold, iterations, converged, history);
        }

        /// <summary>Copies the box into the padded grid; finds the hottest finite voxel (padded index, or -1) and counts non-finite ones.</summary>
        private (int Seed, double Max, int NonFinite) Copy()
        {
            // The frame: whole rows on the first and last padded slices and rows, the two ends of every other row.
            for (var pz = 0; pz < d + 2; pz++)
            {
                for (var py = 0; py < ph; py++)
                {
                    var start = (pz * ph + py) * pw;
                    if (pz == 0 || pz == d + 1 || py == 0 || py == ph - 1)
                    {
                        p.AsSpan(start, pw).Fill(float.NaN);
                        mask.AsSpan(start, pw).Fill(Marked);
                    }
                    else
                    {
                        (p[start], p[start + pw - 1]) = (float.NaN, float.NaN);
                        (mask[start], mask[start + pw - 1]) = (Marked, Marked);
                    }
                }
            }

            var seed = -1;
            var max = float.NegativeInfinity;
            var nonFinite = 0;
            for (var z = 0; z < d; z++)
            {
                for (var y = 0; y < h; y++)
                {
                    var source = suv.AsSpan(((box.Z0 + z) * g.Rows + box.Y0 + y) * g.Columns + box.X0, w);
                    var start = Padded(0, y, z);
                    var row = p.AsSpan(start, w);
                    source.CopyTo(row);
                    mask.AsSpan(start, w).Clear();
                    if (RowMax(row) is { } rowMax)
                    {
                        if (rowMax > max)
                        {
                            max = rowMax;
                            seed = start + FirstAtLeast(row, rowMax);
                        }

                        continue;
                    }

                    // A row with NaN or ±∞ (rare): one voxel at a time, non-finite ones made NaN.
                    for (var x = 0; x < row.Length; x++)
                    {
                        var v = row[x];
                        if (!float.IsFinite(v))
                        {
                            row[x] = float.NaN;
                            nonFinite++;
                        }
                        else if (v > max)
                        {
                            max = v;
                            seed = start + x;
                        }
                    }
                }
            }

            return (seed, max, nonFinite);
        }

        /// <summary>The first index whose value is ≥ <paramref name="value"/> (compares as numbers: −0 and +0 are equal).</summary>
        private static int FirstAtLeast(ReadOnlySpan<float> row, float value)
        {
            for (var x = 0; x < row.Length; x++)
            {
                if (row[x] >= value)
                {
                    return x;
                }
            }

            throw new InvalidOperationException("the row's maximum is not in the row");
        }

        /// <summary>The row's maximum, or null when it holds a NaN or an infinity (SIMD: x − x is 0 only for finite x).</summary>
        private static float? RowMax(ReadOnlySpan<float> row)
        {
            var n = System.Numerics.Vector<float>.Count;
            var top = new System.Numerics.Vector<float>(float.NegativeInfinity);
            var bad = System.Numerics.Vector<float>.Zero;
            var x = 0;
            for (; x <= row.Length - n; x += n)
            {
                var v = new System.Numerics.Vector<float>(row[x..]);
                top = System.Numerics.Vector.Max(top, v);
                bad |= v - v;
            }

            if (!System.Numerics.Vector.EqualsAll(bad, System.Numerics.Vector<float>.Zero))
            {
                return null;
            }

            var max = float.NegativeInfinity;
            for (var i = 0; i < n; i++)
            {
                max = Math.Max(max, top[i]);
            }

            for (; x < row.Length; x++)
            {
                if (!float.IsFinite(row[x]))
                {
                    return null;
                }

                max = Math.Max(max, row[x]);
            }

            return max;
        }

        /// <summary>The shell's background and its spread (robust SD for the median, SD for the mean).</summary>
        private (double Background, double Sigma) Background(float[] image)
        {
            var t = settings.ShellThickness;
            if (image == p && (2 * t >= w || 2 * t >= h || 2 * t >= d))
            {
                warnings.Add($"the box ({w}×{h}×{d}) is too thin for a {t}-voxel background shell: the background includes its inside");
            }

            var core = (long)Math.Max(0, w - 2 * t) * Math.Max(0, h - 2 * t) * Math.Max(0, d - 2 * t);
            var values = ArrayPool<float>.Shared.Rent((int)(box.Count - core));
            try
            {
                return Background(image, values, t);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(values);
            }
        }

        private (double Background, double Sigma) Background(float[] image, float[] values, int t)
        {
            var n = 0;
            for (var z = 0; z < d; z++)
            {
                var zShell = z < t || z >= d - t;
                for (var y = 0; y < h; y++)
                {
                    var row = image.AsSpan(Padded(0, y, z), w);
                    if (zShell || y < t || y >= h - t)
                    {
                        n = Append(values, n, row);
                    }
                    else
                    {
                        var edge = Math.Min(t, w);
                        n = Append(values, n, row[..edge]);
                        n = Append(values, n, row[Math.Max(edge, w - t)..]);
                    }
                }
            }

            if (n == 0)
            {
                return (0, 0);
            }

            var shell = values.AsSpan(0, n);
            if (settings.Background == BackgroundEstimator.Mean)
            {
                double sum = 0, sq = 0;
                foreach (var v in shell)
                {
                    sum += v;
                    sq += (double)v * v;
                }

                var mean = sum / n;
                return (mean, Math.Sqrt(Math.Max(0, sq / n - mean * mean)));
            }

            var scratch = ArrayPool<float>.Shared.Rent(n);
            var histogram = ArrayPool<int>.Shared.Rent(1 << 16);
            try
            {
                var median = Median(shell, scratch, histogram);
                for (var i = 0; i < shell.Length; i++)
                {
                    shell[i] = (float)Math.Abs(shell[i] - median);
                }

                return (median, 1.4826 * Median(shell, scratch, histogram));
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
                ArrayPool<int>.Shared.Return(histogram);
            }
        }

        private static int Append(float[] values, int n, ReadOnlySpan<float> row)
        {
            foreach (var v in row)
            {
                if (!float.IsNaN(v))
                {
                    values[n++] = v;
                }
            }

            return n;
        }

        /// <summary>
        /// Median (mean of the two middle values for an even count), exact, in two linear passes: a histogram of the top 16
        /// bits of each value's order-preserving key finds the bin holding the middle, and quickselect finishes inside that
        /// bin only (a few percent of a noisy shell). <paramref name="values"/> is left as it is.
        /// </summary>
        private static double Median(ReadOnlySpan<float> values, float[] scratch, int[] histogram)
        {
            var k = values.Length / 2;
            Array.Clear(histogram, 0, 1 << 16);
            foreach (var v in values)
            {
                histogram[Key(v) >> 16]++;
            }

            var bin = 0;
            var below = 0;
            while (below + histogram[bin] <= k)
            {
                below += histogram[bin++];
            }

            var m = 0;
            foreach (var v in values)
            {
                if (Key(v) >> 16 == bin)
                {
                    scratch[m++] = v;
                }
            }

            var part = scratch.AsSpan(0, m);
            var upper = Select(part, k - below);
            if (values.Length % 2 == 1)
            {
                return upper;
            }

            // The lower middle: the largest value before it in this bin (selection put them first), or in the bins below.
            var lower = float.NegativeInfinity;
            if (k - below > 0)
            {
                foreach (var v in part[..(k - below)])
                {
                    lower = Math.Max(lower, v);
                }
            }
            else
            {
                foreach (var v in values)
                {
                    if (Key(v) >> 16 < bin && v > lower)
                    {
                        lower = v;
                    }
                }
            }

            return (lower + (double)upper) / 2;
        }

        /// <summary>An unsigned key in the order of the (non-NaN) float: sign bit flipped for positives, all bits for negatives.</summary>
        private static uint Key(float v)
        {
            var bits = BitConverter.SingleToUInt32Bits(v);
            return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
        }

        /// <summary>Hoare's quickselect (median-of-three pivot): the k-th smallest, with smaller values before it.</summary>
        private static float Select(Span<float> a, int k)
        {
            int lo = 0, hi = a.Length - 1;
            while (lo < hi)
            {
                var mid = lo + (hi - lo) / 2;
                if (a[mid] < a[lo])
                {
                    (a[mid], a[lo]) = (a[lo], a[mid]);
                }

                if (a[hi] < a[lo])
                {
                    (a[hi], a[lo]) = (a[lo], a[hi]);
                }

                if (a[hi] < a[mid])
                {
                    (a[hi], a[mid]) = (a[mid], a[hi]);
                }

                var pivot = a[mid];
                int i = lo, j = hi;
                while (i <= j)
                {
                    while (a[i] < pivot)
                    {
                        i++;
                    }

                    while (a[j] > pivot)
                    {
                        j--;
                    }

                    if (i <= j)
                    {
                        (a[i], a[j]) = (a[j], a[i]);
                        i++;
                        j--;
                    }
                }

                if (k <= j)
                {
                    hi = j;
                }
                else if (k >= i)
                {
                    lo = i;
                }
                else
                {
                    return a[k];
                }
            }

            return a[k];
        }

        /// <summary>
        /// The source estimate S: the mean of the region's voxels (on the image it grows on) at or above
        /// <paramref name="level"/> = B + <see cref="SegmentationSettings.SourceFraction"/> · (peak − B); the whole
        /// region's mean when that fraction is 0 or no voxel reaches the level.
        /// </summary>
        private double Source(double level)
        {
            if (settings.SourceFraction > 0)
            {
                double sum = 0;
                var n = 0;
                for (var r = 0; r < regionCount; r++)
                {
                    var v = grown[queue[r]];
                    if (v >= level)
                    {
                        sum += v;
                        n++;
                    }
                }

                if (n > 0)
                {
                    return sum / n;
                }
            }

            return regionSum / regionCount;
        }

        /// <summary>The hottest finite voxel of a padded image (padded index, first in slice, row, column order) and its value.</summary>
        private (int Index, double Value) Hottest(float[] image)
        {
            var best = -1;
            var top = float.NegativeInfinity;
            for (var z = 0; z < d; z++)
            {
                for (var y = 0; y < h; y++)
                {
                    var start = Padded(0, y, z);
                    for (var x = 0; x < w; x++)
                    {
                        var v = image[start + x];
                        if (v > top)
                        {
                            top = v;
                            best = start + x;
                        }
                    }
                }
            }

            return (best, top);
        }

        /// <summary>
        /// Fills <see cref="smoothed"/> with the box's SUVs convolved with a Gaussian of
        /// <see cref="SegmentationSettings.SmoothingFwhmMm"/>, separable, reading the grid's voxels around the box (so a
        /// voxel's smoothed value does not depend on the box) and normalised over the finite voxels under the kernel
        /// (the grid's edge and NaN voxels take no weight). A voxel NaN in the box stays NaN.
        /// </summary>
        private void Smooth()
        {
            var s = smoothed!;
            var kx = Kernel(g.PixelSpacing[1]);
            var ky = Kernel(g.PixelSpacing[0]);
            var kz = Kernel(g.SliceSpacing);
            int rx = kx.Length / 2, ry = ky.Length / 2, rz = kz.Length / 2;
            int ey0 = Math.Max(0, box.Y0 - ry), ey1 = Math.Min(g.Rows - 1, box.Y1 + ry);
            int ez0 = Math.Max(0, box.Z0 - rz), ez1 = Math.Min(g.Slices - 1, box.Z1 + rz);
            int eh = ey1 - ey0 + 1, ed = ez1 - ez0 + 1;
            var n1 = ed * eh * w;
            var n2 = ed * h * w;
            var sum1 = ArrayPool<float>.Shared.Rent(n1);
            var weight1 = ArrayPool<float>.Shared.Rent(n1);
            var sum2 = ArrayPool<float>.Shared.Rent(n2);
            var weight2 = ArrayPool<float>.Shared.Rent(n2);
            try
            {
                for (var z = 0; z < ed; z++)
                {
                    for (var y = 0; y < eh; y++)
                    {
                        var row = suv.AsSpan(((ez0 + z) * g.Rows + ey0 + y) * g.Columns, g.Columns);
                        var o = (z * eh + y) * w;
                        for (var x = 0; x < w; x++)
                        {
                            var c = box.X0 + x;
                            float a = 0, b = 0;
                            for (int t = Math.Max(-rx, -c), t1 = Math.Min(rx, g.Columns - 1 - c); t <= t1; t++)
                            {
                                var u = row[c + t];
                                if (float.IsFinite(u))
                                {
                                    a += kx[t + rx] * u;
                                    b += kx[t + rx];
                                }
                            }

                            sum1[o + x] = a;
                            weight1[o + x] = b;
                        }
                    }
                }

                for (var z = 0; z < ed; z++)
                {
                    for (var y = 0; y < h; y++)
                    {
                        var ay = box.Y0 + y;
                        var o = (z * h + y) * w;
                        sum2.AsSpan(o, w).Clear();
                        weight2.AsSpan(o, w).Clear();
                        for (int t = Math.Max(-ry, ey0 - ay), t1 = Math.Min(ry, ey1 - ay); t <= t1; t++)
                        {
                            var k = ky[t + ry];
                            var from = (z * eh + ay + t - ey0) * w;
                            for (var x = 0; x < w; x++)
                            {
                                sum2[o + x] += k * sum1[from + x];
                                weight2[o + x] += k * weight1[from + x];
                            }
                        }
                    }
                }

                for (var z = 0; z < d; z++)
                {
                    var az = box.Z0 + z;
                    for (var y = 0; y < h; y++)
                    {
                        var start = Padded(0, y, z);
                        for (var x = 0; x < w; x++)
                        {
                            float a = 0, b = 0;
                            for (int t = Math.Max(-rz, ez0 - az), t1 = Math.Min(rz, ez1 - az); t <= t1; t++)
                            {
                                var i = ((az + t - ez0) * h + y) * w + x;
                                a += kz[t + rz] * sum2[i];
                                b += kz[t + rz] * weight2[i];
                            }

                            s[start + x] = float.IsNaN(p[start + x]) || b <= 0 ? float.NaN : a / b;
                        }
                    }
                }

                // The frame stays NaN, as in the raw copy.
                for (var i = 0; i < plane * (d + 2); i++)
                {
                    if (mask[i] == Marked)
                    {
                        s[i] = float.NaN;
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(sum1);
                ArrayPool<float>.Shared.Return(weight1);
                ArrayPool<float>.Shared.Return(sum2);
                ArrayPool<float>.Shared.Return(weight2);
            }
        }

        /// <summary>Gaussian weights of <see cref="SegmentationSettings.SmoothingFwhmMm"/> at the given voxel spacing, out to 2.5 σ.</summary>
        private float[] Kernel(double spacingMm)
        {
            var sigma = settings.SmoothingFwhmMm / (2 * Math.Sqrt(2 * Math.Log(2))) / spacingMm;
            if (!(spacingMm > 0) || !(sigma > 0))
            {
                return [1];
            }

            var r = (int)Math.Ceiling(2.5 * sigma);
            var k = new float[2 * r + 1];
            for (var i = -r; i <= r; i++)
            {
                k[i + r] = (float)Math.Exp(-0.5 * i * i / (sigma * sigma));
            }

            return k;
        }

        /// <summary>
        /// Grows the region from <paramref name="seed"/> over voxels ≥ <paramref name="threshold"/> (6-connected); returns
        /// its SUV sum. A threshold at or below the last one only adds voxels: the rejected frontier is tested again and the
        /// growing goes on from there (the usual case, as T falls while the region takes in its blurred rim); a higher one
        /// grows afresh.
        /// </summary>
        private double Grow(int seed, double threshold)
        {
            var q = queue;
            var m = mask;
            var v = grown;
            int head, tail;
            if (regionCount > 0 && threshold <= grownAt)
            {
                head = tail = regionCount;
                var kept = 0;
                for (var r = 0; r < rejectedCount; r++)
                {
                    var i = rejected[r];
                    if (v[i] >= threshold)
                    {
                        m[i] = Inside;
                        q[tail++] = i;
                    }
                    else
                    {
                        rejected[kept++] = i;
                    }
                }

                rejectedCount = kept;
            }
            else
            {
                for (var i = 0; i < regionCount; i++)
                {
                    m[q[i]] = Outside;
                }

                ClearRejected();
                head = tail = 0;
                regionSum = 0;
                q[tail++] = seed;
                m[seed] = Inside;
            }

            double sum = 0;
            int dy = pw, dz = plane;
            for (; head < tail; head++)
            {
                var i = q[head];
                sum += v[i];
                // The frame is NaN and Marked: it is never entered, so every neighbour index stays inside the arrays.
                Test(i - 1, threshold, ref tail);
                Test(i + 1, threshold, ref tail);
                Test(i - dy, threshold, ref tail);
                Test(i + dy, threshold, ref tail);
                Test(i - dz, threshold, ref tail);
                Test(i + dz, threshold, ref tail);
            }

            regionCount = tail;
            regionSum += sum;
            grownAt = threshold;
            return regionSum;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private void Test(int n, double threshold, ref int tail)
        {
            if (mask[n] != Outside)
            {
                return;
            }

            if (grown[n] >= threshold)
            {
                mask[n] = Inside;
                queue[tail++] = n;
            }
            else
            {
                mask[n] = Rejected;
                rejected[rejectedCount++] = n;
            }
        }

        private void ClearRejected()
        {
            for (var r = 0; r < rejectedCount; r++)
            {
                mask[rejected[r]] = Outside;
            }

            rejectedCount = 0;
        }

        /// <summary>
        /// Fills the region's holes, working only in its bounding box grown by one voxel (S): every voxel of the box outside
        /// S is outside the region and reaches S's border, so nothing outside S can be a hole.
        /// </summary>
        private void FillHoles()
        {
            ClearRejected();
            Bounds();
            if (settings.HoleFilling == HoleFilling.None)
            {
                return;
            }

            // Confine the floods to S: its 6-neighbours outside it (box voxels outside the region, or the frame) are Marked.
            for (var z = sz0; z <= sz1; z++)
            {
                for (var y = sy0; y <= sy1; y++)
                {
                    mask[(z * ph + y) * pw + sx0 - 1] = Marked;
                    mask[(z * ph + y) * pw + sx1 + 1] = Marked;
                }

                mask.AsSpan((z * ph + sy0 - 1) * pw + sx0, sx1 - sx0 + 1).Fill(Marked);
                mask.AsSpan((z * ph + sy1 + 1) * pw + sx0, sx1 - sx0 + 1).Fill(Marked);
            }

            for (var y = sy0; y <= sy1; y++)
            {
                mask.AsSpan(((sz0 - 1) * ph + y) * pw + sx0, sx1 - sx0 + 1).Fill(Marked);
                mask.AsSpan(((sz1 + 1) * ph + y) * pw + sx0, sx1 - sx0 + 1).Fill(Marked);
            }

            // 3D: mark every non-region voxel of S reachable from S's border through non-region voxels (6-connected); the
            // rest are cavities.
            var tail = 0;
            for (var z = sz0; z <= sz1; z++)
            {
                for (var y = sy0; y <= sy1; y++)
                {
                    var face = z == sz0 || z == sz1 || y == sy0 || y == sy1;
                    var start = (z * ph + y) * pw;
                    for (var x = sx0; x <= sx1; x += face || sx1 == sx0 ? 1 : sx1 - sx0)
                    {
                        tail = MarkSeed(start + x, tail);
                    }
                }
            }

            Flood(tail, [-1, 1, -pw, pw, -plane, plane]);
            Resolve(sz0, sz1);
            if (settings.HoleFilling != HoleFilling.VolumeAndSlices)
            {
                return;
            }

            // 2D, slice by slice (4-connected in the slice's plane).
            for (var z = sz0; z <= sz1; z++)
            {
                tail = 0;
                for (var y = sy0; y <= sy1; y++)
                {
                    var start = (z * ph + y) * pw;
                    for (var x = sx0; x <= sx1; x += y == sy0 || y == sy1 || sx1 == sx0 ? 1 : sx1 - sx0)
                    {
                        tail = MarkSeed(start + x, tail);
                    }
                }

                Flood(tail, [-1, 1, -pw, pw]);
                Resolve(z, z);
            }
        }

        /// <summary>S: the region's bounding box grown by one voxel, clipped to the box (padded coordinates 1..w etc.).</summary>
        private void Bounds()
        {
            int x0 = int.MaxValue, y0 = int.MaxValue, z0 = int.MaxValue, x1 = -1, y1 = -1, z1 = -1;
            for (var n = 0; n < regionCount; n++)
            {
                var i = queue[n];
                var z = i / plane;
                var rest = i - z * plane;
                var y = rest / pw;
                var x = rest - y * pw;
                x0 = Math.Min(x0, x);
                x1 = Math.Max(x1, x);
                y0 = Math.Min(y0, y);
                y1 = Math.Max(y1, y);
                z0 = Math.Min(z0, z);
                z1 = Math.Max(z1, z);
            }

            (sx0, sx1) = (Math.Max(1, x0 - 1), Math.Min(w, x1 + 1));
            (sy0, sy1) = (Math.Max(1, y0 - 1), Math.Min(h, y1 + 1));
            (sz0, sz1) = (Math.Max(1, z0 - 1), Math.Min(d, z1 + 1));
        }

        private int MarkSeed(int i, int tail)
        {
            if (mask[i] == Outside)
            {
                mask[i] = Marked;
                queue[tail++] = i;
            }

            return tail;
        }

        private void Flood(int tail, ReadOnlySpan<int> steps)
        {
            var q = queue;
            var m = mask;
            for (var head = 0; head < tail; head++)
            {
                var i = q[head];
                foreach (var s in steps)
                {
                    var n = i + s;
                    if (m[n] == Outside)
                    {
                        m[n] = Marked;
                        q[tail++] = n;
                    }
                }
            }
        }

        /// <summary>Padded slices z0..z1 of S: unmarked non-region voxels become region, marked ones outside again.</summary>
        private void Resolve(int z0, int z1)
        {
            for (var z = z0; z <= z1; z++)
            {
                for (var y = sy0; y <= sy1; y++)
                {
                    foreach (ref var b in mask.AsSpan((z * ph + y) * pw + sx0, sx1 - sx0 + 1))
                    {
                        b = b == Marked ? Outside : Inside;
                    }
                }
            }
        }

        private LesionSegmentation Measure(int seed, double max, double background, double threshold, int iterations, bool converged, List<double> history)
        {
            // Only S can hold the region (the rest of the mask is zero as allocated).
            var values = new byte[w * h * d];
            var voxels = 0;
            var finite = 0;
            double sum = 0;
            for (var z = sz0; z <= sz1; z++)
            {
                for (var y = sy0; y <= sy1; y++)
                {
                    var start = (z * ph + y) * pw;
                    var o = ((z - 1) * h + y - 1) * w - 1;
                    for (var x = sx0; x <= sx1; x++)
                    {
                        if (mask[start + x] == Inside)
                        {
                            values[o + x] = 1;
                            voxels++;
                            var v = p[start + x];
                            if (!float.IsNaN(v))
                            {
                                sum += v;
                                finite++;
                            }
                        }
                    }
                }
            }

            var lesion = new LesionMask(box, values);
            WarnTouchedFaces(lesion);
            var pk = Peak(lesion);
            var mean = finite > 0 ? sum / finite : 0;
            var mtv = voxels * VoxelMl(g);
            return new LesionSegmentation(box, lesion, voxels, mtv, max, GridVoxel(seed), mean, pk, mean * mtv, threshold, iterations,
                background, converged, history, settings, warnings);
        }

        private LesionSegmentation Empty(int seed, double max, double background, double threshold, List<double> history) =>
            new(box, new LesionMask(box, new byte[w * h * d]), 0, 0, max, seed < 0 ? (box.X0, box.Y0, box.Z0) : GridVoxel(seed), 0, 0, 0, threshold, 0,
                background, settings.FixedThresholdSuv is not null, history, settings, warnings);

        private (int X, int Y, int Z) GridVoxel(int padded)
        {
            var z = padded / plane;
            var rest = padded - z * plane;
            var y = rest / pw;
            return (box.X0 + rest - y * pw - 1, box.Y0 + y - 1, box.Z0 + z - 1);
        }

        private void WarnTouchedFaces(LesionMask lesion)
        {
            var touched = new List<string>();
            bool Any(Func<int, int, bool> face, int n1, int n2)
            {
                for (var a = 0; a < n1; a++)
                {
                    for (var b = 0; b < n2; b++)
                    {
                        if (face(a, b))
                        {
                            return true;
                        }
                    }
                }

                return false;
            }

            var v = lesion.Values;
            int At(int x, int y, int z) => (z * h + y) * w + x;
            if (Any((y, z) => v[At(0, y, z)] != 0, h, d))
            {
                touched.Add($"x0 (column {box.X0})");
            }

            if (Any((y, z) => v[At(w - 1, y, z)] != 0, h, d))
            {
                touched.Add($"x1 (column {box.X1})");
            }

            if (Any((x, z) => v[At(x, 0, z)] != 0, w, d))
            {
                touched.Add($"y0 (row {box.Y0})");
            }

            if (Any((x, z) => v[At(x, h - 1, z)] != 0, w, d))
            {
                touched.Add($"y1 (row {box.Y1})");
            }

            if (Any((x, y) => v[At(x, y, 0)] != 0, w, h))
            {
                touched.Add($"z0 (slice {box.Z0})");
            }

            if (Any((x, y) => v[At(x, y, d - 1)] != 0, w, h))
            {
                touched.Add($"z1 (slice {box.Z1})");
            }

            if (touched.Count > 0)
            {
                warnings.Add($"the lesion touches the box edge on {string.Join(", ", touched)}: the box may cut it");
            }
        }

        /// <summary>
        /// SUVpeak (PERCIST): over every lesion voxel as centre, the mean of the image's finite voxels whose centres lie
        /// within <see cref="PeakSphereRadiusMm"/> of it (anywhere in the grid, not only the lesion or the box); the highest.
        /// </summary>
        private double Peak(LesionMask lesion)
        {
            double cx = g.PixelSpacing[1], cy = g.PixelSpacing[0], cz = g.SliceSpacing;
            var r = PeakSphereRadiusMm;
            int rx = (int)(r / cx), ry = (int)(r / cy), rz = cz > 0 ? (int)(r / cz) : 0;
            var offsets = new List<(int X, int Y, int Z)>();
            for (var k = -rz; k <= rz; k++)
            {
                for (var j = -ry; j <= ry; j++)
                {
                    for (var i = -rx; i <= rx; i++)
                    {
                        if (Sq(i * cx) + Sq(j * cy) + Sq(k * cz) <= r * r)
                        {
                            offsets.Add((i, j, k));
                        }
                    }
                }
            }

            var flat = new int[offsets.Count];
            for (var n = 0; n < flat.Length; n++)
            {
                flat[n] = (offsets[n].Z * g.Rows + offsets[n].Y) * g.Columns + offsets[n].X;
            }

            var best = double.NegativeInfinity;
            var values = lesion.Values;
            // Only S (the region's bounding box + 1, padded coordinates) holds lesion voxels.
            for (var z = box.Z0 + sz0 - 1; z <= box.Z0 + sz1 - 1; z++)
            {
                for (var y = box.Y0 + sy0 - 1; y <= box.Y0 + sy1 - 1; y++)
                {
                    var o = ((z - box.Z0) * h + y - box.Y0) * w - box.X0;
                    for (var x = box.X0 + sx0 - 1; x <= box.X0 + sx1 - 1; x++)
                    {
                        if (values[o + x] == 0)
                        {
                            continue;
                        }

                        var centre = (z * g.Rows + y) * g.Columns + x;
                        double sum = 0;
                        var n = 0;
                        var inside = x - rx >= 0 && x + rx < g.Columns && y - ry >= 0 && y + ry < g.Rows && z - rz >= 0 && z + rz < g.Slices;
                        if (inside)
                        {
                            // No test per voxel: a NaN or infinity makes the sum non-finite, and the checked path below redoes it.
                            foreach (var f in flat)
                            {
                                sum += suv[centre + f];
                            }

                            n = flat.Length;
                        }

                        if (!inside || !double.IsFinite(sum))
                        {
                            sum = 0;
                            n = 0;
                            foreach (var (i, j, k) in offsets)
                            {
                                if (x + i >= 0 && x + i < g.Columns && y + j >= 0 && y + j < g.Rows && z + k >= 0 && z + k < g.Slices)
                                {
                                    var v = suv[((z + k) * g.Rows + y + j) * g.Columns + x + i];
                                    if (float.IsFinite(v))
                                    {
                                        sum += v;
                                        n++;
                                    }
                                }
                            }
                        }

                        if (n > 0 && sum / n > best)
                        {
                            best = sum / n;
                        }
                    }
                }
            }

            return double.IsFinite(best) ? best : 0;
        }

        private static double Sq(double v) => v * v;
    }

    /// <summary>One voxel's volume, ml: column spacing × row spacing × slice spacing (mm³) / 1000.</summary>
    public static double VoxelMl(SeriesGeometry g)
    {
        ArgumentNullException.ThrowIfNull(g);
        return g.PixelSpacing[0] * g.PixelSpacing[1] * g.SliceSpacing / 1000;
    }
}
