using Derby.Synthetic.Clinical;
using Derby.Synthetic.Output;

namespace Derby.Synthetic.Tests;

/// <summary>The phantom's lesions agree with each patient's clinical record, and the truth describes what was imaged.</summary>
public sealed class PhantomTests(StudyFixture study) : IClassFixture<StudyFixture>
{
    private static readonly Dictionary<string, SyntheticPatient> Clinical =
        ClinicalGenerator.Generate(StudyScale.Small, StudyFixture.Seed).ToDictionary(p => p.Pseudonym);

    [Fact]
    public void Lesions_FollowTheClinicalRecord_CountLargestDiameterAndLobes()
    {
        foreach (var truth in study.Truth.Patients)
        {
            var p = Clinical[truth.Pseudonym];
            var lesions = truth.Imaging!.Lesions;
            Assert.Equal(p.LiverMetastases, lesions.Count);
            Assert.Equal(p.LargestDiameterCm, lesions.Max(l => l.DiameterCm), 3);
            var lobes = lesions.Select(l => l.Lobe).Distinct().Count();
            Assert.Equal(p.Distribution == Domain.LiverDistribution.Bilobar ? 2 : 1, lobes);
        }
    }

    [Fact]
    public void Lesions_DoNotOverlap_AndLieInsideTheImagedVolume()
    {
        var half = StudyScale.Small.Geometry.AxialExtentMm / 2;
        foreach (var truth in study.Truth.Patients)
        {
            var lesions = truth.Imaging!.Lesions;
            foreach (var l in lesions)
            {
                Assert.InRange(l.CenterMm[2] - l.SemiAxesMm[2], -half, half);
                Assert.InRange(l.CenterMm[2] + l.SemiAxesMm[2], -half, half);
            }

            for (var i = 0; i < lesions.Count; i++)
            {
                for (var j = i + 1; j < lesions.Count; j++)
                {
                    var a = lesions[i];
                    var b = lesions[j];
                    var distance = Math.Sqrt(Enumerable.Range(0, 3).Sum(k => Math.Pow(a.CenterMm[k] - b.CenterMm[k], 2)));
                    Assert.True(distance > a.SemiAxesMm.Max() + b.SemiAxesMm.Max(), $"{truth.Pseudonym}: lesions {i} and {j} overlap");
                }
            }
        }
    }

    [Fact]
    public void NoiseFreeSuvMax_IsTheRecordedSuvMax_AndTheImageIsNear()
    {
        foreach (var truth in study.Truth.Patients)
        {
            var p = Clinical[truth.Pseudonym];
            var imaging = truth.Imaging!;
            Assert.Equal(p.SuvMax, imaging.SuvMaxNoiseFree, 0.01);
            // What a reader measures: the noisy image times the site's calibration, within a few noise SDs of the truth.
            Assert.InRange(imaging.SuvMaxImage / imaging.PetCalibration, p.SuvMax * 0.9, p.SuvMax * 1.6);
        }
    }
}
