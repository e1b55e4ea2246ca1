using Derby.Domain;

namespace Derby.Synthetic.Clinical;

/// <summary>Everything the generator decides about one patient: what sites will report, and the hidden truth behind it.</summary>
public sealed class SyntheticPatient
{
    /// <summary>Assigned once every patient is drawn: "{SITE}-{NNNN}", numbered in a shuffled order.</summary>
    public string Pseudonym { get; set; } = "";

    public required string Site { get; init; }

    /// <summary>Cohort codes; histology patients are also in training or internal validation.</summary>
    public List<string> Cohorts { get; } = [];

    public required TreatmentArm Arm { get; init; }

    // Reported clinical factors.
    public Sex Sex { get; set; }
    public int AgeYears { get; set; }
    public double CeaNgPerMl { get; set; }
    public double Ca199UPerMl { get; set; }
    public int ClinicalRiskScore { get; set; }
    public PrimarySite PrimarySite { get; set; }
    public int LiverMetastases { get; set; }
    public double LargestDiameterCm { get; set; }
    public LiverDistribution Distribution { get; set; }
    public double SuvMax { get; set; }
    public bool NodePositive { get; set; }

    /// <summary>Biopsy IHC scores: latent for everyone, reported only where the biopsy was scored.</summary>
    public double Glut1 { get; set; }
    public double Pkm { get; set; }
    public bool HasIhc { get; set; }

    public double WeightKg { get; set; }

    // Hidden truth.
    /// <summary>Latent lesion phenotype (standard normal) that the images carry: necrosis, rim, texture.</summary>
    public double ImagePhenotype { get; set; }
    public double LinearPredictor { get; set; }
    public double ImagingPart { get; set; }
    public double ClinicalPart { get; set; }
    public double HistologyPart { get; set; }
    public double ResponseProbability { get; set; }

    // Outcome.
    public bool Responder { get; set; }
    public RecistResponse BestResponse { get; set; }
    public double PfsMonths { get; set; }
    public bool PfsEvent { get; set; }
    public double OsMonths { get; set; }
    public bool OsEvent { get; set; }
    public bool LiverResection { get; set; }

    /// <summary>The cohort that sized and shaped this patient (training, internal-validation, external-validation or negative-validation).</summary>
    public required string PrimaryCohort { get; init; }
}
