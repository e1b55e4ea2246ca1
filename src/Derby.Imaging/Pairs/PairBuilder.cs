using Derby.Imaging.Segmentation;
using Derby.Imaging.Series;

namespace Derby.Imaging.Pairs;

/// <summary>
/// Builds the paper's 2.5D PET/CT pairs of one lesion: "three geometrically correspondent CT slices for each PET slice"
/// (DERBY, eClinicalMedicine 2023, Methods), each pair weighted later by its ROI area.
/// <list type="bullet">
/// <item>One pair per PET slice with at least one mask voxel, in ascending slice order.</item>
/// <item>Crop window: <c>CropSize</c>² PET pixels centred on the in-plane centroid of the whole lesion mask (rounded to the
/// nearest PET pixel, halves up), so every pair of a lesion shares one window: pixel (CropSize / 2, CropSize / 2) of
/// every crop is that centre pixel. Pixels past the PET image are <see cref="PairSettings.PetPadding"/> (SUV 0).</item>
/// <item>CT slices: the PET slice's plane through the crop centre is projected on the CT normal; the nearest CT slice
/// (halves up) and its two neighbours make channels 0, 1, 2. Near the ends of the CT volume the three slices are the
/// first or last three (the three nearest), so channel 1 is then not the nearest one; with fewer than three CT
/// slices indices repeat. Indices are recorded in <see cref="PetCtPair.CtSlices"/>.</item>
/// <item>CT resampling: each PET crop pixel centre goes to patient LPS through the PET geometry, then to continuous CT
/// (column, row) through the inverse of the CT geometry (in double precision), and HU is interpolated bilinearly (in single precision, as stored) within each chosen CT slice
/// (no interpolation across CT slices), then normalised. Points within half a CT pixel of the CT image take its edge
/// value; farther out they are <see cref="PairSettings.CtPadding"/> (HU −1000).</item>
/// </list>
/// The 2.5D pairing assumes PET and CT slices are parallel with the same in-plane axes (one scanner, one patient
/// position), as PET/CT acquisitions are: grids with different orientations, or different Frames of Reference, are refused.
/// </summary>
public static class PairBuilder
{
    // Direction cosines written to 4-6 decimals by different writers still agree to this.
    private const double OrientationTolerance = 1e-4;

    // Continuous CT coordinates this close to a whole pixel are taken as that pixel, so that identical grids copy values
    // exactly instead of mixing in 1e-13 of a neighbour through rounding in the LPS round trip.
    private const double SnapTolerance = 1e-6;

    /// <summary>Builds the pairs of the lesion <paramref name="mask"/> (in the PET grid).</summary>
    /// <param name="suv">PET volume in SUV, z-major (slice, row, column) as <see cref="VolumeBuilder.BuildSuv"/> gives it.</param>
    /// <param name="pet">The PET grid.</param>
    /// <param name="hu">CT volume in HU, z-major, as <see cref="VolumeBuilder.BuildHu(SeriesAssembly, Dicom.IDicomFileReader)"/> gives it.</param>
    /// <param name="ct">The CT grid.</param>
    /// <param name="mask">The lesion in the PET grid.</param>
    /// <param name="settings">Crop size and windows.</param>
    /// <exception cref="ArgumentException">
    /// Different Frames of Reference, different orientations, a mask box outside the PET grid, a volume whose length
    /// does not match its grid, or invalid settings; the message says which.
    /// </exception>
    public static PairSet Build(float[] suv, SeriesGeometry pet, float[] hu, SeriesGeometry ct, LesionMask mask, PairSettings settings)
    {
        ArgumentNullException.ThrowIfNull(suv);
        ArgumentNullException.ThrowIfNull(pet);
        ArgumentNullException.ThrowIfNull(hu);
        ArgumentNullException.ThrowIfNull(ct);
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        CheckGrid(pet, "PET", nameof(pet));
        CheckGrid(ct, "CT", nameof(ct));
        CheckVolume(suv, pet, "PET", nameof(suv));
        CheckVolume(hu, ct, "CT", nameof(hu));
        CheckCompatible(pet, ct);
        mask.Box.Validate(pet.Columns, pet.Rows, pet.Slices);

        var (centreX, centreY) = CentrePixel(mask);
        var n = settings.CropSize;
        var x0 = centreX - n / 2;
        var y0 = centreY - n / 2;
        var pairs = new List<PetCtPair>();
        if (centreX >= 0)
        {
            var sampler = new CtSampler(pet, ct, x0, y0, n);
            for (var z = mask.Box.Z0; z <= mask.Box.Z1; z++)
            {
                var roi = mask.CountOnSlice(z);
                if (roi == 0)
                {
                    continue;
                }

                var petCrop = CropPet(suv, pet, z, x0, y0, settings);
                var ctSlices = NearestCtSlices(pet, ct, centreX, centreY, z);
                var ctCrop = sampler.Sample(hu, z, ctSlices, settings);
                pairs.Add(new PetCtPair(z, ctSlices, roi, x0, y0, n, petCrop, ctCrop));
            }
        }

        return new PairSet(settings, PairGridSummary.From(pet), PairGridSummary.From(ct), mask.Box, pairs);
    }

