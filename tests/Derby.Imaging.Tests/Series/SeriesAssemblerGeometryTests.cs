using Derby.Imaging.Dicom;
using Derby.Imaging.Series;

namespace Derby.Imaging.Tests.Series;

/// <summary>Sorting and checks on series built in memory: reversed and oblique orientations, and each kind of refusal.</summary>
public sealed class SeriesAssemblerGeometryTests
{
    private const string Uid = "1.2.826.0.1.3680043.10.1";

    [Fact]
    public void Assemble_SortsByProjectionOnNormal_WhenNormalPointsTowardsMinusZ()
    {
        // Row +x, column −y: normal (0, 0, −1); ascending along it means descending z. Instance numbers and Slice Location
        // are written in the opposite order, so a sort by either would differ.
        double[] orientation = [1, 0, 0, 0, -1, 0];
        var slices = Enumerable.Range(0, 6)
            .Select(k => Slice($"z{k}.dcm", orientation, [-10, 10, 2.5 * k], instance: k + 1, sliceLocation: 2.5 * k))
            .Reverse().ToList();
        slices.Reverse(1, 3);

        var assembly = Assert.Single(SeriesAssembler.Assemble(slices));

        Assert.True(assembly.IsValid, string.Join(" | ", assembly.Problems));
        Assert.Equal(["z5.dcm", "z4.dcm", "z3.dcm", "z2.dcm", "z1.dcm", "z0.dcm"], assembly.Slices.Select(s => s.Path));
        var g = assembly.Geometry!;
        Assert.Equal([0, 0, -1], g.Normal);
        Assert.Equal([-10, 10, 12.5], g.FirstPosition);
        Assert.Equal(2.5, g.SliceSpacing, 1e-12);
        Assert.Equal(6, g.Slices);
    }

    [Fact]
    public void Assemble_SortsByProjectionOnNormal_WhenOrientationIsTilted()
    {
        // Column direction tilted 20° out of the axial plane: normal (0, −sin 20°, cos 20°). Slices are stacked along it,
        // so z alone would sort them too, but Instance Number and Slice Location are shuffled.
        var t = 20 * Math.PI / 180;
        double[] orientation = [1, 0, 0, 0, Math.Cos(t), Math.Sin(t)];
        double[] normal = [0, -Math.Sin(t), Math.Cos(t)];
        double[] origin = [-50, 30, -100];
        var order = new[] { 3, 0, 4, 1, 2 };
        var slices = order
            .Select((k, i) => Slice($"s{k}.dcm", orientation, [origin[0] + 3 * k * normal[0], origin[1] + 3 * k * normal[1], origin[2] + 3 * k * normal[2]],
                instance: i + 1, sliceLocation: -i))
            .ToList();

        var assembly = Assert.Single(SeriesAssembler.Assemble(slices));

        Assert.True(assembly.IsValid, string.Join(" | ", assembly.Problems));
        Assert.Equal(["s0.dcm", "s1.dcm", "s2.dcm", "s3.dcm", "s4.dcm"], assembly.Slices.Select(s => s.Path));
        var g = assembly.Geometry!;
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(normal[i], g.Normal[i], 1e-9);
            Assert.Equal(origin[i], g.FirstPosition[i], 1e-9);
        }

