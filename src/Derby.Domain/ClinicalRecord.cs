namespace Derby.Domain;

/// <summary>The paper's eight baseline clinical factors plus age and sex.</summary>
public sealed class ClinicalRecord
{
    public Guid PatientId { get; set; }

    /// <summary>Highest lesion SUVmax on baseline PET (body-weight SUV). Optional: segmentation may fill it later.</summary>
    public double? SuvMax { get; set; }

    /// <summary>Where <see cref="SuvMax"/> came from: entered by the site, or the segmented lesions.</summary>
    public SuvMaxSource SuvMaxSource { get; set; } = SuvMaxSource.Entered;

    /// <summary>The accepted lesion whose SUVmax <see cref="SuvMax"/> is, when it came from segmentation.</summary>
    public Guid? SuvMaxLesionId { get; set; }

    /// <summary>Fong clinical risk score, 0 to 5 points.</summary>
    public int ClinicalRiskScore { get; set; }

    /// <summary>Pre-operative carcinoembryonic antigen, ng/ml.</summary>
    public double CeaNgPerMl { get; set; }

    /// <summary>Pre-operative CA19-9, U/ml.</summary>
    public double Ca199UPerMl { get; set; }

    public PrimarySite PrimarySite { get; set; }

    public int LiverMetastasisCount { get; set; }

    /// <summary>Largest diameter of the liver metastases, cm.</summary>
    public double LargestDiameterCm { get; set; }

    public LiverDistribution Distribution { get; set; }

    /// <summary>Age in whole years at baseline; 90 stands for 90 or older (HIPAA Safe Harbor).</summary>
    public int AgeYears { get; set; }

    public Sex Sex { get; set; }

    public DateTime UpdatedUtc { get; set; }
}