    /// <summary>
    /// The CT slices for PET slice <paramref name="petSlice"/>: the nearest along the CT normal to the PET plane through
    /// PET pixel (<paramref name="column"/>, <paramref name="row"/>), and its neighbours, clamped at the CT volume's ends.
    /// </summary>
    public static int[] NearestCtSlices(SeriesGeometry pet, SeriesGeometry ct, int column, int row, int petSlice)
    {
        ArgumentNullException.ThrowIfNull(pet);
        ArgumentNullException.ThrowIfNull(ct);
        var p = PetPoint(pet, column, row, petSlice);
        var slices = ct.Slices;
        if (slices == 1 || ct.SliceSpacing <= 0)
        {
            return new int[PairSettings.CtSlicesPerPair];
        }

        var s = Dot(Sub(p, ct.FirstPosition), ct.Normal) / ct.SliceSpacing;
        var nearest = (int)Math.Clamp(Math.Floor(s + 0.5), 0, slices - 1);
        if (slices >= PairSettings.CtSlicesPerPair)
        {
            var middle = Math.Clamp(nearest, 1, slices - 2);
            return [middle - 1, middle, middle + 1];
        }

        return [Math.Max(nearest - 1, 0), nearest, Math.Min(nearest + 1, slices - 1)];
    }

    private static (int X, int Y) CentrePixel(LesionMask mask)
    {
        var box = mask.Box;
        long sumX = 0, sumY = 0, count = 0;
        var i = 0;
        for (var z = box.Z0; z <= box.Z1; z++)
        {
            for (var y = box.Y0; y <= box.Y1; y++)
            {
                for (var x = box.X0; x <= box.X1; x++, i++)
                {
                    if (mask.Values[i] != 0)
                    {
                        sumX += x;
                        sumY += y;
                        count++;
                    }
                }
            }
        }

        if (count == 0)
        {
            return (-1, -1);
        }

        // Rounded half up in integers: floor((2·sum + count) / (2·count)).
        return ((int)Math.Floor((2.0 * sumX + count) / (2.0 * count)), (int)Math.Floor((2.0 * sumY + count) / (2.0 * count)));
    }

    private static float[] CropPet(float[] suv, SeriesGeometry pet, int z, int x0, int y0, PairSettings settings)
    {
        var n = settings.CropSize;
        var crop = new float[n * n];
        var padding = settings.PetPadding;
        var window = settings.SuvWindow;
        var slice = suv.AsSpan(z * pet.Rows * pet.Columns, pet.Rows * pet.Columns);
        for (var j = 0; j < n; j++)
        {
            var row = y0 + j;
            var target = crop.AsSpan(j * n, n);
            if (row < 0 || row >= pet.Rows)
            {
                target.Fill(padding);
                continue;
            }

            var source = slice.Slice(row * pet.Columns, pet.Columns);
            for (var i = 0; i < n; i++)
            {
                var column = x0 + i;
                target[i] = column >= 0 && column < pet.Columns ? window.Normalize(source[column]) : padding;
            }
        }

        return crop;
    }

