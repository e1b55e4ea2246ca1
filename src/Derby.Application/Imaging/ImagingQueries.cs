using Derby.Application.Access;
using Derby.Application.Common;
using Derby.Domain;
using Derby.Imaging.Dicom;
using Derby.Imaging.Series;
using Microsoft.EntityFrameworkCore;

namespace Derby.Application.Imaging;

/// <summary>What is stored of a patient's imaging, within the caller's scope.</summary>
public sealed class ImagingQueries(IDerbyDbContextFactory dbFactory, IDicomStore store, IDicomFileReader reader)
{
    public async Task<IReadOnlyList<ImagingSeries>> SeriesOfAsync(AccessScope scope, Guid patientId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var siteId = await db.Patients.Where(p => p.Id == patientId).Select(p => (int?)p.SiteId).SingleOrDefaultAsync(cancellationToken);
        if (siteId is null || !scope.CanRead(siteId.Value))
        {
            throw new NotFoundException("No such patient");
        }

        var series = await db.ImagingSeries.AsNoTracking().Where(s => s.PatientId == patientId).ToListAsync(cancellationToken);
        return series.OrderBy(s => s.Modality).ThenBy(s => s.ReceivedUtc).ToList();
    }

    /// <summary>
    /// The grid of a stored series, as <see cref="SeriesAssembler"/> gives it from the stored files (the order in which
    /// voxel indices count slices); not found unless the caller may read the patient's site.
    /// </summary>
    public async Task<SeriesGeometry> GeometryOfAsync(AccessScope scope, Guid seriesId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateAsync(cancellationToken);
        var siteId = await db.ImagingSeries.Where(s => s.Id == seriesId).Select(s => (int?)s.Patient!.SiteId).SingleOrDefaultAsync(cancellationToken);
        if (siteId is null || !scope.CanRead(siteId.Value))
        {
            throw new NotFoundException("No such series");
        }

        return (await StoredSeries.AssembleAsync(db, store, reader, seriesId, cancellationToken)).Geometry!;
    }
}
