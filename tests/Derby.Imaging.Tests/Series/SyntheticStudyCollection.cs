namespace Derby.Imaging.Tests.Series;

/// <summary>One synthetic study shared by the series tests (generating it takes a few seconds).</summary>
[CollectionDefinition(Name)]
public sealed class SyntheticStudyCollection : ICollectionFixture<SyntheticStudyFixture>
{
    public const string Name = "synthetic study (series)";
}