    private static void CheckGrid(SeriesGeometry g, string name, string parameter)
    {
        if (g.Rows <= 0 || g.Columns <= 0 || g.Slices <= 0 || g.PixelSpacing is not { Length: 2 } || !(g.PixelSpacing[0] > 0) || !(g.PixelSpacing[1] > 0)
            || g.Orientation is not { Length: 6 } || g.Normal is not { Length: 3 } || g.FirstPosition is not { Length: 3 }
            || g.Slices > 1 && !(g.SliceSpacing > 0))
        {
            throw new ArgumentException($"The {name} geometry is incomplete (positive sizes and spacings, 6 orientation cosines, a normal and a first position are required)", parameter);
        }
    }

    private static void CheckVolume(float[] volume, SeriesGeometry g, string name, string parameter)
    {
        if (volume.LongLength != (long)g.Rows * g.Columns * g.Slices)
        {
            throw new ArgumentException($"The {name} volume has {volume.LongLength} values where its grid of {g.Columns} × {g.Rows} × {g.Slices} has {(long)g.Rows * g.Columns * g.Slices}", parameter);
        }
    }

    private static void CheckCompatible(SeriesGeometry pet, SeriesGeometry ct)
    {
        if (pet.FrameOfReferenceUid is { } a && ct.FrameOfReferenceUid is { } b && !string.Equals(a, b, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"PET and CT are in different Frames of Reference ({a} and {b}): their patient coordinates cannot be matched, so no CT slice corresponds to a PET slice");
        }

        for (var i = 0; i < 6; i++)
        {
            if (Math.Abs(pet.Orientation[i] - ct.Orientation[i]) > OrientationTolerance)
            {
                throw new ArgumentException(
                    $"PET and CT orientations differ ({string.Join('\\', pet.Orientation)} and {string.Join('\\', ct.Orientation)}): 2.5D pairing assumes parallel PET and CT slices with the same in-plane axes");
            }
        }
    }

    private static double[] PetPoint(SeriesGeometry g, double column, double row, int slice)
    {
        var o = g.Orientation;
        var a = column * g.PixelSpacing[1];
        var b = row * g.PixelSpacing[0];
        var c = slice * g.SliceSpacing;
        return
        [
            g.FirstPosition[0] + a * o[0] + b * o[3] + c * g.Normal[0],
            g.FirstPosition[1] + a * o[1] + b * o[4] + c * g.Normal[1],
            g.FirstPosition[2] + a * o[2] + b * o[5] + c * g.Normal[2],
        ];
    }

    private static double[] Sub(double[] a, double[] b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];