        Assert.Equal(3, g.SliceSpacing, 1e-6);
    }

    [Fact]
    public void Assemble_RefusesStack_WhenSlicesAreShearedSidewaysOfTheNormal()
    {
        // Gantry tilt: axial images whose positions move in y as z advances.
        double[] axial = [1, 0, 0, 0, 1, 0];
        var slices = Enumerable.Range(0, 4).Select(k => Slice($"{k}.dcm", axial, [0, 0.9 * k, 2 * k])).ToList();

        var assembly = Assert.Single(SeriesAssembler.Assemble(slices));

        var problem = Assert.Single(assembly.Problems);
        Assert.StartsWith("slices are not stacked along the normal of the image plane: 1.dcm lies 0.9 mm sideways of 0.dcm", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Assemble_RefusesSeries_WhenTwoSlicesShareAPosition()
    {
        var slices = Axial(0, 2, 4, 4, 6);

        var assembly = Assert.Single(SeriesAssembler.Assemble(slices));

        Assert.Null(assembly.Geometry);
        var problem = Assert.Single(assembly.Problems);
        Assert.Equal("two slices at the same position 4 mm along the normal: 2.dcm and 3.dcm; remove the duplicate", problem);
    }

    [Fact]
    public void Assemble_CountsMissingSlices_WhenTheGapSpansSeveralSpacings()
    {
        var assembly = Assert.Single(SeriesAssembler.Assemble(Axial(0, 2.5, 5, 7.5, 15, 17.5)));

        var problem = Assert.Single(assembly.Problems);
        Assert.Equal("2 slices missing between 7.5 mm (3.dcm) and 15 mm (4.dcm) along the normal (expected spacing 2.5 mm); send the complete series", problem);
    }

    [Fact]
    public void Assemble_AcceptsSpacingWithinTolerance_AndRefusesBeyondIt()
    {
        // 1% of 2 mm is 0.02 mm: 2.015 passes, 2.05 does not.
        Assert.True(SeriesAssembler.Assemble(Axial(0, 2, 4.015, 6, 8))[0].IsValid);

        var refused = SeriesAssembler.Assemble(Axial(0, 2, 4.05, 6, 8))[0];

        Assert.Equal(2, refused.Problems.Count);
        Assert.Contains("uneven slice spacing: 2.05 mm between 2 mm (1.dcm) and 4.05 mm (2.dcm)", refused.Problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Assemble_NamesTheTagAndAFile_WhenGeometryTagsAreMissing()
    {
        var slices = Axial(0, 2, 4);
        slices[1].Dataset.Remove(DicomTags.ImagePositionPatient);
        slices[2].Dataset.Remove(DicomTags.PixelSpacing);

        var assembly = Assert.Single(SeriesAssembler.Assemble(slices));

        Assert.Null(assembly.Geometry);
        Assert.Equal(
        [
            "Image Position (Patient) (0020,0032) is missing or not 3 numbers in 1 of 3 files (e.g. 1.dcm); the slices cannot be placed without it",
            "Pixel Spacing (0028,0030) is missing or not 2 positive numbers in 1 of 3 files (e.g. 2.dcm); the slices cannot be placed without it",
        ], assembly.Problems);
    }

    [Fact]
    public void Assemble_RefusesSeries_WhenMatrixOrFrameOfReferenceOrOrientationDiffer()
    {
        var slices = Axial(0, 2, 4, 6);
        slices[1].Dataset.UnsignedShort(DicomTags.Rows, 256);
        slices[2].Dataset.Text(DicomTags.FrameOfReferenceUid, DicomVR.UI, "1.2.3.999");
        slices[3].Dataset.Decimal(DicomTags.ImageOrientationPatient, 1, 0, 0, 0, 0.99, 0.141);

        var problems = Assert.Single(SeriesAssembler.Assemble(slices)).Problems;

        Assert.Contains(problems, p => p.StartsWith("Image Orientation (Patient) (0020,0037) differs between slices: 0.dcm has 1\\0\\0\\0\\1\\0 but 3.dcm has", StringComparison.Ordinal));
        Assert.Contains("Rows (0028,0010) differs between slices: 0.dcm has 4 but 1.dcm has 256; a series must be one volume", problems);
        Assert.Contains(problems, p => p.StartsWith("Frame of Reference UID (0020,0052) differs between slices", StringComparison.Ordinal) && p.Contains("2.dcm has 1.2.3.999", StringComparison.Ordinal));
    }

    [Fact]
    public void Assemble_AcceptsSingleSlice_WithSliceThicknessAsSpacing()
    {
        var slice = Axial(7)[0];
        slice.Dataset.Decimal(DicomTags.SliceThickness, 3.27);

        var assembly = Assert.Single(SeriesAssembler.Assemble([slice]));

        Assert.True(assembly.IsValid);
        Assert.Equal(1, assembly.Geometry!.Slices);
        Assert.Equal(3.27, assembly.Geometry.SliceSpacing);
        Assert.Equal([0, 0, 7], assembly.Geometry.FirstPosition);
    }

    [Fact]
    public void Assemble_GroupsBySeriesInstanceUid_AndRefusesFilesWithoutOne()
    {
        var a = Axial(0, 2, 4);
        var b = Axial(0, 5).Select(s => s with { Path = "b" + s.Path }).ToList();
        foreach (var s in b)
        {
            s.Dataset.Text(DicomTags.SeriesInstanceUid, DicomVR.UI, Uid + ".2");
        }

        var orphan = Axial(9)[0];
        orphan.Dataset.Remove(DicomTags.SeriesInstanceUid);

        var assemblies = SeriesAssembler.Assemble([a[0], b[0], a[1], orphan, b[1], a[2]]);

        Assert.Equal([Uid, Uid + ".2", ""], assemblies.Select(x => x.SeriesInstanceUid));
        Assert.True(assemblies[0].IsValid);
        Assert.True(assemblies[1].IsValid);
        Assert.Equal(5, assemblies[1].Geometry!.SliceSpacing);
        Assert.StartsWith("1 file has no Series Instance UID (0020,000E)", Assert.Single(assemblies[2].Problems), StringComparison.Ordinal);
    }

    private static List<SliceSource> Axial(params double[] z) =>
        z.Select((v, i) => Slice($"{i}.dcm", [1, 0, 0, 0, 1, 0], [0, 0, v])).ToList();

    private static SliceSource Slice(string path, double[] orientation, double[] position, int instance = 1, double? sliceLocation = null)
    {
        var ds = new DicomDataset()
            .Text(DicomTags.Modality, DicomVR.CS, "CT")
            .Text(DicomTags.SeriesInstanceUid, DicomVR.UI, Uid)
            .Integer(DicomTags.InstanceNumber, instance)
            .Decimal(DicomTags.ImagePositionPatient, position)
            .Decimal(DicomTags.ImageOrientationPatient, orientation)
            .Text(DicomTags.FrameOfReferenceUid, DicomVR.UI, "1.2.3.4")
            .UnsignedShort(DicomTags.Rows, 4)
            .UnsignedShort(DicomTags.Columns, 4)
            .Decimal(DicomTags.PixelSpacing, 0.8, 0.8);
        if (sliceLocation is { } location)
        {
            ds.Decimal(DicomTags.SliceLocation, location);
        }

        return new SliceSource(path, ds);
    }
}
