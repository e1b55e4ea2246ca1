namespace Derby.Domain;

/// <summary>Immunohistochemistry scores of the pre-treatment colonoscopy biopsy (the paper's F_biopsy).</summary>
public sealed class BiopsyScores
{
    public Guid PatientId { get; set; }

    /// <summary>GLUT1 IHC score as produced by the image analysis (the paper: HALO; cohort means about 11).</summary>
    public double Glut1Score { get; set; }

    /// <summary>PKM IHC score, same scale as GLUT1.</summary>
    public double PkmScore { get; set; }

    /// <summary>Antibody clone used for GLUT1, if recorded.</summary>
    public string? Glut1Antibody { get; set; }

    /// <summary>Antibody clone used for PKM, if recorded.</summary>
    public string? PkmAntibody { get; set; }

    /// <summary>Analysis software and method, e.g. "HALO 3.3 H-score".</summary>
    public string? AnalysisMethod { get; set; }

    public DateTime UpdatedUtc { get; set; }
}