    private static double Dot(double[] a, double[] b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

    private static double Snap(double u)
    {
        var r = Math.Round(u);
        return Math.Abs(u - r) < SnapTolerance ? r : u;
    }

    /// <summary>
    /// Maps the crop's pixel centres into one CT slice plane and interpolates there. Continuous CT (column, row) is affine
    /// in the crop pixel (i, j): u = u0 + i·du_i + j·du_j, v = v0 + i·dv_i + j·dv_j. With the same in-plane axes
    /// (du_j = dv_i = 0, the usual case) it is separable: one table per crop column and one per crop row, so sampling is
    /// four reads and a few multiplications per pixel. The tables are rebuilt only when (u0, v0) changes from slice to slice.
    /// </summary>
    private sealed class CtSampler
    {
        // Below this (in CT pixels over the whole crop) the cross terms du_j, dv_i are taken as zero.
        private const double SeparableTolerance = 1e-9;

        private readonly SeriesGeometry pet;
        private readonly SeriesGeometry ct;
        private readonly int x0;
        private readonly int y0;
        private readonly int n;
        private readonly double dui;
        private readonly double duj;
        private readonly double dvi;
        private readonly double dvj;
        private readonly bool separable;
        private readonly Axis[] columnsTable;
        private readonly Axis[] rowsTable;
        private readonly Axis[] pixelColumns;
        private readonly Axis[] pixelRows;
        private readonly int[] columnOffsets;
        private readonly int[] columnSteps;
        private readonly float[] columnWeights;
        private int firstInside;
        private int endInside;
        private double lastU0 = double.NaN;
        private double lastV0 = double.NaN;

        public CtSampler(SeriesGeometry pet, SeriesGeometry ct, int x0, int y0, int n)
        {
            this.pet = pet;
            this.ct = ct;
            this.x0 = x0;
            this.y0 = y0;
            this.n = n;
            double[] petRow = [pet.Orientation[0], pet.Orientation[1], pet.Orientation[2]];
            double[] petColumn = [pet.Orientation[3], pet.Orientation[4], pet.Orientation[5]];
            double cs = ct.PixelSpacing[1], rs = ct.PixelSpacing[0];
            dui = pet.PixelSpacing[1] * Dot(petRow, CtRow) / cs;
            duj = pet.PixelSpacing[0] * Dot(petColumn, CtRow) / cs;
            dvi = pet.PixelSpacing[1] * Dot(petRow, CtColumn) / rs;
            dvj = pet.PixelSpacing[0] * Dot(petColumn, CtColumn) / rs;
            separable = Math.Abs(duj) * n < SeparableTolerance && Math.Abs(dvi) * n < SeparableTolerance;
            columnsTable = new Axis[n];
            columnOffsets = new int[n];
            columnSteps = new int[n];
            columnWeights = new float[n];
            rowsTable = new Axis[n];
            pixelColumns = separable ? [] : new Axis[n * n];
            pixelRows = separable ? [] : new Axis[n * n];
        }

        private double[] CtRow => [ct.Orientation[0], ct.Orientation[1], ct.Orientation[2]];

        private double[] CtColumn => [ct.Orientation[3], ct.Orientation[4], ct.Orientation[5]];

        public float[] Sample(float[] hu, int petSlice, int[] ctSlices, PairSettings settings)
        {
            Map(petSlice);
            var plane = n * n;
            var ctPlane = ct.Rows * ct.Columns;
            var crop = new float[ctSlices.Length * plane];
            var window = settings.HuWindow;
            var padding = settings.CtPadding;
            if (separable)
            {
                SampleSeparable(hu, ctSlices, crop, window, padding);
                return crop;
            }

            for (var channel = 0; channel < ctSlices.Length; channel++)
            {
                var slice = hu.AsSpan(ctSlices[channel] * ctPlane, ctPlane);
                var target = crop.AsSpan(channel * plane, plane);
                for (var p = 0; p < plane; p++)
                {
                    target[p] = Interpolate(slice, pixelColumns[p], pixelRows[p], window, padding);
                }
            }

            return crop;
        }

        // Row by row, each channel in turn: the two CT lines of the row are spans, and the crop columns inside the CT image
        // are one run, so the inner loop has no test. The arithmetic is Interpolate's: with t = 0 and s = 0 it gives a
        // exactly (1·a + 0·b, then 1·top + 0·bottom), so identical grids copy values without a special case.
        private void SampleSeparable(float[] hu, int[] ctSlices, float[] crop, IntensityWindow window, float padding)
        {
            var plane = n * n;
            var ctPlane = ct.Rows * ct.Columns;
            var channels = ctSlices.Length;
            for (var j = 0; j < n; j++)
            {
                var row = rowsTable[j];
                if (!row.Inside)
                {
                    for (var channel = 0; channel < channels; channel++)
                    {
                        crop.AsSpan(channel * plane + j * n, n).Fill(padding);
                    }

                    continue;
                }

                float s = row.T, s1 = 1 - s;
                for (var channel = 0; channel < channels; channel++)
                {
                    var top = hu.AsSpan(ctSlices[channel] * ctPlane + row.Offset, ct.Columns);
                    var bottom = hu.AsSpan(ctSlices[channel] * ctPlane + row.Offset + row.Step, ct.Columns);
                    var line = crop.AsSpan(channel * plane + j * n, n);
                    line[..firstInside].Fill(padding);
                    line[endInside..].Fill(padding);
                    for (var i = firstInside; i < endInside; i++)
                    {
                        int o = columnOffsets[i], o1 = o + columnSteps[i];
                        float t = columnWeights[i], t1 = 1 - t;
                        line[i] = window.Normalize(s1 * (t1 * top[o] + t * top[o1]) + s * (t1 * bottom[o] + t * bottom[o1]));
                    }
                }
            }
        }

        private static float Interpolate(ReadOnlySpan<float> slice, Axis column, Axis row, IntensityWindow window, float padding)
        {
            if (!column.Inside || !row.Inside)
            {
                return padding;
            }

            var o = row.Offset + column.Offset;
            float a = slice[o], b = slice[o + column.Step], c = slice[o + row.Step], d = slice[o + row.Step + column.Step];
            float t = column.T, s = row.T;
            return window.Normalize((1 - s) * ((1 - t) * a + t * b) + s * ((1 - t) * c + t * d));
        }

        private void Map(int petSlice)
        {
            var origin = Sub(PetPoint(pet, x0, y0, petSlice), ct.FirstPosition);
            var u0 = Dot(origin, CtRow) / ct.PixelSpacing[1];
            var v0 = Dot(origin, CtColumn) / ct.PixelSpacing[0];
            if (u0.Equals(lastU0) && v0.Equals(lastV0))
            {
                return;
            }

            (lastU0, lastV0) = (u0, v0);
            int columns = ct.Columns, rows = ct.Rows;
            if (separable)
            {
                for (var k = 0; k < n; k++)
                {
                    columnsTable[k] = Axis.At(u0 + k * dui, columns, 1);
                    rowsTable[k] = Axis.At(v0 + k * dvj, rows, columns);
                }

                // u is affine in the crop column, so the columns inside the CT image are one run [firstInside, endInside).
                firstInside = Array.FindIndex(columnsTable, a => a.Inside);
                endInside = firstInside < 0 ? 0 : Array.FindLastIndex(columnsTable, a => a.Inside) + 1;
                firstInside = Math.Max(firstInside, 0);
                for (var k = 0; k < n; k++)
                {
                    (columnOffsets[k], columnSteps[k], columnWeights[k]) = (columnsTable[k].Offset, columnsTable[k].Step, columnsTable[k].T);
                }

                return;
            }

            for (var j = 0; j < n; j++)
            {
                for (var i = 0; i < n; i++)
                {
                    pixelColumns[j * n + i] = Axis.At(u0 + i * dui + j * duj, columns, 1);
                    pixelRows[j * n + i] = Axis.At(v0 + i * dvi + j * dvj, rows, columns);
                }
            }
        }
    }

    /// <summary>
    /// One continuous CT coordinate along one axis: the first of the two neighbouring pixels (as an offset in the slice),
    /// the weight of the second, and the offset step to it. Outside when more than half a pixel past the image; within
    /// half a pixel, clamped to the edge pixel.
    /// </summary>
    private readonly record struct Axis(bool Inside, int Offset, float T, int Step)
    {
        public static Axis At(double coordinate, int count, int stride)
        {
            var u = Snap(coordinate);
            if (!(u >= -0.5 && u <= count - 0.5))
            {
                return default;
            }

            u = Math.Clamp(u, 0, count - 1);
            var first = Math.Min((int)u, Math.Max(count - 2, 0));
            return new Axis(true, first * stride, (float)(u - first), count > 1 ? stride : 0);
        }
    }
}
